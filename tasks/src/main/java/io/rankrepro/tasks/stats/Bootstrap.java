package io.rankrepro.tasks.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap of a mean, with a fixed seed so the interval is part of the reproducible
 * output. Meant for samples of ten or more values (heads × seeds); for a handful of seeds it
 * understates the spread and {@link MeanInterval} is the right choice.
 */
public final class Bootstrap {
    public static final int RESAMPLES = 10_000;

    private Bootstrap() { }

    public static Interval meanInterval(double[] values, double level, long seed) {
        int n = values.length;
        if (n < 2) {
            throw new IllegalArgumentException("a bootstrap needs at least 2 values, got " + n);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[RESAMPLES];
        for (int r = 0; r < RESAMPLES; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += values[random.nextInt(n)];
            }
            means[r] = s / n;
        }
        Arrays.sort(means);
        double alpha = (1 - level) / 2;
        double low = means[(int) Math.floor(alpha * (RESAMPLES - 1))];
        double high = means[(int) Math.ceil((1 - alpha) * (RESAMPLES - 1))];
        double mean = MeanInterval.mean(values);
        return new Interval(mean, Math.min(low, mean), Math.max(high, mean), level);
    }
}
