package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.task.ClaimCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "At most one new entry per stage" on hand-made entry paths, with plateaus between greedy stage times 0, 1, 2, 3. */
class EntrySwitchOnsTest {
    private static final List<GreedyStage> GREEDY = List.of(stage(0, 0), stage(1, 1), stage(2, 2), stage(3, 3));

    private static GreedyStage stage(int k, double tau) {
        return new GreedyStage(k, tau, 1.0 / (k + 1), k, 1, new double[2], new int[0]);
    }

    /** Entries kq[0], vo[0], vo[1] switching on (value 1, else 1e-12) at the given τ. */
    private static Table entries(double kq0, double vo0, double vo1) {
        Table.Builder b = Table.builder("step", "tau", "product", "index", "value");
        for (int i = 0; i <= 40; i++) {
            double tau = i * 0.1;
            b.row(i, tau, "kq", 0, tau >= kq0 ? 1.0 : 1e-12);
            b.row(i, tau, "vo", 0, tau >= vo0 ? -0.8 : 1e-12);
            b.row(i, tau, "vo", 1, tau >= vo1 ? 0.6 : 1e-12);
        }
        return b.build();
    }

    @Test
    void oneEntryPerStageHolds() {
        EntrySwitchOns s = EntrySwitchOns.of(GREEDY, 4.0, entries(1.05, 2.05, 3.05), 0.05);
        assertEquals(List.of(0.5, 1.5, 2.5, 3.5), s.midpoints());
        assertEquals(3, s.stages());
        assertEquals(Set.of("kq[0]"), s.newAt(0));
        assertEquals(Set.of("vo[0]"), s.newAt(1)); // a negative entry is on by its size
        assertEquals(1, s.maxNew());
        ClaimCheck c = Boix2023Fig1Task.oneEntryPerStageCheck(s, 1e-8, 0.05);
        assertEquals(-1.0, c.effect().estimate());
        assertTrue(c.passed(), c.measured());
    }

    @Test
    void twoEntriesInOneStageFail() {
        EntrySwitchOns s = EntrySwitchOns.of(GREEDY, 4.0, entries(1.05, 1.2, 3.05), 0.05);
        assertEquals(Set.of("kq[0]", "vo[0]"), s.newAt(0));
        assertEquals(2, s.maxNew());
        assertFalse(Boix2023Fig1Task.oneEntryPerStageCheck(s, 1e-8, 0.05).passed());
    }

    @Test
    void fewerThanTwoStagesObservedCannotReproduce() {
        EntrySwitchOns s = EntrySwitchOns.of(GREEDY, 2.5, entries(1.05, 2.05, 3.05), 0.05);
        assertEquals(1, s.stages());
        ClaimCheck c = Boix2023Fig1Task.oneEntryPerStageCheck(s, 1e-8, 0.05);
        assertTrue(Double.isNaN(c.effect().estimate()));
        assertFalse(c.passed());
    }
}
