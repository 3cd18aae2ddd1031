package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;

import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Central finite differences of a float64 loss against the gradient autograd left on a weight. */
final class FiniteDifferences {
    private static final double H = 1e-6;

    private FiniteDifferences() { }

    /** Checks entries {@code indices} (taken modulo the size) of {@code w}'s gradient; restores {@code w}. */
    static void assertGradient(String name, NDArray w, DoubleSupplier loss, int... indices) {
        double[] grad = w.getGradient().toDoubleArray();
        for (int raw : indices) {
            double[] v = w.toDoubleArray();
            int idx = raw % v.length;
            double orig = v[idx];
            v[idx] = orig + H;
            w.set(v);
            double up = loss.getAsDouble();
            v[idx] = orig - H;
            w.set(v);
            double down = loss.getAsDouble();
            v[idx] = orig;
            w.set(v);
            double fd = (up - down) / (2 * H);
            assertEquals(fd, grad[idx], 1e-7 + 1e-5 * Math.abs(fd), name + "[" + idx + "]");
        }
    }
}
