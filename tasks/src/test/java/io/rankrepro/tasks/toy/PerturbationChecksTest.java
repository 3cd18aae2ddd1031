package io.rankrepro.tasks.toy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The B-fig2 measurements on paths whose answers are known in closed form. */
class PerturbationChecksTest {

    /** w(τ) = (tanh(10(τ − at)) + 1)/2 · (1, −0.5): one coordinate pair switching on at τ = at. */
    private static ProductPath sigmoid(double from, double to, double at) {
        int n = 2001;
        double[] tau = new double[n];
        double[][] w = new double[n][];
        for (int i = 0; i < n; i++) {
            tau[i] = from + (to - from) * i / (n - 1);
            double s = (Math.tanh(10 * (tau[i] - at)) + 1) / 2;
            w[i] = new double[] {s, -0.5 * s};
        }
        return new ProductPath(tau, w);
    }

    @Test
    void aShiftedCopyAlignsExactlyAndTheShiftIsMeasured() {
        ProductPath base = sigmoid(0, 2, 1.0);
        ProductPath late = sigmoid(0.5, 2, 1.07);
        PerturbationChecks.Alignment a = PerturbationChecks.alignSwitchOn(base, late, 0, 0.5, 0.3);
        assertEquals(1.0, a.unperturbedSwitch(), 1e-6);
        assertEquals(1.07, a.perturbedSwitch(), 1e-6);
        assertEquals(0.07, a.shift(), 1e-6);
        assertTrue(a.aligned() < 1e-4, "linear interpolation error only: " + a.aligned());
        // without the shift the two differ by about the slope times the shift: 10/2 · 0.07 ≈ 0.35
        assertEquals(0.35, a.unaligned(), 0.02);
        assertTrue(a.points() > 500);
    }

    @Test
    void aDifferentEvolutionIsNotExplainedByAShift() {
        ProductPath base = sigmoid(0, 2, 1.0);
        double[] tau = new double[2001];
        double[][] w = new double[tau.length][];
        for (int i = 0; i < tau.length; i++) {
            tau[i] = 0.5 + 1.5 * i / (tau.length - 1);
            double s = (Math.tanh(4 * (tau[i] - 1.0)) + 1) / 2; // a slower jump through the same midpoint
            w[i] = new double[] {s, -0.5 * s};
        }
        PerturbationChecks.Alignment a = PerturbationChecks.alignSwitchOn(base, new ProductPath(tau, w), 0, 0.5, 0.3);
        assertEquals(0, a.shift(), 1e-6);
        double expected = 0;
        for (double t = 0.7; t <= 1.3; t += 1e-4) {
            expected = Math.max(expected, Math.abs((Math.tanh(10 * (t - 1)) - Math.tanh(4 * (t - 1))) / 2));
        }
        assertEquals(expected, a.aligned(), 1e-3);
    }

    @Test
    void returnDistanceIsTheEuclideanGapAtBothEndsOfTheWindow() {
        double[] tau = {1.0, 1.1, 1.2, 1.3};
        ProductPath base = new ProductPath(tau, new double[][] {{1, 2}, {1, 2}, {1, 2}, {1, 2}});
        ProductPath kicked = new ProductPath(tau, new double[][] {{1.3, 2.4}, {1.1, 2.1}, {1.03, 2.04}, {1, 2}});
        PerturbationChecks.Return r = PerturbationChecks.returnToPlateau(base, kicked, 0.2);
        assertEquals(0.5, r.initial(), 1e-12);
        assertEquals(0.05, r.relaxed(), 1e-12);
        assertEquals(1.0, r.tau());
    }

    @Test
    void switchOnIsInterpolatedBetweenPoints() {
        ProductPath p = new ProductPath(new double[] {0, 1, 2}, new double[][] {{0}, {-0.2}, {-1.0}});
        assertEquals(1.375, p.firstReach(0, 0.5, 0), 1e-12);
        assertTrue(Double.isNaN(p.firstReach(0, 2, 0)));
        assertEquals(2, p.firstReach(0, 0.5, 1.5), 1e-12, "from a later start the first point at or after it counts");
    }
}
