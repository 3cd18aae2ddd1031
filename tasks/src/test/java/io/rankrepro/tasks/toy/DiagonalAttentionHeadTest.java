package io.rankrepro.tasks.toy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiagonalAttentionHeadTest {
    private static final ToyDataset DATA = ToyFixtures.data(8);
    private static final DiagonalHeadWeights W = ToyFixtures.genericWeights(DATA.dim(), 3);

    /** DJL's loss and its autograd gradient of w_K, w_Q, w_V, w_O, flat in that order. */
    private static double[] djlLossAndGradient(DiagonalHeadWeights w, double[] gradient) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Shape s = new Shape(DATA.samples(), DATA.tokens(), DATA.dim());
            DiagonalAttentionHead head = new DiagonalAttentionHead(m, w);
            NDArray loss;
            try (GradientCollector c = Engine.getEngine("PyTorch").newGradientCollector()) {
                loss = head.loss(m.create(DATA.x(), s), m.create(DATA.y(), s));
                c.backward(loss);
            }
            assertEquals(DataType.FLOAT64, loss.getDataType());
            int d = DATA.dim();
            for (int k = 0; k < 4; k++) {
                System.arraycopy(head.parameters().get(k).getGradient().toDoubleArray(), 0, gradient, k * d, d);
            }
            return new double[] {loss.getDouble()};
        }
    }

    private static DiagonalHeadWeights perturbed(DiagonalHeadWeights w, int flat, double h) {
        int d = w.dim();
        double[][] v = {w.wK(), w.wQ(), w.wV(), w.wO()};
        v[flat / d][flat % d] += h;
        return new DiagonalHeadWeights(v[0], v[1], v[2], v[3]);
    }

    @Test
    void autogradMatchesCentralFiniteDifferences() {
        int d = DATA.dim();
        double[] grad = new double[4 * d];
        djlLossAndGradient(W, grad);
        double h = 1e-5;
        double maxRel = 0;
        for (int i = 0; i < 4 * d; i++) {
            double up = djlLossAndGradient(perturbed(W, i, h), new double[4 * d])[0];
            double down = djlLossAndGradient(perturbed(W, i, -h), new double[4 * d])[0];
            double fd = (up - down) / (2 * h);
            maxRel = Math.max(maxRel, Math.abs(fd - grad[i]) / Math.max(1e-3, Math.abs(grad[i])));
        }
        assertTrue(maxRel < 1e-6, "max relative error " + maxRel);
    }

    @Test
    void lossAndGradientEqualThePlainDoubleObjective() {
        int d = DATA.dim();
        double[] djlGrad = new double[4 * d];
        double djlLoss = djlLossAndGradient(W, djlGrad)[0];
        double[] g = new double[2 * d];
        double plainLoss = new DiagonalHeadObjective(DATA).valueAndGradient(W.products(), g);
        assertEquals(plainLoss, djlLoss, 1e-12 * plainLoss);
        // chain rule: ∂ℓ/∂w_K = w_Q⊙∂ℓ/∂kq, ∂ℓ/∂w_Q = w_K⊙∂ℓ/∂kq, and likewise for V, O with vo
        double[] wk = W.wK(), wq = W.wQ(), wv = W.wV(), wo = W.wO();
        for (int i = 0; i < d; i++) {
            assertEquals(wq[i] * g[i], djlGrad[i], 1e-11);
            assertEquals(wk[i] * g[i], djlGrad[d + i], 1e-11);
            assertEquals(wo[i] * g[d + i], djlGrad[2 * d + i], 1e-11);
            assertEquals(wv[i] * g[d + i], djlGrad[3 * d + i], 1e-11);
        }
    }

    @Test
    void teacherWeightsHaveZeroLoss() {
        double[] kq = ToyFixtures.TEACHER.kq();
        double[] vo = ToyFixtures.TEACHER.vo();
        double[] one = {1, 1, 1, 1, 1};
        double loss = djlLossAndGradient(new DiagonalHeadWeights(kq, one, vo, one), new double[20])[0];
        assertEquals(0.0, loss, 1e-28);
    }
}
