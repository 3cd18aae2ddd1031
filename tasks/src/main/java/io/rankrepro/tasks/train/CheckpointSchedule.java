package io.rankrepro.tasks.train;

import java.util.TreeSet;

/**
 * Steps at which to save: 0 (the initialization, which every Δ = W(t) − W(0) needs), then
 * {@code count} log-spaced steps from 1 to {@code total} (duplicates after rounding merged), so
 * early training, where the rank grows, is sampled as densely as late training.
 */
public final class CheckpointSchedule {
    private CheckpointSchedule() { }

    public static long[] logSpaced(long total, int count) {
        if (total < 1 || count < 1) {
            throw new IllegalArgumentException("need total >= 1 and count >= 1, got " + total + ", " + count);
        }
        TreeSet<Long> steps = new TreeSet<>();
        steps.add(0L);
        for (int i = 0; i < count; i++) {
            double f = count == 1 ? 1 : (double) i / (count - 1);
            steps.add(Math.round(Math.exp(f * Math.log(total))));
        }
        return steps.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The log-spaced steps of {@link #logSpaced} together with {@code linear} evenly spaced ones
     * (total·k/linear, k = 1..linear): log spacing alone leaves the late run, where a trend over
     * training is read, with few points. {@code linear = 0} is {@link #logSpaced}.
     */
    public static long[] linearAndLog(long total, int logCount, int linear) {
        if (linear < 0) {
            throw new IllegalArgumentException("need linear >= 0, got " + linear);
        }
        TreeSet<Long> steps = new TreeSet<>();
        for (long s : logSpaced(total, logCount)) {
            steps.add(s);
        }
        for (int k = 1; k <= linear; k++) {
            steps.add(Math.round((double) total * k / linear));
        }
        return steps.stream().mapToLong(Long::longValue).toArray();
    }

    public static String fileName(long step) {
        return String.format("step_%09d.safetensors", step);
    }
}
