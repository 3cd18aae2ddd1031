package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FactoredProductTest {

    /** The first {@code k} singular values of a full SVD, after checking the rest are zero. */
    private static double[] leading(DMatrixRMaj w, int k, double zeroTol) {
        double[] all = SingularValues.of(w);
        for (int i = k; i < all.length; i++) {
            assertTrue(all[i] < zeroTol, "singular value " + i + " of a rank-" + k + " product is " + all[i]);
        }
        return Arrays.copyOf(all, k);
    }

    @Test
    void matchesFullSvdOnRandomFactors() {
        Random rng = new Random(11);
        for (int d : new int[] {64, 128, 256}) {
            for (int r : new int[] {8, 16}) {
                DMatrixRMaj a = Matrices.gaussian(d, r, 1, rng);
                DMatrixRMaj b = Matrices.gaussian(d, r, 1, rng);
                double[] expected = leading(Matrices.productTransB(a, b), r, 1e-9);
                assertArrayEquals(expected, FactoredProduct.singularValues(a, b), 1e-9, "d=" + d + " r=" + r);
            }
        }
    }

    @Test
    void differenceOfProductsMatchesFullSvd() {
        Random rng = new Random(12);
        for (int d : new int[] {64, 128, 256}) {
            for (int r : new int[] {8, 16}) {
                DMatrixRMaj a0 = Matrices.gaussian(d, r, 1, rng);
                DMatrixRMaj b0 = Matrices.gaussian(d, r, 1, rng);
                DMatrixRMaj a1 = Matrices.plus(a0, Matrices.gaussian(d, r, 0.3, rng));
                DMatrixRMaj b1 = Matrices.plus(b0, Matrices.gaussian(d, r, 0.3, rng));
                DMatrixRMaj dw = Matrices.minus(Matrices.productTransB(a1, b1), Matrices.productTransB(a0, b0));
                double[] expected = leading(dw, 2 * r, 1e-9);

                assertArrayEquals(expected, FactoredProduct.differenceSingularValues(a1, b1, a0, b0), 1e-9,
                        "d=" + d + " r=" + r);
                ProductEvolution e = FactoredProduct.evolution(a0, b0, a1, b1);
                assertArrayEquals(expected, e.change(), 1e-9);
                assertArrayEquals(leading(Matrices.productTransB(a0, b0), r, 1e-9), e.initial(), 1e-9);
                assertArrayEquals(leading(Matrices.productTransB(a1, b1), r, 1e-9), e.current(), 1e-9);
                BalanceGap direct = BalanceGap.of(a1, b1);
                assertEquals(direct.gap(), e.currentBalance().gap(), 1e-9);
                assertEquals(direct.imbalance(), e.currentBalance().imbalance(), 1e-9);
                assertEquals(BalanceGap.of(a0, b0).gap(), e.initialBalance().gap(), 1e-9);
            }
        }
    }

    @Test
    void recoversKnownSingularValuesOfABalancedFactorization() {
        Random rng = new Random(13);
        double[] s = {10, 3, 1, 0.1, 1e-3, 1e-6, 1e-9, 0};
        DMatrixRMaj u = Matrices.orthonormalColumns(200, s.length, rng);
        DMatrixRMaj v = Matrices.orthonormalColumns(150, s.length, rng);
        for (int j = 0; j < s.length; j++) {
            for (int i = 0; i < 200; i++) {
                u.set(i, j, u.get(i, j) * Math.sqrt(s[j]));
            }
            for (int i = 0; i < 150; i++) {
                v.set(i, j, v.get(i, j) * Math.sqrt(s[j]));
            }
        }
        assertArrayEquals(s, FactoredProduct.singularValues(u, v), 1e-12);
    }

    @Test
    void nearlyDependentColumnsStillMatchFullSvd() {
        // two factor columns 1e-9 apart: the Cholesky pivot falls below MIN_PIVOT and Householder QR takes over
        Random rng = new Random(14);
        DMatrixRMaj a = Matrices.gaussian(96, 8, 1, rng);
        DMatrixRMaj b = Matrices.gaussian(96, 8, 1, rng);
        for (int i = 0; i < 96; i++) {
            a.set(i, 1, a.get(i, 0) + 1e-9 * rng.nextGaussian());
        }
        double[] expected = leading(Matrices.productTransB(a, b), 8, 1e-8);
        assertArrayEquals(expected, FactoredProduct.singularValues(a, b), 1e-9);
    }

    @Test
    void illConditionedMixedFactorsKeepSmallSingularValuesToRelativeAccuracy() {
        // A = U √S O, B = V √S O with O a random rotation: W = U S Vᵀ exactly, but the factor columns are
        // nearly dependent (κ(A) = 1e6); Cholesky QR alone gets σ = 1e-12 wrong by ~4e-5 relative
        Random rng = new Random(17);
        double[] s = {1, 0.5, 1e-4, 1e-7, 1e-10, 1e-12};
        DMatrixRMaj rootS = org.ejml.dense.row.CommonOps_DDRM.diag(Arrays.stream(s).map(Math::sqrt).toArray());
        DMatrixRMaj o = Matrices.orthonormalColumns(6, 6, rng);
        DMatrixRMaj a = times(times(Matrices.orthonormalColumns(80, 6, rng), rootS), o);
        DMatrixRMaj b = times(times(Matrices.orthonormalColumns(70, 6, rng), rootS), o);
        double[] actual = FactoredProduct.singularValues(a, b);
        for (int i = 0; i < s.length; i++) {
            assertEquals(s[i], actual[i], 1e-6 * s[i], "singular value " + i);
        }
    }

    private static DMatrixRMaj times(DMatrixRMaj x, DMatrixRMaj y) {
        DMatrixRMaj z = new DMatrixRMaj(x.numRows, y.numCols);
        org.ejml.dense.row.CommonOps_DDRM.mult(x, y, z);
        return z;
    }

    @Test
    void smallChangeIsResolvedRelativeToItsOwnSize() {
        // ΔW is 1e-8 of W: the full SVD of A1B1ᵀ − A0B0ᵀ would carry errors ~1e-16·‖W‖ = 1e-8·‖ΔW‖;
        // the reference here is the same ΔW written without cancellation, A0 δBᵀ + δA B1ᵀ
        Random rng = new Random(15);
        int d = 128;
        int r = 8;
        DMatrixRMaj a0 = Matrices.gaussian(d, r, 1, rng);
        DMatrixRMaj b0 = Matrices.gaussian(d, r, 1, rng);
        DMatrixRMaj da = Matrices.gaussian(d, r, 1e-8, rng);
        DMatrixRMaj db = Matrices.gaussian(d, r, 1e-8, rng);
        DMatrixRMaj a1 = Matrices.plus(a0, da);
        DMatrixRMaj b1 = Matrices.plus(b0, db);
        DMatrixRMaj exactDa = Matrices.minus(a1, a0);
        DMatrixRMaj exactDb = Matrices.minus(b1, b0);
        DMatrixRMaj reference = Matrices.plus(Matrices.productTransB(a0, exactDb), Matrices.productTransB(exactDa, b1));
        double[] expected = leading(reference, 2 * r, 1e-20);
        double[] actual = FactoredProduct.differenceSingularValues(a1, b1, a0, b0);
        for (int i = 0; i < 2 * r; i++) {
            assertEquals(expected[i], actual[i], 1e-9 * expected[0], "singular value " + i);
        }
    }

    @Test
    void noChangeGivesAllZeroDifference() {
        Random rng = new Random(16);
        DMatrixRMaj a = Matrices.gaussian(64, 4, 1, rng);
        DMatrixRMaj b = Matrices.gaussian(64, 4, 1, rng);
        assertArrayEquals(new double[8], FactoredProduct.differenceSingularValues(a, b, a.copy(), b.copy()), 0);
    }

    @Test
    void rejectsMismatchedFactors() {
        DMatrixRMaj a = new DMatrixRMaj(10, 3);
        assertThrows(IllegalArgumentException.class, () -> FactoredProduct.singularValues(a, new DMatrixRMaj(10, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> FactoredProduct.differenceSingularValues(a, a, new DMatrixRMaj(9, 3), a));
    }
}
