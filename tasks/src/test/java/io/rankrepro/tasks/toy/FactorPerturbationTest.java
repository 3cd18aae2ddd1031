package io.rankrepro.tasks.toy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FactorPerturbationTest {

    @Test
    void onlyChosenCoordinatesMoveTheirSignsStayAndTheSeedFixesTheNoise() {
        DiagonalHeadWeights w = ToyFixtures.genericWeights(3, 7);
        boolean[] chosen = {true, false, false, false, true, false}; // kq[0] and vo[1]
        DiagonalHeadWeights a = new FactorPerturbation(0.3, 11).apply(w, chosen);
        assertEquals(a, new FactorPerturbation(0.3, 11).apply(w, chosen));
        assertNotEquals(a, new FactorPerturbation(0.3, 12).apply(w, chosen));
        double[] before = w.products();
        double[] after = a.products();
        for (int i = 0; i < before.length; i++) {
            if (chosen[i]) {
                assertNotEquals(before[i], after[i], "coordinate " + i);
                assertTrue(before[i] * after[i] > 0, "sign kept at " + i);
                // both log-factors are N(0, 0.3²): far beyond 6σ would mean the scale is not applied as documented
                assertTrue(Math.abs(Math.log(after[i] / before[i])) < 6 * 0.3 * Math.sqrt(2), "coordinate " + i);
            } else {
                assertEquals(before[i], after[i], "coordinate " + i + " is not chosen");
            }
        }
        assertArrayEquals(w.wK(), new FactorPerturbation(0.3, 11).apply(w, new boolean[6]).wK());
    }

    @Test
    void theNoiseOfACoordinateDoesNotDependOnWhichOthersAreChosen() {
        DiagonalHeadWeights w = ToyFixtures.genericWeights(3, 7);
        boolean[] one = {false, true, false, false, false, false};
        boolean[] all = {true, true, true, true, true, true};
        FactorPerturbation p = new FactorPerturbation(0.5, 3);
        assertEquals(p.apply(w, one).kq()[1], p.apply(w, all).kq()[1], 0.0);
    }
}
