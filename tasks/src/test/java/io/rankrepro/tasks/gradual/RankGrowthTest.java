package io.rankrepro.tasks.gradual;

import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankGrowthTest {

    private static TreeMap<Long, double[]> curve() {
        TreeMap<Long, double[]> s = new TreeMap<>();
        s.put(0L, new double[] {0, 0});
        s.put(2L, new double[] {1.8, 0.1}); // Adam's first sign-like steps
        s.put(30L, new double[] {1.3, 0.1});
        s.put(600L, new double[] {1.6, 0.2});
        return s;
    }

    @Test
    void measuresFromTheFirstCheckpointAtOrAfterFromStepAndReportsTheEarliestToo() {
        RankGrowth g = RankGrowth.of(curve(), 25);
        assertEquals(30, g.firstStep());
        assertEquals(1.3, g.first());
        assertEquals(600, g.lastStep());
        assertTrue(g.grows());
        assertEquals("mean over heads: 1.300 at step 30, 1.600 at step 600 (first nonzero checkpoint: 1.800 at step 2)", g.describe());
    }

    @Test
    void fromStepZeroSkipsOnlyTheZeroPerturbation() {
        RankGrowth g = RankGrowth.of(curve(), 0);
        assertEquals(2, g.firstStep());
        assertFalse(g.grows(), "1.8 → 1.6 does not grow");
        assertEquals("mean over heads: 1.800 at step 2, 1.600 at step 600", g.describe());
    }

    @Test
    void aFromStepPastEveryCheckpointIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> RankGrowth.of(curve(), 601));
    }
}
