package io.rankrepro.tasks.gradual;

import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankTrendTest {

    private static TreeMap<Long, double[]> curve(double... values) {
        TreeMap<Long, double[]> s = new TreeMap<>();
        s.put(0L, new double[] {0, 0});
        long step = 2;
        for (double v : values) {
            s.put(step, new double[] {v, 0.1});
            step *= 3;
        }
        return s;
    }

    @Test
    void rhoIsSpearmansOverTheCheckpointsFromFromStep() {
        // steps 2, 6, 18, 54, 162: from 5 on the values 1.0, 1.2, 1.1, 1.5 have ranks 1, 3, 2, 4: ρ = 1 − 6·2/(4·15) = 0.8
        RankTrend t = RankTrend.of(curve(3.0, 1.0, 1.2, 1.1, 1.5), 5);
        assertEquals(0.8, t.rho(), 1e-12);
        assertEquals(4, t.points());
        assertEquals(6, t.firstStep());
        assertEquals(162, t.lastStep());
        assertEquals("ρ = 0.80 over 4 checkpoints, 1.00 at step 6 → 1.50 at step 162", t.describe());
        // from the first nonzero checkpoint the high Adam-like start counts: 3.0 is the largest of five
        assertTrue(RankTrend.of(curve(3.0, 1.0, 1.2, 1.1, 1.5), 0).rho() < 0.8);
        assertEquals(-1.0, RankTrend.of(curve(4, 3, 2, 1), 0).rho(), 1e-12);
    }

    @Test
    void fewerThanThreeCheckpointsIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> RankTrend.of(curve(1, 2, 3), 7));
        assertTrue(e.getMessage().contains("at least 3 checkpoints"), e.getMessage());
    }
}
