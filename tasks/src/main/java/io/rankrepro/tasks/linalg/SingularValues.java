package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

import java.util.Arrays;

/** Singular values of a dense matrix, in descending order (thin SVD, values only). */
public final class SingularValues {
    private SingularValues() { }

    /** The min(m, n) singular values of {@code m}, largest first. {@code m} is not modified. */
    public static double[] of(DMatrixRMaj m) {
        int k = Math.min(m.numRows, m.numCols);
        if (k == 0) {
            return new double[0];
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(m.numRows, m.numCols, false, false, true);
        DMatrixRMaj input = svd.inputModified() ? m.copy() : m;
        if (!svd.decompose(input)) {
            throw new ArithmeticException("SVD did not converge for a " + m.numRows + "x" + m.numCols + " matrix");
        }
        return descending(svd.getSingularValues(), svd.numberOfSingularValues());
    }

    /** The first {@code count} entries of {@code values}, sorted largest first (EJML leaves them unordered). */
    static double[] descending(double[] values, int count) {
        double[] s = Arrays.copyOf(values, count);
        Arrays.sort(s);
        for (int i = 0, j = count - 1; i < j; i++, j--) {
            double t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }
}
