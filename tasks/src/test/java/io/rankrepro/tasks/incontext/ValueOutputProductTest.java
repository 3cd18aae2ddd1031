package io.rankrepro.tasks.incontext;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ValueOutputProductTest {
    private static final double[] S = {3.0, 1.5, 0.5, 0.0, 0.0, 0.0};

    @Test
    void balancedPairHasTheProductSpectrumAndNoGap() {
        int d = S.length;
        DMatrixRMaj u = orthogonal(d, 1);
        DMatrixRMaj v = orthogonal(d, 2);
        DMatrixRMaj root = CommonOps_DDRM.diag(java.util.Arrays.stream(S).map(Math::sqrt).toArray());
        DMatrixRMaj p = CommonOps_DDRM.mult(u, root, null);   // P = U √S, W_V = V √S: P W_Vᵀ = U S Vᵀ, PᵀP = W_VᵀW_V = S
        DMatrixRMaj wv = CommonOps_DDRM.mult(v, root, null);
        ValueOutputProduct pv = ValueOutputProduct.of(p, wv, 0.01);
        assertArrayEquals(S, pv.spectrum().singularValues(), 1e-9);
        assertEquals(3, pv.spectrum().numericalRank());
        assertEquals(0.0, pv.balance().gap(), 1e-9);
        assertEquals(0.0, pv.balance().imbalance(), 1e-9);
        assertEquals(0.0, pv.balance().relativeGap(), 1e-9);
    }

    @Test
    void rescaledPairHasTheGapOfItsScales() {
        // P = U S c, W_V = V / c: the same product, ½(‖P‖² + ‖W_V‖²) = ½(c²ΣS² + d/c²), ‖PW_Vᵀ‖_* = ΣS
        int d = S.length;
        double c = 2;
        DMatrixRMaj p = CommonOps_DDRM.mult(orthogonal(d, 3), CommonOps_DDRM.diag(java.util.Arrays.stream(S).map(s -> s * c).toArray()), null);
        DMatrixRMaj wv = orthogonal(d, 4);
        CommonOps_DDRM.scale(1 / c, wv);
        ValueOutputProduct pv = ValueOutputProduct.of(p, wv, 0.01);
        double sumSq = java.util.Arrays.stream(S).map(s -> s * s).sum();
        double half = 0.5 * (c * c * sumSq + d / (c * c));
        double nuclear = java.util.Arrays.stream(S).sum();
        assertEquals(half - nuclear, pv.balance().gap(), 1e-9);
        assertEquals((half - nuclear) / half, pv.balance().relativeGap(), 1e-12);
        double imbalance = 0; // PᵀP − W_VᵀW_V = diag(c²S² − 1/c²)
        for (double s : S) {
            imbalance += Math.pow(c * c * s * s - 1 / (c * c), 2);
        }
        assertEquals(Math.sqrt(imbalance), pv.balance().imbalance(), 1e-9);
    }

    private static DMatrixRMaj orthogonal(int d, long seed) {
        Random r = new Random(seed);
        DMatrixRMaj g = new DMatrixRMaj(d, d);
        for (int i = 0; i < g.data.length; i++) {
            g.data[i] = r.nextGaussian();
        }
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(d, d);
        qr.decompose(g);
        return qr.getQ(null, false);
    }
}
