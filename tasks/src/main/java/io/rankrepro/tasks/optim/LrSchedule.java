package io.rankrepro.tasks.optim;

/**
 * The learning rate of update number {@code step} (0 for the first update).
 */
@FunctionalInterface
public interface LrSchedule {

    double at(long step);

    static LrSchedule constant(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + lr);
        }
        return step -> lr;
    }

    /**
     * Linear warm-up from {@code start} to {@code peak} over {@code warmupSteps}, then cosine decay
     * to {@code floorFraction·peak} at {@code totalSteps}, flat after (FIGURES.md A-tab2: 1e-6 → 1e-3
     * over 8000 steps, cosine to 10%).
     */
    static LrSchedule warmupCosine(double start, double peak, long warmupSteps, long totalSteps, double floorFraction) {
        return new WarmupCosine(start, peak, warmupSteps, totalSteps, floorFraction);
    }

    /** See {@link LrSchedule#warmupCosine}. */
    record WarmupCosine(double start, double peak, long warmupSteps, long totalSteps, double floorFraction)
            implements LrSchedule {

        public WarmupCosine {
            if (!(start >= 0) || !(peak > 0) || Double.isInfinite(start) || Double.isInfinite(peak)) {
                throw new IllegalArgumentException("need start >= 0 and peak > 0 (finite), got " + start + ", " + peak);
            }
            if (warmupSteps < 0 || totalSteps < warmupSteps) {
                throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps, got " + warmupSteps + ", " + totalSteps);
            }
            if (!(floorFraction >= 0 && floorFraction <= 1)) {
                throw new IllegalArgumentException("floorFraction must be in [0, 1], got " + floorFraction);
            }
        }

        @Override
        public double at(long step) {
            if (step < warmupSteps) {
                return start + (peak - start) * step / warmupSteps;
            }
            double floor = floorFraction * peak;
            long decaySteps = totalSteps - warmupSteps;
            double progress = decaySteps == 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
            return floor + (peak - floor) * 0.5 * (1 + StrictMath.cos(Math.PI * progress));
        }
    }
}
