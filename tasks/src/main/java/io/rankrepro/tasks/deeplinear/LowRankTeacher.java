package io.rankrepro.tasks.deeplinear;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

import java.util.Random;

/**
 * The teacher W* = U diag(s) Vᵀ of the deep linear regression y = x W* + noise (row vectors,
 * x ∈ R^{1×d}): U, V the first r columns of Haar-random orthogonal d×d matrices, s the given
 * singular values, so rank(W*) = r exactly and its spectrum is known.
 *
 * @param matrix          W*, d×d
 * @param singularValues  s, descending, r of them
 */
public record LowRankTeacher(DMatrixRMaj matrix, double[] singularValues) {

    public LowRankTeacher {
        singularValues = singularValues.clone();
    }

    public int rank() {
        return singularValues.length;
    }

    public static LowRankTeacher of(int dim, double[] singularValues, Random random) {
        if (singularValues.length < 1 || singularValues.length > dim) {
            throw new IllegalArgumentException("need 1 <= rank <= dim, got rank " + singularValues.length + ", dim " + dim);
        }
        for (int i = 0; i < singularValues.length; i++) {
            if (!(singularValues[i] > 0) || (i > 0 && singularValues[i] > singularValues[i - 1])) {
                throw new IllegalArgumentException("teacher singular values must be > 0 and descending, got "
                        + java.util.Arrays.toString(singularValues));
            }
        }
        int r = singularValues.length;
        DMatrixRMaj u = orthonormalColumns(dim, r, random);
        DMatrixRMaj v = orthonormalColumns(dim, r, random);
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < r; j++) {
                u.set(i, j, u.get(i, j) * singularValues[j]);
            }
        }
        DMatrixRMaj w = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.multTransB(u, v, w);
        return new LowRankTeacher(w, singularValues);
    }

    /** Q of the QR of a Gaussian d×r matrix: r Haar-random orthonormal columns. */
    private static DMatrixRMaj orthonormalColumns(int d, int r, Random random) {
        DMatrixRMaj g = new DMatrixRMaj(d, r);
        for (int i = 0; i < g.data.length; i++) {
            g.data[i] = random.nextGaussian();
        }
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(d, r);
        if (!qr.decompose(g)) {
            throw new ArithmeticException("QR failed");
        }
        return qr.getQ(null, true);
    }
}
