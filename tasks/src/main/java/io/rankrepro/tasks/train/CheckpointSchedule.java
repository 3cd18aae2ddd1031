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

    public static String fileName(long step) {
        return String.format("step_%09d.safetensors", step);
    }
}
