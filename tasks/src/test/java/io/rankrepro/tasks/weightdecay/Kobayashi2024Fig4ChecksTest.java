package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.task.ClaimCheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The A-fig4 claim on constructed median gaps: balance beyond both the initialization and λ = 0, per seed. */
class Kobayashi2024Fig4ChecksTest {
    static final Kobayashi2024Fig4Task.Config CONFIG = new Kobayashi2024Fig4Task.Config("weight_decay_attention", 4.0, 0.1, "seed_offset");

    /** Three seeds; init gap 0.065 (random tall factors), λ = 0 ends at {@code atZero}, λ = 4 at {@code atFour}. */
    static ClaimCheck check(double atZero, double[] atFour) {
        List<Kobayashi2024Fig4Task.Source> sources = new ArrayList<>();
        Map<String, double[]> medians = new HashMap<>();
        for (long seed = 0; seed < 3; seed++) {
            for (double lambda : new double[] {0, 4}) {
                sources.add(new Kobayashi2024Fig4Task.Source("λ_att = " + lambda + ", seed " + seed, lambda, seed, null, 0, 500));
                for (String product : List.of("KQ", "PV")) {
                    String key = Kobayashi2024Fig4Task.key(lambda, seed, product);
                    medians.put(key, new double[] {lambda == 0 ? atZero : atFour[(int) seed], 0.5});
                    medians.put(key + "|init", new double[] {0.065, 0.2});
                }
            }
        }
        return Kobayashi2024Fig4Task.check(sources, medians, CONFIG);
    }

    @Test
    void decayThatBalancesBeyondInitAndLambdaZeroReproduces() {
        ClaimCheck c = check(0.09, new double[] {0.01, 0.012, 0.008});
        assertEquals(Math.log(0.065 / 0.01), c.effect().perSeed().get(0), 1e-12);
        assertTrue(c.passed(), c.toString());
    }

    @Test
    void aGapBelowTheAbsoluteBoundButAboveTheInitializationDoesNot() {
        // 0.08 < 0.1 would have passed the old bound; it is less balanced than the random init (0.065)
        assertFalse(check(0.09, new double[] {0.08, 0.07, 0.09}).passed());
    }
}
