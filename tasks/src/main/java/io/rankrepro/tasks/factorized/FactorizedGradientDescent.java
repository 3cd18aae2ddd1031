package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.linalg.BalanceGap;
import io.rankrepro.tasks.linalg.SingularValues;
import io.rankrepro.tasks.task.Progress;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongPredicate;

/**
 * Plain full-batch gradient descent on a {@link FactorizedObjective}, in float64:
 * A ← A − η∇_A, B ← B − η∇_B, both gradients taken at the same point.
 *
 * <p>What the imbalance M = AᵀA − BᵀB does per step, exactly (F the full gradients):
 * M' = (1 − 2ηλ)M + η²(F_AᵀF_A − F_BᵀF_B); the data-term cross terms cancel. The η² term is
 * not negligible against M near the optimum: on a direction being switched off (singular value
 * d below the threshold) it equals η²(λ² − 4c²d²)M, giving the per-step factor
 * (1 − ηλ)² − 4c²η²d². So gradient descent decays M by (1 − ηλ)² per step up to O(η²), and the
 * fitted rate exceeds gradient flow's 2ηλ by a relative O(ηλ).
 */
public final class FactorizedGradientDescent {
    private FactorizedGradientDescent() { }

    /**
     * Initial factors with i.i.d. N(0, initScale²) entries, A and B drawn in that order.
     *
     * @return {A, B}, each {@code rows × rank}
     */
    public static DMatrixRMaj[] gaussianInit(int rowsA, int rowsB, int rank, double initScale, long seed) {
        Random rng = new Random(seed);
        DMatrixRMaj a = new DMatrixRMaj(rowsA, rank);
        DMatrixRMaj b = new DMatrixRMaj(rowsB, rank);
        for (int i = 0; i < a.data.length; i++) {
            a.data[i] = initScale * rng.nextGaussian();
        }
        for (int i = 0; i < b.data.length; i++) {
            b.data[i] = initScale * rng.nextGaussian();
        }
        return new DMatrixRMaj[] {a, b};
    }

    /**
     * Runs {@code steps} updates from (a, b) (modified in place) and records a snapshot at every
     * step where {@code record} is true (step 0 and the last step always).
     */
    public static List<ToySnapshot> run(FactorizedObjective objective, DMatrixRMaj a, DMatrixRMaj b,
                                        double learningRate, long steps, LongPredicate record, Progress progress) {
        DMatrixRMaj residual = new DMatrixRMaj(objective.target().numRows, objective.target().numCols);
        DMatrixRMaj gradA = new DMatrixRMaj(a.numRows, a.numCols);
        DMatrixRMaj gradB = new DMatrixRMaj(b.numRows, b.numCols);
        List<ToySnapshot> out = new ArrayList<>();
        for (long t = 0; ; t++) {
            if (t == 0 || t == steps || record.test(t)) {
                out.add(snapshot(objective, a, b, t));
            }
            if (t == steps) {
                break;
            }
            objective.gradients(a, b, residual, gradA, gradB);
            CommonOps_DDRM.addEquals(a, -learningRate, gradA);
            CommonOps_DDRM.addEquals(b, -learningRate, gradB);
            if (!Double.isFinite(a.data[0])) {
                throw new ArithmeticException("gradient descent diverged at step " + (t + 1) + " (η = " + learningRate + " too large?)");
            }
            if ((t + 1) % 100 == 0) {
                progress.update(t + 1, steps, "");
            }
        }
        return out;
    }

    public static ToySnapshot snapshot(FactorizedObjective objective, DMatrixRMaj a, DMatrixRMaj b, long step) {
        DMatrixRMaj w = new DMatrixRMaj(a.numRows, b.numRows);
        CommonOps_DDRM.multTransB(a, b, w);
        double[] s = SingularValues.of(w);
        double gap;
        double imbalance;
        try {
            BalanceGap g = BalanceGap.of(a, b);
            gap = g.gap();
            imbalance = g.imbalance();
        } catch (ArithmeticException e) {
            // linalg's Gram-QR path gives up on factors whose rows span ~30 orders of magnitude
            // (λ past every threshold, late steps); the product's own SVD gives ‖ABᵀ‖_* there.
            gap = directGap(a, b, s);
            imbalance = imbalance(a, b);
        }
        return new ToySnapshot(step, objective.loss(a, b), gap, imbalance, s);
    }

    /** Δ = ½(‖A‖² + ‖B‖²) − Σ s_i with s the singular values of ABᵀ from a direct SVD. */
    static double directGap(DMatrixRMaj a, DMatrixRMaj b, double[] productSingularValues) {
        double fa = org.ejml.dense.row.NormOps_DDRM.normF(a);
        double fb = org.ejml.dense.row.NormOps_DDRM.normF(b);
        double nuclear = 0;
        for (double v : productSingularValues) {
            nuclear += v;
        }
        return 0.5 * (fa * fa + fb * fb) - nuclear;
    }

    static double imbalance(DMatrixRMaj a, DMatrixRMaj b) {
        return org.ejml.dense.row.NormOps_DDRM.normF(imbalanceMatrix(a, b));
    }

    /** ‖AᵀA − BᵀB‖_*, the sum of the imbalance's singular values. */
    static double imbalanceNuclear(DMatrixRMaj a, DMatrixRMaj b) {
        double sum = 0;
        for (double s : SingularValues.of(imbalanceMatrix(a, b))) {
            sum += s;
        }
        return sum;
    }

    private static DMatrixRMaj imbalanceMatrix(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj m = new DMatrixRMaj(a.numCols, a.numCols);
        DMatrixRMaj gb = new DMatrixRMaj(b.numCols, b.numCols);
        CommonOps_DDRM.multTransA(a, a, m);
        CommonOps_DDRM.multTransA(b, b, gb);
        CommonOps_DDRM.subtractEquals(m, gb);
        return m;
    }
}
