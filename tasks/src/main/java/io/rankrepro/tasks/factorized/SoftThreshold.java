package io.rankrepro.tasks.factorized;

/**
 * The minimizer of c‖W − D‖_F² + λ‖W‖_* for D with singular values d_i: the same singular
 * vectors with s_i = max(d_i − λ/(2c), 0). Derivation: the objective is unitarily invariant, so
 * W shares D's singular vectors and each s ≥ 0 minimizes c(s − d)² + λs, giving s = d − λ/(2c)
 * when positive. With the L2 penalty on factors, (λ/2)(‖A‖² + ‖B‖²) ≥ λ‖ABᵀ‖_* with equality
 * when balanced, and every minimizer is balanced, so the factorized problem has the same minimizer.
 * Caption form (c = 1): threshold λ/2; with ½ in the loss (c = ½): threshold λ.
 */
public final class SoftThreshold {
    private SoftThreshold() { }

    /** λ_eff = λ/(2c): where a singular value d_i vanishes. */
    public static double effectiveThreshold(double lambda, boolean halfInLoss) {
        return halfInLoss ? lambda : lambda / 2;
    }

    /** Predicted singular values max(d_i − λ_eff, 0), in the order of {@code d}. */
    public static double[] predict(double[] d, double lambda, boolean halfInLoss) {
        double t = effectiveThreshold(lambda, halfInLoss);
        double[] s = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            s[i] = Math.max(d[i] - t, 0);
        }
        return s;
    }

    /** The distance |λ_eff − d_i| to the nearest threshold: small means slow, algebraic convergence there. */
    public static double distanceToThreshold(double[] d, double lambda, boolean halfInLoss) {
        double t = effectiveThreshold(lambda, halfInLoss);
        double min = Double.POSITIVE_INFINITY;
        for (double di : d) {
            min = Math.min(min, Math.abs(di - t));
        }
        return min;
    }
}
