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

    /** XᵀX. EJML's inner-product kernel is fastest up to 64 columns, its transposed product beyond. */
    static DMatrixRMaj gram(DMatrixRMaj x) {
        DMatrixRMaj g = new DMatrixRMaj(x.numCols, x.numCols);
        if (x.numCols <= 64) {
            CommonOps_DDRM.multInner(x, g);
        } else {
            CommonOps_DDRM.multTransA(x, x, g);
        }
        return g;
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
