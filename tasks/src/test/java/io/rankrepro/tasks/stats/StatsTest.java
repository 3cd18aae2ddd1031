package io.rankrepro.tasks.stats;

import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.Effect;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {

    @Test
    void tIntervalMatchesTheTextbookNumbers() {
        // {1, 2, 3}: mean 2, s = 1, se = 1/√3, t(0.975, 2) = 4.302653 (tables)
        Interval ci = MeanInterval.of(new double[] {1, 2, 3}, 0.95);
        double half = 4.302652729911275 / Math.sqrt(3);
        assertEquals(2, ci.estimate(), 1e-12);
        assertEquals(2 - half, ci.low(), 1e-9);
        assertEquals(2 + half, ci.high(), 1e-9);
        // five values, t(0.975, 4) = 2.776445
        Interval five = MeanInterval.of(new double[] {0.5, 0.7, 0.9, 1.1, 1.3}, 0.95);
        double se = Math.sqrt(0.1 / 5); // sample variance of the five is 0.1
        assertEquals(0.9 - 2.7764451051977987 * se, five.low(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> MeanInterval.of(new double[] {1}, 0.95));
    }

    @Test
    void bootstrapIsSeededAndNarrowsAsTheSampleGrows() {
        double[] small = new double[12];
        double[] large = new double[480];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < large.length; i++) {
            large[i] = r.nextGaussian();
            if (i < small.length) {
                small[i] = large[i];
            }
        }
        Interval a = Bootstrap.meanInterval(small, 0.95, 1);
        assertEquals(a, Bootstrap.meanInterval(small, 0.95, 1));
        Interval b = Bootstrap.meanInterval(large, 0.95, 1);
        assertTrue(b.high() - b.low() < (a.high() - a.low()) / 3, a + " vs " + b);
        // the percentile interval of a mean of 480 N(0,1) draws is close to ±1.96/√480
        assertEquals(2 * 1.96 / Math.sqrt(480), b.high() - b.low(), 0.02);
    }

    @Test
    void spearmanUsesAverageRanksForTies() {
        assertEquals(1.0, RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {1, 4, 9, 16}), 1e-12);
        assertEquals(-1.0, RankCorrelation.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        // y ranks with a tie: (1, 2.5, 2.5, 4) against x ranks (1, 2, 3, 4): rho = Pearson of the ranks
        double rho = RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {1, 5, 5, 9});
        assertEquals(4.5 / Math.sqrt(5 * 4.5), rho, 1e-12);
    }

    @Test
    void aClaimReproducesOnlyWhenTheWholeIntervalClearsTheThreshold() throws Exception {
        Effect clear = Effect.overSeeds("drop", new double[] {1.0, 1.1, 0.9}, 0);
        assertTrue(clear.reproduces());
        assertEquals(3, clear.inDirection());
        Effect straddles = Effect.overSeeds("drop", new double[] {1.0, -0.2, 0.9}, 0);
        assertFalse(straddles.reproduces());
        assertEquals(2, straddles.inDirection());
        assertFalse(Effect.deterministic("gap", 0.05, 0.1).reproduces());
        assertFalse(Effect.overSeeds("nan", new double[] {1, Double.NaN, 1}, 0).reproduces());

        ClaimCheck c = ClaimCheck.claim("x", "words", "m", "c", clear);
        assertTrue(c.passed());
        ObjectMapper json = new ObjectMapper();
        assertEquals(c, json.readValue(json.writeValueAsString(c), ClaimCheck.class));
        ClaimCheck s = ClaimCheck.sanity("identity", "Δ ≥ 0", "min Δ = 0", "min Δ ≥ −1e-12", true);
        assertFalse(s.countsAsClaim());
        assertFalse(json.writeValueAsString(s).contains("effect"));
        assertEquals(s, json.readValue(json.writeValueAsString(s), ClaimCheck.class));
    }
}
