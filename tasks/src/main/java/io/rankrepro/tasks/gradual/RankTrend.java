package io.rankrepro.tasks.gradual;

import io.rankrepro.tasks.stats.RankCorrelation;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stable-rank curve's trend over training, for the "grows gradually" claims: Spearman's ρ of the
 * head-mean value against the step, over the checkpoints from {@code fromStep} on whose perturbation is
 * nonzero. A rank correlation needs no model of the curve's shape and weighs late checkpoints as much as
 * early ones, where "final &gt; one early checkpoint" read two points only.
 *
 * @param firstStep first checkpoint used
 * @param first     its value
 * @param lastStep  last checkpoint
 * @param last      its value
 * @param points    checkpoints used
 * @param rho       Spearman's ρ of value against step
 */
record RankTrend(long firstStep, double first, long lastStep, double last, int points, double rho) {

    /** @param series step → (mean, std) over heads */
    static RankTrend of(TreeMap<Long, double[]> series, long fromStep) {
        TreeMap<Long, double[]> used = new TreeMap<>(series.tailMap(fromStep, true));
        used.entrySet().removeIf(e -> e.getValue()[0] == 0); // step 0, and steps before the first update moved W
        if (used.size() < 3) {
            throw new IllegalArgumentException("a trend needs at least 3 checkpoints with a nonzero perturbation at or after step "
                    + fromStep + ", found " + used.size() + " (checkpoints: " + series.keySet() + ")");
        }
        double[] x = new double[used.size()];
        double[] y = new double[used.size()];
        int i = 0;
        for (Map.Entry<Long, double[]> e : used.entrySet()) {
            x[i] = e.getKey();
            y[i++] = e.getValue()[0];
        }
        return new RankTrend(used.firstKey(), y[0], used.lastKey(), y[y.length - 1], y.length, RankCorrelation.spearman(x, y));
    }

    String describe() {
        return String.format(Locale.ROOT, "ρ = %.2f over %d checkpoints, %.2f at step %d → %.2f at step %d", rho, points, first, firstStep,
                last, lastStep);
    }
}
