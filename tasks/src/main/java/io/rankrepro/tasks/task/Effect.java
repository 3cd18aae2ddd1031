package io.rankrepro.tasks.task;

import io.rankrepro.tasks.stats.Bootstrap;
import io.rankrepro.tasks.stats.Interval;
import io.rankrepro.tasks.stats.MeanInterval;

import java.util.Arrays;
import java.util.List;

/**
 * The size of a claim's effect, oriented so that values above {@code threshold} go the paper's
 * way (0 for "in the paper's direction"; a margin where the paper's words carry one). A claim
 * reproduces when the whole interval lies above the threshold.
 *
 * @param statistic   what one seed's value measures, in words
 * @param perSeed     the statistic of each seed, in seed order (one value for a deterministic run)
 * @param estimate    their mean
 * @param low         lower end of the interval (the estimate itself for a deterministic run)
 * @param high        upper end
 * @param level       confidence level of the interval, e.g. 0.95
 * @param method      how the interval was made, in words
 * @param threshold   the value the effect must exceed
 * @param inDirection how many seeds' values exceed the threshold
 */
public record Effect(String statistic, List<Double> perSeed, double estimate, double low, double high, double level,
                     String method, double threshold, int inDirection) {
    public static final double LEVEL = 0.95;

    public Effect {
        perSeed = List.copyOf(perSeed);
        if (perSeed.isEmpty()) {
            throw new IllegalArgumentException("an effect needs at least one value: " + statistic);
        }
    }

    /**
     * A paired or per-seed effect: the mean over seeds with its 95% t interval. One seed has no
     * interval (NaN ends), so it never reproduces: a smoke run with one seed still reports its value.
     */
    public static Effect overSeeds(String statistic, double[] perSeed, double threshold) {
        if (perSeed.length == 1) {
            return of(statistic, perSeed, new Interval(perSeed[0], Double.NaN, Double.NaN, LEVEL), "one seed: no interval", threshold);
        }
        Interval ci = MeanInterval.of(perSeed, LEVEL);
        return of(statistic, perSeed, ci, "95% t interval over " + perSeed.length + " seeds", threshold);
    }

    /** The mean of many values (e.g. heads × seeds) with a seeded 95% percentile bootstrap. */
    public static Effect bootstrap(String statistic, double[] values, double threshold, long seed) {
        Interval ci = Bootstrap.meanInterval(values, LEVEL, seed);
        return of(statistic, values, ci, "95% percentile bootstrap of the mean over " + values.length + " values", threshold);
    }

    /** One deterministic run (a toy in float64 with fixed data): no sampling spread to bound. */
    public static Effect deterministic(String statistic, double value, double threshold) {
        return new Effect(statistic, List.of(value), value, value, value, LEVEL, "deterministic: one run, no seeds", threshold,
                value > threshold ? 1 : 0);
    }

    private static Effect of(String statistic, double[] values, Interval ci, String method, double threshold) {
        int in = (int) Arrays.stream(values).filter(v -> v > threshold).count();
        return new Effect(statistic, Arrays.stream(values).boxed().toList(), ci.estimate(), ci.low(), ci.high(), ci.level(),
                method, threshold, in);
    }

    /** In the paper's direction beyond the interval (NaN never reproduces). */
    public boolean reproduces() {
        return low > threshold && perSeed.stream().noneMatch(v -> Double.isNaN(v));
    }

    public int seeds() {
        return perSeed.size();
    }
}
