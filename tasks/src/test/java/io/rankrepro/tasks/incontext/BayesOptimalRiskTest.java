package io.rankrepro.tasks.incontext;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BayesOptimalRiskTest {

    @Test
    void noiselessRiskCountsTheUnseenDirections() {
        assertEquals(0.0, BayesOptimalRisk.monteCarlo(5, 24, 0, 10, 1));
        assertEquals(2.0, BayesOptimalRisk.monteCarlo(5, 3, 0, 10, 1));
    }

    @Test
    void oneDimensionalRiskMatchesTheChiSquareIntegral() {
        // d_x = 1: risk = σ² + E[σ² / (σ² + S)], S = Σ x_i² ~ χ²_N; the expectation by quadrature
        int n = 3;
        double s2 = 0.5;
        double expected = 0;
        double h = 1e-4;
        for (double x = h / 2; x < 80; x += h) {
            double density = Math.sqrt(x) * Math.exp(-x / 2) / (Math.pow(2, 1.5) * 0.5 * Math.sqrt(Math.PI)); // χ²_3: Γ(3/2) = √π/2
            expected += s2 / (s2 + x) * density * h;
        }
        double mc = BayesOptimalRisk.monteCarlo(1, n, Math.sqrt(s2), 400_000, 3);
        assertEquals(s2 + expected, mc, 2e-3);
    }

    @Test
    void withoutContextTheRiskIsThePriorVariance() {
        // huge noise: the context says nothing, the posterior mean is 0
        assertEquals(BayesOptimalRisk.zeroPredictor(4, 1e3), BayesOptimalRisk.monteCarlo(4, 8, 1e3, 100, 2), 1e-3);
    }
}
