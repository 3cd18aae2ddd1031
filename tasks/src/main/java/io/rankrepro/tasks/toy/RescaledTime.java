package io.rankrepro.tasks.toy;

/**
 * Paper B's rescaled time for gradient descent from init scale α with step η:
 * τ = t·η / log(1/α) after t steps. A product entry at scale α² needs ≈ log(1/α)/(η|g|) steps to grow
 * to order one, i.e. Δτ = 1/|g|, so in τ the stage times do not depend on α as α → 0.
 */
public record RescaledTime(double alpha, double learningRate) {

    public RescaledTime {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
    }

    public double tau(long step) {
        return step * learningRate / Math.log(1 / alpha);
    }

    /** The number of steps that reaches rescaled time {@code tau}: ceil(τ·log(1/α)/η). */
    public long steps(double tau) {
        return (long) Math.ceil(tau * Math.log(1 / alpha) / learningRate);
    }
}
