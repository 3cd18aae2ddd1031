package io.rankrepro.tasks.stats;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * Student's t interval for the mean of a few independent values (one per seed, or the paired
 * differences of two conditions run with the same seeds). With 3 seeds it is wide (t = 4.30 at
 * 95%): that is the honest width, and the reason claims are tested with as many seeds as fit.
 */
public final class MeanInterval {
    private MeanInterval() { }

    public static Interval of(double[] values, double level) {
        int n = values.length;
        if (n < 2) {
            throw new IllegalArgumentException("a t interval needs at least 2 values, got " + n);
        }
        double mean = mean(values);
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double se = Math.sqrt(ss / (n - 1) / n);
        double t = new TDistribution(null, n - 1).inverseCumulativeProbability(0.5 + level / 2);
        return new Interval(mean, mean - t * se, mean + t * se, level);
    }

    static double mean(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s / values.length;
    }
}
