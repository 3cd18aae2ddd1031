package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScheduleAndClippingTest {

    @Test
    void warmupThenCosineHitsItsValuesAtChosenSteps() {
        // A-tab2: 1e-6 → 1e-3 over 8000 steps, cosine to 10% (total 100000 chosen here)
        LrSchedule s = LrSchedule.warmupCosine(1e-6, 1e-3, 8000, 100_000, 0.1);
        assertEquals(1e-6, s.at(0), 1e-18);
        assertEquals(1e-6 + (1e-3 - 1e-6) / 2, s.at(4000), 1e-18);
        assertEquals(1e-3, s.at(8000), 1e-18);
        assertEquals(1e-4 + 9e-4 * 0.5, s.at(54_000), 1e-15);          // half-way through the cosine
        assertEquals(1e-4 + 9e-4 * 0.5 * (1 + Math.cos(Math.PI / 4)), s.at(8000 + 23_000), 1e-15);
        assertEquals(1e-4, s.at(100_000), 1e-18);
        assertEquals(1e-4, s.at(250_000), 1e-18);
        assertEquals(0.3, LrSchedule.constant(0.3).at(12345));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(0, 1e-3, 10, 5, 0.1));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(0));
    }

    @Test
    void clippingScalesToTheMaximumNormExactlyAndLeavesSmallGradientsAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new double[] {3, 4});
            NDArray b = m.create(new double[] {12});
            double norm = GradientClipping.clipGlobalNorm(List.of(a, b), 1.0);
            assertEquals(13.0, norm, 0.0);
            assertArrayEquals(new double[] {3 / 13.0, 4 / 13.0}, a.toDoubleArray(), 1e-16);
            assertArrayEquals(new double[] {12 / 13.0}, b.toDoubleArray(), 1e-16);
            assertEquals(1.0, GradientClipping.clipGlobalNorm(List.of(a, b), 5.0), 1e-15);
            assertArrayEquals(new double[] {12 / 13.0}, b.toDoubleArray(), 0.0);

            NDArray f = m.create(new float[] {30f, 40f});
            assertEquals(50.0, GradientClipping.clipGlobalNorm(List.of(f), 1.0), 1e-4);
            assertEquals(1.0, Math.hypot(f.getFloat(0), f.getFloat(1)), 1e-6);
        }
    }

    @Test
    void theClippingFactorIsMaxNormOverTheGlobalNormWhenItExceedsIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            // mixed types: float64 [3, 4] and float32 [12] → √(9 + 16 + 144) = 13
            List<NDArray> grads = List.of(m.create(new double[] {3, 4}), m.create(new float[] {12f}));
            assertEquals(13.0, GradientClipping.globalNorm(grads), 1e-6);
            assertEquals(1.0 / 13.0, GradientClipping.factor(13.0, 1.0), 1e-16);
            assertEquals(1.0, GradientClipping.factor(13.0, 13.0), 0.0);
            assertEquals(1.0, GradientClipping.factor(2.0, 5.0), 0.0);
            assertThrows(IllegalArgumentException.class, () -> GradientClipping.factor(2.0, 0.0));
            // a large float32 array: the norm agrees with one added in double
            float[] big = new float[100_000];
            double sum = 0;
            for (int i = 0; i < big.length; i++) {
                big[i] = (float) Math.sin(i);
                sum += (double) big[i] * big[i];
            }
            assertEquals(Math.sqrt(sum), GradientClipping.globalNorm(List.of(m.create(big))), 1e-5 * Math.sqrt(sum));
        }
    }
}
