package io.rankrepro.tasks.gradual;

import java.util.Map;
import java.util.TreeMap;

/**
 * A stable-rank curve's start and end for the "grows during training" claim: the first checkpoint at or
 * after {@code fromStep} whose perturbation is nonzero, and the last checkpoint. {@code earliest} is the
 * first nonzero checkpoint of all, reported next to it so that moving {@code fromStep} hides nothing.
 */
record RankGrowth(long earliestStep, double earliest, long firstStep, double first, long lastStep, double last) {

    /** @param series step → (mean, std) over heads */
    static RankGrowth of(TreeMap<Long, double[]> series, long fromStep) {
        TreeMap<Long, double[]> nonzero = new TreeMap<>(series);
        nonzero.entrySet().removeIf(e -> e.getValue()[0] == 0); // step 0, and steps before the first update moved W
        if (nonzero.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint with a nonzero perturbation");
        }
        Map.Entry<Long, double[]> from = nonzero.ceilingEntry(fromStep);
        if (from == null) {
            throw new IllegalArgumentException("no checkpoint at or after step " + fromStep + " (last: " + nonzero.lastKey() + ")");
        }
        return new RankGrowth(nonzero.firstKey(), nonzero.firstEntry().getValue()[0], from.getKey(), from.getValue()[0],
                nonzero.lastKey(), nonzero.lastEntry().getValue()[0]);
    }

    boolean grows() {
        return last > first;
    }

    String describe() {
        String s = String.format(java.util.Locale.ROOT, "mean over heads: %.3f at step %d, %.3f at step %d", first, firstStep, last, lastStep);
        return firstStep == earliestStep ? s
                : s + String.format(java.util.Locale.ROOT, " (first nonzero checkpoint: %.3f at step %d)", earliest, earliestStep);
    }
}
