package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;

import java.util.function.Supplier;

/**
 * The R factor of a thin QR, X = Q R, obtained from the Gram matrix G = XᵀX by Cholesky
 * ("Cholesky QR"), with Householder QR of X as the fallback where that would lose accuracy.
 *
 * <p>Why: for X of size d×r with d ≫ r, XᵀX is a matrix product that runs about twice as fast
 * as Householder QR and whose blocks can be shared between products (see
 * {@link FactoredProduct#evolution}). Cholesky QR is accurate when X with unit-norm columns is
 * well conditioned (column scaling alone costs no accuracy): the Cholesky factor R̃ of the
 * column-normalized Gram has R̃_ii = distance of column i to the span of the columns before it,
 * and we accept it only when every R̃_ii ≥ {@link #MIN_PIVOT}. Otherwise (nearly dependent
 * columns, e.g. after weight decay collapsed a factor) we run Householder QR on X itself.
 * Zero columns are exact and kept as zero columns of R.
 */
final class GramFactor {

    /** Smallest accepted pivot of the normalized Cholesky factor; below it, Householder QR. */
    static final double MIN_PIVOT = 1e-3;

    private GramFactor() { }

    /** Rows of X per pass of {@link #blockedGram}: 64 rows of 128 doubles stay in L2 while every row of G is updated. */
    private static final int ROW_BLOCK = 64;

    /**
     * XᵀX. EJML's inner-product kernel is fastest up to 64 columns; beyond, {@link #blockedGram}
     * (a 4096×128 head factor of a 7B model: about 2× faster than EJML's transposed product).
     */
    static DMatrixRMaj gram(DMatrixRMaj x) {
        if (x.numCols > 64) {
            return blockedGram(x);
        }
        DMatrixRMaj g = new DMatrixRMaj(x.numCols, x.numCols);
        CommonOps_DDRM.multInner(x, g);
        return g;
    }

    /**
     * XᵀX = Σ_k x_k x_kᵀ over the rows x_k of X, in blocks of rows, the upper triangle only (then
     * mirrored), two rows of G per pass; the inner loop is an axpy over contiguous memory, which
     * the JIT vectorizes (a dot-product reduction it would not).
     */
    static DMatrixRMaj blockedGram(DMatrixRMaj x) {
        int n = x.numRows;
        int r = x.numCols;
        double[] a = x.data;
        DMatrixRMaj out = new DMatrixRMaj(r, r);
        double[] g = out.data;
        for (int k0 = 0; k0 < n; k0 += ROW_BLOCK) {
            int k1 = Math.min(n, k0 + ROW_BLOCK);
            int i = 0;
            for (; i + 1 < r; i += 2) {
                // two rows of G per pass: each x entry loaded once feeds two multiply-adds
                int gi = i * r;
                int gn = gi + r;
                for (int k = k0; k < k1; k++) {
                    int row = k * r;
                    double s0 = a[row + i];
                    double s1 = a[row + i + 1];
                    g[gi + i] += s0 * a[row + i];
                    for (int j = i + 1; j < r; j++) {
                        double v = a[row + j];
                        g[gi + j] += s0 * v;
                        g[gn + j] += s1 * v;
                    }
                }
            }
            for (; i < r; i++) {
                int gi = i * r;
                for (int k = k0; k < k1; k++) {
                    int row = k * r;
                    double s0 = a[row + i];
                    for (int j = i; j < r; j++) {
                        g[gi + j] += s0 * a[row + j];
                    }
                }
            }
        }
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < i; j++) {
                g[i * r + j] = g[j * r + i];
            }
        }
        return out;
    }

    /** XᵀY. */
    static DMatrixRMaj cross(DMatrixRMaj x, DMatrixRMaj y) {
        DMatrixRMaj c = new DMatrixRMaj(x.numCols, y.numCols);
        CommonOps_DDRM.multTransA(x, y, c);
        return c;
    }

    /**
     * A factor F with FᵀF = G and X = Q F for some Q with orthonormal columns: upper triangular
     * r×r from Cholesky, or min(d, r)×r from Householder QR of {@code columns} (X, built only on fallback).
     */
    static DMatrixRMaj of(DMatrixRMaj gram, Supplier<DMatrixRMaj> columns) {
        int n = gram.numRows;
        double[] scale = new double[n];
        for (int i = 0; i < n; i++) {
            scale[i] = Math.sqrt(gram.get(i, i));
        }
        DMatrixRMaj normalized = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v;
                if (scale[i] > 0 && scale[j] > 0) {
                    v = gram.get(i, j) / (scale[i] * scale[j]);
                } else {
                    v = i == j ? 1 : 0; // a zero column: an isolated unit pivot, scaled back to zero below
                }
                normalized.set(i, j, v);
            }
        }
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(n, false);
        if (chol.decompose(normalized)) {
            DMatrixRMaj r = chol.getT(null);
            boolean wellConditioned = true;
            for (int i = 0; i < n && wellConditioned; i++) {
                wellConditioned = r.get(i, i) >= MIN_PIVOT;
            }
            if (wellConditioned) {
                for (int i = 0; i < n; i++) {
                    for (int j = i; j < n; j++) {
                        r.set(i, j, r.get(i, j) * scale[j]);
                    }
                }
                return r;
            }
        }
        return householderR(columns.get());
    }

    /** The R of a thin Householder QR of x: min(d, r)×r, upper triangular. */
    static DMatrixRMaj householderR(DMatrixRMaj x) {
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(x.numRows, x.numCols);
        DMatrixRMaj input = qr.inputModified() ? x.copy() : x;
        if (!qr.decompose(input)) {
            throw new ArithmeticException("QR failed for a " + x.numRows + "x" + x.numCols + " factor");
        }
        return qr.getR(null, true);
    }
}
