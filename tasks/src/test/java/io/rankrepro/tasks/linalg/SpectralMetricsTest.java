package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpectralMetricsTest {

    @Test
    void metricsOfAMatrixBuiltWithKnownSingularValues() {
        double[] s = {5, 3, 2, 1, 0.5, 0.04, 1e-3};
        DMatrixRMaj w = Matrices.withSingularValues(40, 30, s, new Random(1));

        SpectralMetrics m = SpectralMetrics.of(w, 1e-2);

        double[] expected = new double[30];
        System.arraycopy(s, 0, expected, 0, s.length);
        assertArrayEquals(expected, m.singularValues(), 1e-12);
        double sumSquares = 25 + 9 + 4 + 1 + 0.25 + 0.0016 + 1e-6;
        double sum = 5 + 3 + 2 + 1 + 0.5 + 0.04 + 1e-3;
        assertEquals(sumSquares / 25, m.stableRank(), 1e-12);
        assertEquals(sum, m.nuclearNorm(), 1e-12);
        assertEquals(Math.sqrt(sumSquares), m.frobeniusNorm(), 1e-12);
        assertEquals(5, m.spectralNorm(), 1e-12);
        assertEquals(5, m.numericalRank());                      // > 0.05: 5, 3, 2, 1, 0.5
        assertEquals(6, SpectralMetrics.of(w, 1e-3).numericalRank()); // > 0.005 adds 0.04
        assertEquals(7, m.rankAboveEps());                       // > 1e-6: all seven
        assertEquals(4, m.rankAbove(0.75));
        double entropy = 0;
        for (double x : s) {
            entropy -= x / sum * Math.log(x / sum);
        }
        assertEquals(Math.exp(entropy), m.effectiveRank(), 1e-10);
    }

    @Test
    void handWorkedSpectrum() {
        SpectralMetrics m = SpectralMetrics.of(new double[] {2, 1, 1, 0}, 0.6);
        assertEquals(1.5, m.stableRank(), 1e-15);             // (4 + 1 + 1) / 4
        assertEquals(Math.pow(2, 1.5), m.effectiveRank(), 1e-12); // p = (1/2, 1/4, 1/4), H = 1.5 ln 2
        assertEquals(1, m.numericalRank());                   // only 2 > 1.2
        assertEquals(3, SpectralMetrics.of(new double[] {2, 1, 1, 0}, 1e-2).numericalRank());
        assertEquals(4, m.nuclearNorm(), 1e-15);
    }

    @Test
    void identityHasFullRankByEveryMeasure() {
        SpectralMetrics m = SpectralMetrics.of(org.ejml.dense.row.CommonOps_DDRM.identity(7), 1e-2);
        assertEquals(7, m.stableRank(), 1e-12);
        assertEquals(7, m.effectiveRank(), 1e-12);
        assertEquals(7, m.numericalRank());
    }

    @Test
    void zeroMatrixHasRankZeroByEveryMeasure() {
        SpectralMetrics m = SpectralMetrics.of(new DMatrixRMaj(6, 4), SpectralMetrics.DEFAULT_REL_TOL);
        assertArrayEquals(new double[4], m.singularValues());
        assertEquals(0, m.stableRank());
        assertEquals(0, m.effectiveRank());
        assertEquals(0, m.numericalRank());
        assertEquals(0, m.rankAboveEps());
        assertEquals(0, m.nuclearNorm());
        assertEquals(0, m.frobeniusNorm());
        assertEquals(0, m.spectralNorm());
        assertEquals(0, SpectralMetrics.of(new double[0], 1e-2).stableRank());
    }

    @Test
    void rejectsSpectraThatAreNotSingularValues() {
        assertThrows(IllegalArgumentException.class, () -> SpectralMetrics.of(new double[] {1, 2}, 1e-2));
        assertThrows(IllegalArgumentException.class, () -> SpectralMetrics.of(new double[] {1, -1}, 1e-2));
        assertThrows(IllegalArgumentException.class, () -> SpectralMetrics.of(new double[] {Double.NaN}, 1e-2));
        assertThrows(IllegalArgumentException.class, () -> SpectralMetrics.of(new double[] {1}, 1.5));
    }

    @Test
    void singularValuesAreCopiedNotShared() {
        double[] s = {3, 1};
        SpectralMetrics m = SpectralMetrics.of(s, 1e-2);
        s[0] = 100;
        m.singularValues()[0] = 100;
        assertEquals(3, m.spectralNorm());
    }
}
