package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;

import java.util.Arrays;

/**
 * The rank metrics every analysis offers, computed from a matrix's singular values
 * (see {@code FIGURES.md}, "Metrics every analysis must offer").
 *
 * <p>The zero matrix (all singular values 0, or none) has stable rank 0, effective rank 0,
 * numerical rank 0 and all norms 0: "no directions", rather than a 0/0.
 *
 * @param singularValues non-negative, finite, largest first
 * @param relTol         τ of {@link #numericalRank()}: a singular value counts when it exceeds τ·σ_max
 */
public record SpectralMetrics(double[] singularValues, double relTol) {

    /** τ = 1e-2: the default relative threshold of the numerical rank. */
    public static final double DEFAULT_REL_TOL = 1e-2;

    /**
     * ε = 1e-6: the default absolute threshold of {@link #rankAboveEps()}. Weights here are of order
     * 1e-2..1 and trained in float32 (unit roundoff 6e-8), so 1e-6 counts directions the training
     * actually put there and ignores float32 noise; pass your own ε for other scales.
     */
    public static final double DEFAULT_EPS = 1e-6;

    public SpectralMetrics {
        singularValues = singularValues.clone();
        if (!(relTol >= 0 && relTol < 1)) {
            throw new IllegalArgumentException("relTol must be in [0, 1), got " + relTol);
        }
        for (int i = 0; i < singularValues.length; i++) {
            double s = singularValues[i];
            if (!(s >= 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("singular value " + i + " is " + s + "; must be finite and >= 0");
            }
            if (i > 0 && s > singularValues[i - 1]) {
                throw new IllegalArgumentException("singular values must be descending; value " + i + " = " + s
                        + " exceeds value " + (i - 1) + " = " + singularValues[i - 1]);
            }
        }
    }

    public static SpectralMetrics of(double[] singularValuesDescending, double relTol) {
        return new SpectralMetrics(singularValuesDescending, relTol);
    }

    /** Metrics of a dense matrix, through its full thin SVD. */
    public static SpectralMetrics of(DMatrixRMaj w, double relTol) {
        return new SpectralMetrics(SingularValues.of(w), relTol);
    }

    @Override
    public double[] singularValues() {
        return singularValues.clone();
    }

    /** σ_max = ‖W‖_2. */
    public double spectralNorm() {
        return singularValues.length == 0 ? 0 : singularValues[0];
    }

    /** ‖W‖_F = sqrt(Σσ²). */
    public double frobeniusNorm() {
        return Math.sqrt(sumOfSquares());
    }

    /** ‖W‖_* = Σσ. */
    public double nuclearNorm() {
        double sum = 0;
        for (double s : singularValues) {
            sum += s;
        }
        return sum;
    }

    /** ‖W‖_F² / ‖W‖_2²; in [1, rank] for W ≠ 0, 0 for W = 0. */
    public double stableRank() {
        double top = spectralNorm();
        return top == 0 ? 0 : sumOfSquares() / (top * top);
    }

    /** exp(H(p)) with p = σ/Σσ and 0·log 0 = 0 (Roy and Vetterli 2007); 0 for W = 0. */
    public double effectiveRank() {
        double total = nuclearNorm();
        if (total == 0) {
            return 0;
        }
        double entropy = 0;
        for (double s : singularValues) {
            if (s > 0) {
                double p = s / total;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    /** #{σ_i > τ·σ_max} with τ = {@link #relTol()}; 0 for W = 0. */
    public int numericalRank() {
        return rankAbove(relTol * spectralNorm());
    }

    /** #{σ_i > ε} with the absolute ε = {@link #DEFAULT_EPS}. */
    public int rankAboveEps() {
        return rankAbove(DEFAULT_EPS);
    }

    /** #{σ_i > eps}, an absolute threshold. */
    public int rankAbove(double eps) {
        int count = 0;
        while (count < singularValues.length && singularValues[count] > eps) {
            count++;
        }
        return count;
    }

    private double sumOfSquares() {
        double sum = 0;
        for (double s : singularValues) {
            sum += s * s;
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpectralMetrics m && m.relTol == relTol && Arrays.equals(m.singularValues, singularValues);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(singularValues) + Double.hashCode(relTol);
    }

    @Override
    public String toString() {
        return "SpectralMetrics[stableRank=" + stableRank() + ", effectiveRank=" + effectiveRank()
                + ", numericalRank=" + numericalRank() + ", nuclearNorm=" + nuclearNorm()
                + ", singularValues=" + Arrays.toString(singularValues) + "]";
    }
}
