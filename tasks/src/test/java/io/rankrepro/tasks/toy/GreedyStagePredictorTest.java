package io.rankrepro.tasks.toy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GreedyStagePredictorTest {

    /** ℓ(w) = ½ Σ (w_i − c_i)². */
    private record SeparableQuadratic(double[] c) implements SmoothLoss {
        @Override
        public int dimension() {
            return c.length;
        }

        @Override
        public double valueAndGradient(double[] w, double[] g) {
            double v = 0;
            for (int i = 0; i < c.length; i++) {
                g[i] = w[i] - c[i];
                v += 0.5 * g[i] * g[i];
            }
            return v;
        }
    }

    /**
     * By hand: at w = 0, g_i = −c_i, so coordinate i alone would switch on after Δ_i = 1/|c_i|. The
     * largest |c| goes first at τ_1 = 1/|c_1| and jumps to c_1 (g_1 = 0 there); the others' gradients do
     * not change, so their budgets are b_i = τ_1·c_i and the next waits are (1 − τ_1|c_i|)/|c_i|, i.e.
     * coordinate i switches on at τ = 1/|c_i| exactly, with sign(c_i), and the plateau after it is
     * ½ Σ c_j² over the coordinates not yet on.
     */
    @Test
    void separableQuadraticSwitchesEachCoordinateOnAtOneOverItsTarget() {
        double[] c = {0.5, -2.0, 0.0, 1.0, -0.25};
        List<GreedyStage> stages = new GreedyStagePredictor(new SeparableQuadratic(c),
                GreedyStagePredictor.Config.defaults(10)).predict();
        int[] order = {1, 3, 0, 4};
        assertEquals(order.length + 1, stages.size(), "c = 0 never switches on: " + stages);
        assertEquals(0.5 * (0.25 + 4 + 1 + 0.0625), stages.get(0).loss(), 1e-15);
        double remaining = stages.get(0).loss();
        double[] w = new double[c.length];
        for (int k = 0; k < order.length; k++) {
            GreedyStage s = stages.get(k + 1);
            int i = order[k];
            assertEquals(i, s.coordinate());
            assertEquals((int) Math.signum(c[i]), s.sign());
            assertEquals(1 / Math.abs(c[i]), s.tau(), 1e-12, "stage " + (k + 1));
            remaining -= 0.5 * c[i] * c[i];
            assertEquals(remaining, s.loss(), 1e-12);
            w[i] = c[i];
            assertArrayEquals(w, s.w(), 1e-7);
        }
    }

    @Test
    void horizonCutsThePrediction() {
        List<GreedyStage> stages = new GreedyStagePredictor(new SeparableQuadratic(new double[] {2, 1, 0.5}),
                GreedyStagePredictor.Config.defaults(1.5)).predict();
        assertEquals(3, stages.size()); // 0, then τ = 0.5 and τ = 1; τ = 2 is past the horizon
        assertEquals(1.0, stages.get(2).tau(), 1e-12);
    }

    /** The toy head's greedy run on the cpu teacher: four stages, alternating products, exact final fit. */
    @Test
    void toyHeadLearnsTheTeacherOneEntryAtATime() {
        ToyDataset data = ToyFixtures.data(64);
        List<GreedyStage> stages = new GreedyStagePredictor(new DiagonalHeadObjective(data),
                GreedyStagePredictor.Config.defaults(5)).predict();
        List<String> order = stages.subList(1, stages.size()).stream()
                .map(s -> ProductCoordinate.of(s.coordinate(), data.dim()).label()).toList();
        assertEquals(List.of("vo[0]", "kq[0]", "vo[2]", "kq[3]"), order);
        for (int k = 1; k < stages.size(); k++) {
            assertEquals(true, stages.get(k).tau() > stages.get(k - 1).tau() + 0.3, "stages are distinct: " + stages);
            assertEquals(true, stages.get(k).loss() < 0.9 * stages.get(k - 1).loss(), "each stage lowers the loss");
        }
        double[] teacher = new DiagonalHeadWeights(ToyFixtures.TEACHER.kq(), new double[] {1, 1, 1, 1, 1},
                ToyFixtures.TEACHER.vo(), new double[] {1, 1, 1, 1, 1}).products();
        assertArrayEquals(teacher, stages.get(stages.size() - 1).w(), 1e-6);
    }
}
