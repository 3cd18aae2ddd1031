package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

import java.util.Random;

/** Test matrices with known structure, all from a seeded {@link Random}. */
public final class Matrices {
    private Matrices() { }

    static DMatrixRMaj gaussian(int rows, int cols, double scale, Random rng) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = scale * rng.nextGaussian();
        }
        return m;
    }

    /** rows×cols with orthonormal columns: the Q of a thin QR of a Gaussian matrix. */
    public static DMatrixRMaj orthonormalColumns(int rows, int cols, Random rng) {
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(rows, cols);
        qr.decompose(gaussian(rows, cols, 1, rng));
        return qr.getQ(null, true);
    }

    /** U diag(s) Vᵀ with random orthonormal U (m×k), V (n×k), k = s.length. */
    static DMatrixRMaj withSingularValues(int m, int n, double[] s, Random rng) {
        DMatrixRMaj us = orthonormalColumns(m, s.length, rng);
        DMatrixRMaj v = orthonormalColumns(n, s.length, rng);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < s.length; j++) {
                us.set(i, j, us.get(i, j) * s[j]);
            }
        }
        DMatrixRMaj w = new DMatrixRMaj(m, n);
        CommonOps_DDRM.multTransB(us, v, w);
        return w;
    }

    public static DMatrixRMaj productTransB(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj w = new DMatrixRMaj(a.numRows, b.numRows);
        CommonOps_DDRM.multTransB(a, b, w);
        return w;
    }

    public static DMatrixRMaj plus(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.add(a, b, c);
        return c;
    }

    static DMatrixRMaj minus(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.subtract(a, b, c);
        return c;
    }
}
