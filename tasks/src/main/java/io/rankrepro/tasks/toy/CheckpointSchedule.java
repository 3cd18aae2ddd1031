package io.rankrepro.tasks.toy;

import java.util.TreeSet;

/**
 * The steps at which training saves weights: {@code logSpaced} steps spread evenly in log(step)
 * (resolving the start) merged with {@code uniform} steps spread evenly in step, i.e. in rescaled
 * time (the stages are spread evenly in τ, so the late ones need these). Always holds 0 and the last step.
 */
public final class CheckpointSchedule {

    private CheckpointSchedule() { }

    public static long[] steps(long lastStep, int logSpaced, int uniform) {
        if (lastStep < 0 || logSpaced < 0 || uniform < 0) {
            throw new IllegalArgumentException("need lastStep, logSpaced, uniform >= 0");
        }
        TreeSet<Long> steps = new TreeSet<>();
        steps.add(0L);
        steps.add(lastStep);
        if (lastStep > 0) {
            double logLast = Math.log(lastStep);
            for (int i = 0; i < logSpaced; i++) {
                double fraction = logSpaced == 1 ? 1 : (double) i / (logSpaced - 1);
                steps.add(Math.round(Math.exp(fraction * logLast)));
            }
            for (int i = 1; i <= uniform; i++) {
                steps.add(Math.round((double) i * lastStep / uniform));
            }
        }
        return steps.stream().mapToLong(Long::longValue).toArray();
    }
}
