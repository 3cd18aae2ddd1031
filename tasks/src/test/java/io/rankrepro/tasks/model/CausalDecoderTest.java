package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CausalDecoderTest {

    /** Vocabulary 11, context 8, width 16, 4 heads, 2 layers, tied output, float64, seeded. */
    private static CausalDecoder smallFloat64(NDManager m, long seed) {
        GptConfig cfg = new GptConfig(11, 8, true, new TransformerConfig(16, 4, 2, 2, 1.0));
        return new CausalDecoder(cfg, new ModelParameters(m, DataType.FLOAT64, seed, 1.0));
    }

    @Test
    void changingTokenJChangesNoOutputBeforeJ() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            CausalDecoder gpt = smallFloat64(m, 3);
            GptConfig cfg = gpt.config();
            long[] a = {1, 2, 3, 4, 5, 6, 7, 8};
            int j = 5;
            long[] b = a.clone();
            b[j] = 10;
            double[] la = gpt.logits(m.create(a, new Shape(1, 8))).toDoubleArray();
            double[] lb = gpt.logits(m.create(b, new Shape(1, 8))).toDoubleArray();
            int v = cfg.vocab();
            for (int pos = 0; pos < 8; pos++) {
                double diff = 0;
                for (int k = 0; k < v; k++) {
                    diff = Math.max(diff, Math.abs(la[pos * v + k] - lb[pos * v + k]));
                }
                if (pos < j) {
                    assertEquals(0.0, diff, 1e-12, "position " + pos + " saw the future token " + j);
                } else {
                    assertTrue(diff > 1e-6, "position " + pos + " should see token " + j + " (diff " + diff + ")");
                }
            }
        }
    }

    @Test
    void aShorterSequenceGetsTheLogitsOfTheSamePrefix() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            CausalDecoder gpt = smallFloat64(m, 4);
            GptConfig cfg = gpt.config();
            long[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
            double[] full = gpt.logits(m.create(ids, new Shape(1, 8))).toDoubleArray();
            double[] prefix = gpt.logits(m.create(java.util.Arrays.copyOf(ids, 5), new Shape(1, 5))).toDoubleArray();
            assertEquals(5 * cfg.vocab(), prefix.length);
            for (int i = 0; i < prefix.length; i++) {
                assertEquals(full[i], prefix[i], 1e-12, "logit " + i);
            }
        }
    }

    /** The gathered cross-entropy equals −mean log softmax at the labels, computed by hand. */
    @Test
    void crossEntropyIsTheMeanNegativeLogLikelihoodOfTheLabels() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            double[][] z = {{1.0, 2.0, 0.5}, {-1.0, 0.0, 3.0}};
            long[] y = {1, 0};
            double expected = 0;
            for (int i = 0; i < z.length; i++) {
                double norm = 0;
                for (double v : z[i]) {
                    norm += Math.exp(v);
                }
                expected -= (z[i][(int) y[i]] - Math.log(norm)) / z.length;
            }
            NDArray logits = m.create(new double[] {1.0, 2.0, 0.5, -1.0, 0.0, 3.0}, new Shape(2, 3));
            assertEquals(expected, SupervisedModel.crossEntropy(logits, m.create(y)).getDouble(), 1e-14);
        }
    }

    @Test
    void lossIsNextTokenCrossEntropyNearLogVocabAtInit() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            GptConfig cfg = new GptConfig(50, 8, false, new TransformerConfig(16, 4, 1, 2, 0.1));
            CausalDecoder gpt = new CausalDecoder(cfg, new ModelParameters(m, DataType.FLOAT32, 1, 0.1));
            NDArray ids = m.create(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new Shape(1, 9));
            double loss = gpt.loss(ids, null).getFloat();
            // a tiny init gives near-uniform predictions: loss ≈ log(vocab)
            assertEquals(Math.log(50), loss, 0.05);
            assertArrayEquals(new long[] {1, 8, 50}, gpt.logits(ids.get(":, 0:8")).getShape().getShape());
        }
    }
}
