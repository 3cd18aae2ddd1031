package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * How far a factored pair (A, B), W = A Bᵀ, is from balanced (Kobayashi et al. 2024):
 * the gap Δ = ½(‖A‖_F² + ‖B‖_F²) − ‖A Bᵀ‖_* ≥ 0, zero iff AᵀA = BᵀB, and the imbalance
 * ‖AᵀA − BᵀB‖_F, which gradient flow with weight decay λ shrinks as e^{−2λt}.
 *
 * @param frobeniusHalfSum ½(‖A‖_F² + ‖B‖_F²), the L2 penalty's side
 * @param nuclearNorm      ‖A Bᵀ‖_*, the nuclear-norm side
 * @param imbalance        ‖AᵀA − BᵀB‖_F
 */
public record BalanceGap(double frobeniusHalfSum, double nuclearNorm, double imbalance) {

    /** Both sides from the Grams AᵀA and BᵀB, which the nuclear norm's fast path needs anyway. */
    public static BalanceGap of(DMatrixRMaj a, DMatrixRMaj b) {
        if (a.numCols != b.numCols) {
            throw new IllegalArgumentException("A has " + a.numCols + " columns but B has " + b.numCols);
        }
        DMatrixRMaj gramA = GramFactor.gram(a);
        DMatrixRMaj gramB = GramFactor.gram(b);
        return fromGrams(gramA, gramB, FactoredProduct.singularValuesFromGrams(gramA, gramB, a, b));
    }

    /** From AᵀA, BᵀB and the singular values of A Bᵀ, already at hand in {@link FactoredProduct#evolution}. */
    static BalanceGap fromGrams(DMatrixRMaj gramA, DMatrixRMaj gramB, double[] singularValues) {
        double nuclear = 0;
        for (double s : singularValues) {
            nuclear += s;
        }
        double halfSum = 0.5 * (CommonOps_DDRM.trace(gramA) + CommonOps_DDRM.trace(gramB));
        DMatrixRMaj difference = new DMatrixRMaj(gramA.numRows, gramA.numCols);
        CommonOps_DDRM.subtract(gramA, gramB, difference);
        return new BalanceGap(halfSum, nuclear, NormOps_DDRM.normF(difference));
    }

    /** Δ = ½(‖A‖_F² + ‖B‖_F²) − ‖A Bᵀ‖_*; ≥ 0 up to rounding. */
    public double gap() {
        return frobeniusHalfSum - nuclearNorm;
    }

    /** Δ / ½(‖A‖_F² + ‖B‖_F²): 0 when balanced, at most 1 (the product vanishes, the factors do not); 0 for A = B = 0. */
    public double relativeGap() {
        return frobeniusHalfSum == 0 ? 0 : gap() / frobeniusHalfSum;
    }
}
