package io.rankrepro.tasks.toy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DJL gradient descent on the toy head against the greedy algorithm, in rescaled time. */
class GreedyVersusGradientDescentTest {
    private static final double LR = 0.02;
    private static final double TAU_MAX = 3.0;
    private static ToyDataset data;
    private static List<GreedyStage> greedy;
    private static LossCurve smallAlpha;

    @BeforeAll
    static void predictAndTrain() throws IOException {
        data = ToyFixtures.data(64);
        greedy = new GreedyStagePredictor(new DiagonalHeadObjective(data), GreedyStagePredictor.Config.defaults(TAU_MAX))
                .predict();
        smallAlpha = train(1e-8);
    }

    /** Loss curve of DJL gradient descent from init scale α, every 2nd step. */
    private static LossCurve train(double alpha) throws IOException {
        RescaledTime time = new RescaledTime(alpha, LR);
        long steps = time.steps(TAU_MAX);
        List<double[]> points = new ArrayList<>();
        DiagonalHeadTrainer.train(data, DiagonalHeadWeights.smallInit(data.dim(), alpha),
                new DiagonalHeadTrainer.Config(LR, steps, 2, new long[0]), new TrainingObserver() {
                    @Override
                    public void onLoss(long step, double loss) {
                        points.add(new double[] {time.tau(step), loss});
                    }

                    @Override
                    public void onCheckpoint(long step, DiagonalHeadWeights weights) { }
                });
        return new LossCurve(points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray());
    }

    @Test
    void greedyStageTimesMatchGradientDescentAtSmallAlpha() throws IOException {
        List<StageComparison.StageTime> times = StageComparison.stageTimes(greedy, data.dim(), smallAlpha, 0);
        assertEquals(4, times.size(), "four stages before τ = 3: " + times);
        for (StageComparison.StageTime t : times) {
            assertFalse(Double.isNaN(t.gdTau()), "GD reached " + t);
            assertTrue(Math.abs(t.error()) < 0.1, "stage " + t + " off by " + t.error());
        }
    }

    /** The loss at mid-plateau approaches the greedy plateau as α falls. */
    @Test
    void plateausSharpenAsAlphaFalls() throws IOException {
        double coarse = StageComparison.plateauDeviation(greedy, train(1e-2));
        double fine = StageComparison.plateauDeviation(greedy, smallAlpha);
        assertEquals(4, StageComparison.plateausCompared(greedy, smallAlpha));
        assertTrue(fine < 0.5 * coarse, "deviation at α=1e-8 " + fine + " vs α=1e-2 " + coarse);
        assertTrue(fine < 0.05, "deviation at α=1e-8 " + fine);
    }
}
