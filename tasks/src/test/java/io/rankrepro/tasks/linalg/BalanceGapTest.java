package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BalanceGapTest {

    @Test
    void gapIsNonNegativeOnRandomPairs() {
        Random rng = new Random(21);
        double smallest = Double.POSITIVE_INFINITY;
        for (int trial = 0; trial < 1000; trial++) {
            int d = 4 + rng.nextInt(40);
            int r = 1 + rng.nextInt(8);
            double scaleA = Math.pow(10, rng.nextDouble() * 4 - 2);
            DMatrixRMaj a = Matrices.gaussian(d, r, scaleA, rng);
            DMatrixRMaj b = Matrices.gaussian(d + rng.nextInt(3), r, 1 / scaleA, rng);
            BalanceGap g = BalanceGap.of(a, b);
            assertTrue(g.gap() >= -1e-12, "trial " + trial + ": Δ = " + g.gap());
            smallest = Math.min(smallest, g.gap());
        }
        assertTrue(smallest > 0, "random pairs are unbalanced, so Δ > 0; smallest was " + smallest);
    }

    @Test
    void balancedPairsHaveZeroGapAndImbalance() {
        Random rng = new Random(22);
        for (int trial = 0; trial < 50; trial++) {
            int r = 1 + rng.nextInt(8);
            double[] s = new double[r];
            for (int i = 0; i < r; i++) {
                s[i] = rng.nextDouble() * 3;
            }
            // A = U √S O, B = V √S O for any orthogonal O: AᵀA = Oᵀ S O = BᵀB
            DMatrixRMaj rootS = CommonOps_DDRM.diag(java.util.Arrays.stream(s).map(Math::sqrt).toArray());
            DMatrixRMaj o = Matrices.orthonormalColumns(r, r, rng);
            DMatrixRMaj a = times(times(Matrices.orthonormalColumns(30, r, rng), rootS), o);
            DMatrixRMaj b = times(times(Matrices.orthonormalColumns(25, r, rng), rootS), o);

            BalanceGap g = BalanceGap.of(a, b);
            assertEquals(0, g.gap(), 1e-10, "trial " + trial);
            assertEquals(0, g.imbalance(), 1e-10, "trial " + trial);
            assertEquals(java.util.Arrays.stream(s).sum(), g.nuclearNorm(), 1e-10);
        }
    }

    @Test
    void scaledIdentityPairHasTheClosedFormGap() {
        // A = c E, B = E / c with E the first r columns of I: W = E Eᵀ, ‖W‖_* = r,
        // ½(‖A‖² + ‖B‖²) = r (c² + c⁻²) / 2, Δ = r (c − 1/c)² / 2, ‖AᵀA − BᵀB‖_F = |c² − c⁻²| √r
        int r = 3;
        double c = 2;
        DMatrixRMaj e = new DMatrixRMaj(10, r);
        for (int i = 0; i < r; i++) {
            e.set(i, i, 1);
        }
        DMatrixRMaj a = e.copy();
        CommonOps_DDRM.scale(c, a);
        DMatrixRMaj b = e.copy();
        CommonOps_DDRM.scale(1 / c, b);
        BalanceGap g = BalanceGap.of(a, b);
        assertEquals(r, g.nuclearNorm(), 1e-12);
        assertEquals(r * (c - 1 / c) * (c - 1 / c) / 2, g.gap(), 1e-12);
        assertEquals(Math.abs(c * c - 1 / (c * c)) * Math.sqrt(r), g.imbalance(), 1e-12);
    }

    private static DMatrixRMaj times(DMatrixRMaj x, DMatrixRMaj y) {
        DMatrixRMaj z = new DMatrixRMaj(x.numRows, y.numCols);
        CommonOps_DDRM.mult(x, y, z);
        return z;
    }
}
