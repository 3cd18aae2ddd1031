package io.rankrepro.tasks.deeplinear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.rankrepro.tasks.linalg.SingularValues;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.Optimizer;
import io.rankrepro.tasks.optim.ParameterGroup;
import io.rankrepro.tasks.optim.Sgd;
import io.rankrepro.tasks.train.AutogradStep;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeepLinearProductRankTest {

    /** Depth 2, d = 4, rank-1 teacher, noisy online SGD: decay removes the directions gradient noise leaves in the product. */
    @Test
    void decayLeavesTheTeacherRankWhereNoiseLeavesMore() {
        SpectralMetrics withDecay = train(0.2, 0.3, 0.1, 16, 1500);
        SpectralMetrics without = train(0, 0.3, 0.1, 16, 1500);
        assertEquals(1, withDecay.numericalRank(), withDecay.toString());
        assertTrue(without.numericalRank() > 1, "without decay gradient noise should leave extra directions: " + without);
    }

    /**
     * The same with little gradient noise (no label noise, batch 256): the product's singular value is
     * the soft threshold 1 − λ. (With the noisy setting above, lr 0.1 and batch 16, it sits near 0.91:
     * SGD noise shifts the stationary point; the prediction is a gradient-flow statement.)
     */
    @Test
    void lowNoiseDecaySoftThresholdsTheSingularValue() {
        double lambda = 0.2;
        SpectralMetrics m = train(lambda, 0, 0.05, 256, 600);
        assertEquals(1, m.numericalRank(), m.toString());
        assertEquals(1 - lambda, m.spectralNorm(), 0.01, m.toString());
    }

    static SpectralMetrics train(double lambda, double noise, double lr, int batch, int steps) {
        LowRankTeacher teacher = LowRankTeacher.of(4, new double[] {1.0}, new Random(1));
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            DeepLinearNetwork net = new DeepLinearNetwork(manager, new int[] {4, 4, 4}, 2, 1.0);
            OnlineRegressionStream stream = new OnlineRegressionStream(teacher.matrix(), noise, 3);
            List<NDArray> w = List.copyOf(net.parameters().arrays().values());
            Optimizer sgd = new Sgd(List.of(ParameterGroup.of("w", w, lambda)), LrSchedule.constant(lr), 0);
            for (int step = 0; step < steps; step++) {
                AutogradStep.run(() -> {
                    NDList b = stream.batch(manager, batch);
                    return net.forward(b.get(0)).sub(b.get(1)).square().sum(new int[] {1}).mean().mul(0.5);
                }, sgd, w, 0);
            }
            return SpectralMetrics.of(SingularValues.of(net.product()), 1e-2);
        }
    }

    @Test
    void teacherHasExactlyTheGivenSpectrum() {
        LowRankTeacher t = LowRankTeacher.of(16, new double[] {1.0, 0.8, 0.6, 0.4}, new Random(0));
        double[] s = SingularValues.of(t.matrix());
        for (int i = 0; i < 4; i++) {
            assertEquals(t.singularValues()[i], s[i], 1e-12);
        }
        assertTrue(s[4] < 1e-12, "rank 4 exactly, σ5 = " + s[4]);
    }

    @Test
    void balancedPredictionIsTheSoftThresholdAtDepthTwoAndACriticalPointDeeper() {
        assertEquals(0.7, BalancedDeepLinear.productSingularValue(1.0, 0.3, 2), 1e-15);
        assertEquals(0.0, BalancedDeepLinear.productSingularValue(0.2, 0.3, 2), 0);
        for (int depth : new int[] {3, 4}) {
            double s = BalancedDeepLinear.productSingularValue(1.0, 0.1, depth);
            // stationarity of ½(s − s*)² + (λL/2) s^{2/L}: s − s* + λ s^{2/L − 1} = 0
            assertEquals(0, s - 1.0 + 0.1 * Math.pow(s, 2.0 / depth - 1), 1e-12, "depth " + depth);
            assertTrue(s > 0.8 && s < 1.0, "depth " + depth + ": " + s);
        }
        // depth 4 loses a weak direction that depth 2 keeps (its penalty s^{1/2} is steeper near 0)
        assertTrue(BalancedDeepLinear.productSingularValue(0.4, 0.1, 2) > 0.29);
        assertEquals(0.0, BalancedDeepLinear.productSingularValue(0.4, 0.1, 4), 0);
    }

    @Test
    void hiddenContrastCountsOnlyWhereDecayKeepsExactlyTheTeachersRank() {
        assertEquals(12, Kobayashi2024LinTask.hiddenContrast(16, 4, 4));
        assertEquals(0, Kobayashi2024LinTask.hiddenContrast(4, 4, 4), "no contrast at λ = 0: not above 0");
        assertEquals(-2, Kobayashi2024LinTask.hiddenContrast(16, 6, 4), "decay left two extra directions");
        assertEquals(-1, Kobayashi2024LinTask.hiddenContrast(16, 3, 4), "decay killed a teacher direction");
    }
}
