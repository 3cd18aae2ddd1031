package io.rankrepro.tasks.toy;

/** A differentiable loss ℓ(w) over a flat parameter vector, in plain doubles. */
public interface SmoothLoss {

    /** Number of coordinates of w. */
    int dimension();

    /** Returns ℓ(w) and writes ∇ℓ(w) into {@code gradient} (same length as w). */
    double valueAndGradient(double[] w, double[] gradient);

    default double value(double[] w) {
        return valueAndGradient(w, new double[w.length]);
    }
}
