package io.rankrepro.tasks.stats;

/** A two-sided interval [low, high] for an estimate, at a confidence level. */
public record Interval(double estimate, double low, double high, double level) {
    public Interval {
        if (!(low <= estimate && estimate <= high) && !(Double.isNaN(estimate) || Double.isNaN(low) || Double.isNaN(high))) {
            throw new IllegalArgumentException("interval [" + low + ", " + high + "] does not hold its estimate " + estimate);
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must lie in (0, 1): " + level);
        }
    }

    /** The whole interval lies above {@code threshold}. */
    public boolean above(double threshold) {
        return low > threshold;
    }
}
