package io.rankrepro.tasks.toy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiagonalHeadObjectiveTest {

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        ToyDataset data = ToyFixtures.data(8);
        DiagonalHeadObjective loss = new DiagonalHeadObjective(data);
        double[] w = ToyFixtures.genericWeights(data.dim(), 5).products();
        double[] g = new double[w.length];
        loss.valueAndGradient(w, g);
        double h = 1e-5;
        for (int i = 0; i < w.length; i++) {
            double[] up = w.clone();
            double[] down = w.clone();
            up[i] += h;
            down[i] -= h;
            double fd = (loss.value(up) - loss.value(down)) / (2 * h);
            assertEquals(fd, g[i], 1e-6 * Math.max(1e-3, Math.abs(g[i])), "coordinate " + i);
        }
    }

    /** At w = 0 only vo can move: f does not depend on kq while vo = 0. */
    @Test
    void atZeroOnlyTheValueOutputProductHasAGradient() {
        ToyDataset data = ToyFixtures.data(16);
        double[] g = new double[2 * data.dim()];
        double l0 = new DiagonalHeadObjective(data).valueAndGradient(new double[2 * data.dim()], g);
        double sumSquares = 0;
        for (double v : data.y()) {
            sumSquares += v * v;
        }
        assertEquals(sumSquares / (2 * data.samples()), l0, 1e-12);
        for (int i = 0; i < data.dim(); i++) {
            assertEquals(0.0, g[i]);
        }
        assertTrue(Math.abs(g[data.dim()]) > 0.1, "vo[0] carries the teacher's largest entry");
    }
}
