package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.task.ClaimCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two A-figA1 claims on constructed end points: where they hold and where they do not. */
class Kobayashi2024FigA1ChecksTest {

    /** One λ's four runs, each a two-point curve ending at the given (w1, w2). */
    static Map<String, double[][]> runs(double[] facL2, double[] dirL2, double[] facW, double[] dirW) {
        return Map.of("factorized,adam-l2", new double[][] {{0.25, 1}, facL2}, "direct,adam-l2", new double[][] {{0.25, 1}, dirL2},
                "factorized,adamw", new double[][] {{0.25, 1}, facW}, "direct,adamw", new double[][] {{0.25, 1}, dirW});
    }

    @Test
    void theL1ClaimNeedsTheFactorizedRunOnAnAxisAtEveryLambdaInTheRegime() {
        TreeMap<Double, Map<String, double[][]>> byLambda = new TreeMap<>();
        // λ = 0.1 is below min|w*| = 0.3: never read
        byLambda.put(0.1, runs(new double[] {0.9, 0.2}, new double[] {0.9, 0.27}, new double[] {0.9, 0.2}, new double[] {0.9, 0.2}));
        byLambda.put(0.5, runs(new double[] {0.5, 1e-5}, new double[] {0.67, 0.2}, new double[] {0.6, 0.05}, new double[] {0.7, 0.1}));
        ClaimCheck l1 = Kobayashi2024FigA1Task.separation(byLambda, 0.3, "adam-l2", "id", "claim", Math.log(100));
        assertEquals(Math.log(0.2 / 1e-5), l1.effect().estimate(), 1e-12);
        assertTrue(l1.passed());
        ClaimCheck w = Kobayashi2024FigA1Task.separation(byLambda, 0.3, "adamw", "id", "claim", 0);
        assertEquals(Math.log(2), w.effect().estimate(), 1e-12);
        assertTrue(w.passed());

        byLambda.put(0.8, runs(new double[] {0.3, 0.01}, new double[] {0.55, 0.17}, new double[] {0.6, 0.2}, new double[] {0.7, 0.1}));
        ClaimCheck l1Fails = Kobayashi2024FigA1Task.separation(byLambda, 0.3, "adam-l2", "id", "claim", Math.log(100));
        assertEquals(Math.log(17), l1Fails.effect().estimate(), 1e-12, "the worst λ is the statistic");
        assertFalse(l1Fails.passed(), "17 times closer is not 100");
        assertFalse(Kobayashi2024FigA1Task.separation(byLambda, 0.3, "adamw", "id", "claim", 0).passed(),
                "the factorized AdamW run ends farther from an axis at λ = 0.8");
    }

    @Test
    void noLambdaInTheRegimeNeverReproduces() {
        TreeMap<Double, Map<String, double[][]>> byLambda = new TreeMap<>();
        byLambda.put(0.1, runs(new double[] {0.9, 1e-9}, new double[] {0.9, 0.27}, new double[] {0.9, 1e-9}, new double[] {0.9, 0.2}));
        assertFalse(Kobayashi2024FigA1Task.separation(byLambda, 0.3, "adam-l2", "id", "claim", Math.log(100)).passed());
    }
}
