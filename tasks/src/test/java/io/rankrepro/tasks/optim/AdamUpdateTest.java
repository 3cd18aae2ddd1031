package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamUpdateTest {
    static final double LR = 0.01;
    static final double LAMBDA = 0.1;
    static final AdamSettings ADAM = new AdamSettings(0.9, 0.999, 1e-8);
    static final double[] W0 = {1.0, -2.0, 0.5};
    static final double[][] GRADS = {{0.1, -0.3, 2.0}, {0.2, 0.1, -1.0}};

    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Two steps with fixed gradients (they do not depend on w), returns w after each step. */
    double[][] run(Optimizer opt, NDArray w, DataType type) {
        double[][] after = new double[GRADS.length][];
        for (int s = 0; s < GRADS.length; s++) {
            NDArray g = manager.create(GRADS[s]).toType(type, false);
            opt.step(p -> g);
            after[s] = w.toType(DataType.FLOAT64, false).toDoubleArray();
        }
        return after;
    }

    /** The decoupled formula, written out per scalar: w ← w − η(m̂/(√v̂+ε) + λw). */
    static double[][] adamwByHand() {
        double[] w = W0.clone();
        double[] m = new double[3];
        double[] v = new double[3];
        double[][] after = new double[2][];
        for (int t = 1; t <= 2; t++) {
            for (int i = 0; i < 3; i++) {
                double g = GRADS[t - 1][i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double mHat = m[i] / (1 - Math.pow(0.9, t));
                double vHat = v[i] / (1 - Math.pow(0.999, t));
                w[i] = w[i] - LR * (mHat / (Math.sqrt(vHat) + 1e-8) + LAMBDA * w[i]);
            }
            after[t - 1] = w.clone();
        }
        return after;
    }

    @Test
    void adamwStepOneMatchesTheNumberWorkedByHand() {
        // step 1: m̂ = g, v̂ = g², so w1 = w0 − η(g/(|g|+ε) + λ w0); for w0 = 1, g = 0.1:
        // 1 − 0.01·(0.1/0.10000001 + 0.1) = 1 − 0.01·1.0999999000000100 = 0.989000001
        NDArray w = manager.create(W0.clone());
        double[][] after = run(new AdamW(List.of(ParameterGroup.of("w", List.of(w), LAMBDA)), LrSchedule.constant(LR), ADAM), w, DataType.FLOAT64);
        assertEquals(0.989000001, after[0][0], 1e-15);
    }

    @Test
    void adamwFollowsTheDecoupledFormulaWithBiasCorrectionInFloat64AndFloat32() {
        double[][] expected = adamwByHand();
        NDArray w64 = manager.create(W0.clone());
        double[][] got64 = run(new AdamW(List.of(ParameterGroup.of("w", List.of(w64), LAMBDA)), LrSchedule.constant(LR), ADAM), w64, DataType.FLOAT64);
        NDArray w32 = manager.create(W0.clone()).toType(DataType.FLOAT32, false);
        double[][] got32 = run(new AdamW(List.of(ParameterGroup.of("w", List.of(w32), LAMBDA)), LrSchedule.constant(LR), ADAM), w32, DataType.FLOAT32);
        for (int s = 0; s < 2; s++) {
            assertArrayEquals(expected[s], got64[s], 1e-14, "float64 step " + (s + 1));
            assertArrayEquals(expected[s], got32[s], 2e-6, "float32 step " + (s + 1));
        }
        assertEquals(DataType.FLOAT32, w32.getDataType());
    }

    @Test
    void adamL2DiffersFromAdamW() {
        NDArray wL2 = manager.create(W0.clone());
        double[][] l2 = run(new AdamL2(List.of(ParameterGroup.of("w", List.of(wL2), LAMBDA)), LrSchedule.constant(LR), ADAM), wL2, DataType.FLOAT64);
        double[][] decoupled = adamwByHand();
        // step 1, w0 = 1, g = 0.1: Adam+L2 sees g' = 0.2 and moves by η·0.2/(0.2+ε) ≈ 0.01, AdamW by ≈ 0.011
        assertEquals(0.9900000005, l2[0][0], 1e-15);
        assertTrue(Math.abs(l2[0][0] - decoupled[0][0]) > 9e-4);
    }

    @Test
    void adamL2IsAdamOnTheGradientPlusLambdaW() {
        NDArray wL2 = manager.create(W0.clone());
        NDArray wAdam = manager.create(W0.clone());
        Optimizer l2 = new AdamL2(List.of(ParameterGroup.of("w", List.of(wL2), LAMBDA)), LrSchedule.constant(LR), ADAM);
        Optimizer plain = new AdamW(List.of(ParameterGroup.of("w", List.of(wAdam), 0.0)), LrSchedule.constant(LR), ADAM);
        for (double[] grad : GRADS) {
            NDArray g = manager.create(grad);
            l2.step(p -> g);
            NDArray coupled = g.add(wAdam.mul(LAMBDA)); // g + λw at the plain run's current w
            plain.step(p -> coupled);
            assertArrayEquals(wAdam.toDoubleArray(), wL2.toDoubleArray(), 0.0);
        }
    }

    @Test
    void sgdWithDecayAndMomentumMatchesTheFormula() {
        double mu = 0.5;
        NDArray w = manager.create(W0.clone());
        double[][] got = run(new Sgd(List.of(ParameterGroup.of("w", List.of(w), LAMBDA)), LrSchedule.constant(LR), mu), w, DataType.FLOAT64);
        double[] expected = W0.clone();
        double[] buffer = new double[3];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < 3; i++) {
                buffer[i] = mu * buffer[i] + GRADS[s][i] + LAMBDA * expected[i];
                expected[i] -= LR * buffer[i];
            }
            assertArrayEquals(expected, got[s], 1e-15, "step " + (s + 1));
        }
        // by hand, step 1, w0 = 1, g = 0.1: 1 − 0.01·(0.1 + 0.1) = 0.998
        assertEquals(0.998, got[0][0], 1e-15);
    }

    @Test
    void autogradGradientsOfALeafAreUsedAndTheLeafIsUpdatedInPlace() {
        NDArray w = manager.create(new double[] {3.0, -1.0});
        w.setRequiresGradient(true);
        Optimizer sgd = new Sgd(List.of(ParameterGroup.of("w", List.of(w), 0.0)), LrSchedule.constant(0.1), 0.0);
        try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray loss = w.square().sum().mul(0.5); // ∇ = w
            collector.backward(loss);
        }
        sgd.step();
        assertArrayEquals(new double[] {2.7, -0.9}, w.toDoubleArray(), 1e-15);
    }

    @Test
    void stateIsSharedNeitherAcrossParametersNorAcrossSteps() {
        NDArray a = manager.create(new double[] {1.0});
        NDArray b = manager.create(new double[] {1.0});
        Optimizer adam = new AdamW(List.of(ParameterGroup.of("ab", List.of(a, b), 0.0)), LrSchedule.constant(LR), ADAM);
        Map<NDArray, NDArray> grads = new java.util.IdentityHashMap<>();
        grads.put(a, manager.create(new double[] {1.0}));
        grads.put(b, manager.create(new double[] {-4.0}));
        adam.step(grads::get);
        // step 1 moves each coordinate by ≈ η·sign(g), whatever |g| is
        assertEquals(1 - LR, a.getDouble(0), 1e-9);
        assertEquals(1 + LR, b.getDouble(0), 1e-9);
        assertEquals(1, adam.steps());
    }

    @Test
    void aGradientScaleActsAsScalingTheGradientAndLeavesTheGradientAlone() {
        // a clipping factor per step; not one constant, to which Adam's direction would be blind
        double[] scales = {0.37, 0.9};
        for (DataType type : List.of(DataType.FLOAT64, DataType.FLOAT32)) { // float32 Adam takes the fused kernel
            for (String kind : List.of("adamL2", "adamW", "sgd")) {
                NDArray wScaled = manager.create(W0.clone()).toType(type, false);
                NDArray wByHand = manager.create(W0.clone()).toType(type, false);
                Optimizer viaScale = optimizer(kind, wScaled);
                Optimizer viaProduct = optimizer(kind, wByHand);
                for (int s = 0; s < GRADS.length; s++) {
                    double[] grad = GRADS[s];
                    double scale = scales[s];
                    NDArray g = manager.create(grad).toType(type, false);
                    viaScale.step(p -> g, scale);
                    assertArrayEquals(grad, g.toType(DataType.FLOAT64, false).toDoubleArray(), type == DataType.FLOAT32 ? 1e-7 : 0.0,
                            kind + " " + type + ": the gradient was modified");
                    NDArray product = g.mul(scale);
                    viaProduct.step(p -> product);
                    assertArrayEquals(wByHand.toType(DataType.FLOAT64, false).toDoubleArray(),
                            wScaled.toType(DataType.FLOAT64, false).toDoubleArray(), type == DataType.FLOAT32 ? 1e-6 : 1e-15, kind + " " + type);
                }
                // and the scale mattered: a step with the unscaled gradient lands elsewhere
                NDArray wPlain = manager.create(W0.clone()).toType(type, false);
                Optimizer plain = optimizer(kind, wPlain);
                for (double[] grad : GRADS) {
                    NDArray g = manager.create(grad).toType(type, false);
                    plain.step(p -> g);
                }
                assertTrue(Math.abs(wPlain.toType(DataType.FLOAT64, false).getDouble(2) - wScaled.toType(DataType.FLOAT64, false).getDouble(2)) > 1e-5,
                        kind + " " + type);
            }
        }
        assertThrowsIllegal(() -> optimizer("sgd", manager.create(W0.clone())).step(p -> p, 0.0));
    }

    private Optimizer optimizer(String kind, NDArray w) {
        List<ParameterGroup> groups = List.of(ParameterGroup.of("w", List.of(w), LAMBDA));
        return switch (kind) {
            case "adamL2" -> new AdamL2(groups, LrSchedule.constant(LR), ADAM);
            case "adamW" -> new AdamW(groups, LrSchedule.constant(LR), ADAM);
            default -> new Sgd(groups, LrSchedule.constant(LR), 0.5);
        };
    }

    private static void assertThrowsIllegal(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    }
}
