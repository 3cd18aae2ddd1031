package io.rankrepro.tasks.factorized;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * The objective of Kobayashi et al. 2024, Fig. 1: L(A, B) = c‖ABᵀ − D‖_F² + (λ/2)(‖A‖_F² + ‖B‖_F²),
 * with c = 1 as the caption writes it, or c = ½ ({@code halfInLoss}). At a balanced point the
 * penalty equals λ‖ABᵀ‖_*, so the minimizer over W = ABᵀ soft-thresholds D's singular values at
 * λ/(2c) (see {@link SoftThreshold}).
 *
 * @param target     D (square or rectangular)
 * @param lambda     λ ≥ 0
 * @param halfInLoss whether the data term carries ½
 */
public record FactorizedObjective(DMatrixRMaj target, double lambda, boolean halfInLoss) {

    public FactorizedObjective {
        target = target.copy();
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
    }

    /** c, the data term's factor: 1, or ½ with {@code halfInLoss}. */
    public double dataScale() {
        return halfInLoss ? 0.5 : 1.0;
    }

    /** The residual R = ABᵀ − D, written into {@code residual}. */
    public void residual(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj residual) {
        CommonOps_DDRM.multTransB(a, b, residual);
        CommonOps_DDRM.subtractEquals(residual, target);
    }

    public double loss(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj r = new DMatrixRMaj(target.numRows, target.numCols);
        residual(a, b, r);
        double fa = NormOps_DDRM.normF(a);
        double fb = NormOps_DDRM.normF(b);
        double fr = NormOps_DDRM.normF(r);
        return dataScale() * fr * fr + 0.5 * lambda * (fa * fa + fb * fb);
    }

    /**
     * ∇_A = 2c R B + λA and ∇_B = 2c Rᵀ A + λB, both at the current (A, B).
     *
     * @param residual scratch of D's shape, overwritten with R
     */
    public void gradients(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj residual, DMatrixRMaj gradA, DMatrixRMaj gradB) {
        residual(a, b, residual);
        double twoC = 2 * dataScale();
        CommonOps_DDRM.mult(twoC, residual, b, gradA);
        CommonOps_DDRM.addEquals(gradA, lambda, a);
        CommonOps_DDRM.multTransA(twoC, residual, a, gradB);
        CommonOps_DDRM.addEquals(gradB, lambda, b);
    }
}
