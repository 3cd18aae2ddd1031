package io.rankrepro.tasks.linalg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HeadStatsTest {

    @Test
    void populationStdOverHeads() {
        HeadStats s = HeadStats.of(1, 2, 3, 4);
        assertEquals(2.5, s.mean(), 1e-15);
        assertEquals(Math.sqrt(1.25), s.std(), 1e-15); // divides by n = 4, not n − 1
        assertEquals(4, s.heads());
    }

    @Test
    void oneHeadHasZeroSpread() {
        assertEquals(new HeadStats(7, 0, 1), HeadStats.of(7));
    }

    @Test
    void rejectsEmptyAndNonFinite() {
        assertThrows(IllegalArgumentException.class, HeadStats::of);
        assertThrows(IllegalArgumentException.class, () -> HeadStats.of(1, Double.NaN));
    }
}
