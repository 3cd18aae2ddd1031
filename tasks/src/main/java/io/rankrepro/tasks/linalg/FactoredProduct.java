package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

import java.util.Arrays;

/**
 * Singular values of W = A Bᵀ with A, B ∈ R^{d×r}, r ≪ d, without ever forming a d×d matrix:
 * with thin QRs A = Q_A R_A and B = Q_B R_B, W = Q_A (R_A R_Bᵀ) Q_Bᵀ has the singular values of
 * the r×r core R_A R_Bᵀ. The R factors come from {@link GramFactor} (Cholesky QR, Householder
 * QR where that would lose accuracy). This is the fast rank path for per-head
 * KQ^h = W_K^h W_Q^hᵀ and PV^h = P^h W_V^hᵀ.
 *
 * <p>Changes since initialization, ΔW = A1 B1ᵀ − A0 B0ᵀ, go through the same path with factors
 * of width 2r. We do not use the stacking [A1, −A0][B1, B0]ᵀ: early in training A1 ≈ A0, and
 * that stacking computes a small ΔW as the difference of two large terms (relative error
 * ε‖W‖/‖ΔW‖). The equal product ΔW = A0 δBᵀ + δA B1ᵀ = [A0, δA][δB, B1]ᵀ, with δA = A1 − A0 and
 * δB = B1 − B0 formed exactly from the factors, has no such cancellation.
 *
 * <p>Thread-safe (no shared state); callers parallelize over heads.
 */
public final class FactoredProduct {
    private FactoredProduct() { }

    /** The r singular values of A Bᵀ, largest first. A and B must have the same number of columns. */
    public static double[] singularValues(DMatrixRMaj a, DMatrixRMaj b) {
        requireSameColumns(a, b, "A", "B");
        return coreSingularValues(GramFactor.of(GramFactor.gram(a), () -> a), GramFactor.of(GramFactor.gram(b), () -> b));
    }

    /** The r singular values of A Bᵀ and the balance gap of (A, B), sharing the Grams AᵀA and BᵀB. */
    public static ProductSpectrum spectrum(DMatrixRMaj a, DMatrixRMaj b) {
        requireSameColumns(a, b, "A", "B");
        DMatrixRMaj gramA = GramFactor.gram(a);
        DMatrixRMaj gramB = GramFactor.gram(b);
        double[] s = singularValuesFromGrams(gramA, gramB, a, b);
        return new ProductSpectrum(s, BalanceGap.fromGrams(gramA, gramB, s));
    }

    /** The 2r singular values of A1 B1ᵀ − A0 B0ᵀ, largest first. All four factors share one shape. */
    public static double[] differenceSingularValues(DMatrixRMaj a1, DMatrixRMaj b1, DMatrixRMaj a0, DMatrixRMaj b0) {
        requireSameShape(a0, a1, "A0", "A1");
        requireSameShape(b0, b1, "B0", "B1");
        requireSameColumns(a0, b0, "A0", "B0");
        return changeSingularValues(Side.of(a0, a1), Side.of(b0, b1));
    }

    /**
     * Spectra of A0 B0ᵀ, A1 B1ᵀ and their difference in one pass: the Gram blocks X0ᵀX0, X0ᵀδX and
     * δXᵀδX of each side are computed once and give all three (X1ᵀX1 is their sum), and the
     * balance gaps of (A0, B0) and (A1, B1).
     */
    public static ProductEvolution evolution(DMatrixRMaj a0, DMatrixRMaj b0, DMatrixRMaj a1, DMatrixRMaj b1) {
        requireSameShape(a0, a1, "A0", "A1");
        requireSameShape(b0, b1, "B0", "B1");
        requireSameColumns(a0, b0, "A0", "B0");
        Side a = Side.of(a0, a1);
        Side b = Side.of(b0, b1);
        double[] initial = coreSingularValues(GramFactor.of(a.g00, () -> a0), GramFactor.of(b.g00, () -> b0));
        double[] current = coreSingularValues(GramFactor.of(a.g11, () -> a1), GramFactor.of(b.g11, () -> b1));
        return new ProductEvolution(initial, current, changeSingularValues(a, b),
                BalanceGap.fromGrams(a.g00, b.g00, initial), BalanceGap.fromGrams(a.g11, b.g11, current));
    }

    /** Singular values of A Bᵀ given Gram matrices AᵀA and BᵀB (for callers that need the Grams too). */
    static double[] singularValuesFromGrams(DMatrixRMaj gramA, DMatrixRMaj gramB, DMatrixRMaj a, DMatrixRMaj b) {
        return coreSingularValues(GramFactor.of(gramA, () -> a), GramFactor.of(gramB, () -> b));
    }

    /** ΔW = [A0, δA][δB, B1]ᵀ: Grams of both stacked factors from the side blocks. */
    private static double[] changeSingularValues(Side a, Side b) {
        DMatrixRMaj gramA = blocks(a.g00, a.g0d, a.gdd);
        DMatrixRMaj dbB1 = b.g0d.copy();
        CommonOps_DDRM.transpose(dbB1);
        CommonOps_DDRM.addEquals(dbB1, b.gdd); // δBᵀB1 = δBᵀB0 + δBᵀδB
        DMatrixRMaj gramB = blocks(b.gdd, dbB1, b.g11);
        DMatrixRMaj fa = GramFactor.of(gramA, () -> CommonOps_DDRM.concatColumnsMulti(a.x0, a.dx));
        DMatrixRMaj fb = GramFactor.of(gramB, () -> CommonOps_DDRM.concatColumnsMulti(b.dx, b.x1));
        return coreSingularValues(fa, fb);
    }

    /** Singular values of Fa Fbᵀ, largest first, padded with zeros to the factors' column count. */
    private static double[] coreSingularValues(DMatrixRMaj fa, DMatrixRMaj fb) {
        int width = fa.numCols;
        DMatrixRMaj core = new DMatrixRMaj(fa.numRows, fb.numRows);
        CommonOps_DDRM.multTransB(fa, fb, core);
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(core.numRows, core.numCols, false, false, true);
        if (!svd.decompose(core)) {
            throw new ArithmeticException("SVD did not converge for a " + core.numRows + "x" + core.numCols + " core");
        }
        double[] s = SingularValues.descending(svd.getSingularValues(), svd.numberOfSingularValues());
        return s.length == width ? s : Arrays.copyOf(s, width);
    }

    /** [[g00, g01], [g01ᵀ, g11]]. */
    private static DMatrixRMaj blocks(DMatrixRMaj g00, DMatrixRMaj g01, DMatrixRMaj g11) {
        int r = g00.numRows;
        int n = r + g11.numRows;
        DMatrixRMaj g = new DMatrixRMaj(n, n);
        CommonOps_DDRM.insert(g00, g, 0, 0);
        CommonOps_DDRM.insert(g01, g, 0, r);
        DMatrixRMaj g10 = new DMatrixRMaj(g01.numCols, g01.numRows);
        CommonOps_DDRM.transpose(g01, g10);
        CommonOps_DDRM.insert(g10, g, r, 0);
        CommonOps_DDRM.insert(g11, g, r, r);
        return g;
    }

    /** One side X of the product at init (X0) and now (X1 = X0 + δX), with its Gram blocks. */
    private record Side(DMatrixRMaj x0, DMatrixRMaj x1, DMatrixRMaj dx,
                        DMatrixRMaj g00, DMatrixRMaj g0d, DMatrixRMaj gdd, DMatrixRMaj g11) {
        static Side of(DMatrixRMaj x0, DMatrixRMaj x1) {
            DMatrixRMaj dx = new DMatrixRMaj(x0.numRows, x0.numCols);
            CommonOps_DDRM.subtract(x1, x0, dx);
            DMatrixRMaj g00 = GramFactor.gram(x0);
            DMatrixRMaj g0d = GramFactor.cross(x0, dx);
            DMatrixRMaj gdd = GramFactor.gram(dx);
            // X1ᵀX1 = X0ᵀX0 + X0ᵀδX + δXᵀX0 + δXᵀδX: no cancellation, every term is O(‖X‖²) or smaller
            DMatrixRMaj g11 = g00.copy();
            CommonOps_DDRM.addEquals(g11, g0d);
            DMatrixRMaj d0 = new DMatrixRMaj(g0d.numCols, g0d.numRows);
            CommonOps_DDRM.transpose(g0d, d0);
            CommonOps_DDRM.addEquals(g11, d0);
            CommonOps_DDRM.addEquals(g11, gdd);
            return new Side(x0, x1, dx, g00, g0d, gdd, g11);
        }
    }

    private static void requireSameShape(DMatrixRMaj x, DMatrixRMaj y, String nx, String ny) {
        if (x.numRows != y.numRows || x.numCols != y.numCols) {
            throw new IllegalArgumentException(nx + " is " + x.numRows + "x" + x.numCols + " but " + ny + " is "
                    + y.numRows + "x" + y.numCols);
        }
    }

    private static void requireSameColumns(DMatrixRMaj x, DMatrixRMaj y, String nx, String ny) {
        if (x.numCols != y.numCols) {
            throw new IllegalArgumentException(nx + " has " + x.numCols + " columns but " + ny + " has " + y.numCols
                    + "; W = " + nx + " " + ny + "ᵀ needs equal inner dimensions");
        }
    }
}
