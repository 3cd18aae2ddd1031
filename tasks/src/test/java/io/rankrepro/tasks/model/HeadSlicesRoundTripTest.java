package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.SafetensorsReader;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.rank.CheckpointLayout;
import io.rankrepro.tasks.rank.HeadFactors;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * KQ^h and PV^h computed from the live model's arrays (sliced with DJL indexing) equal the ones
 * computed from the saved checkpoint through {@link CheckpointLayout}; and the head slices really
 * are the heads: attention output = Σ_h softmax(x W_Q^h (x W_K^h)ᵀ/√d_h) x W_V^h P^hᵀ.
 */
class HeadSlicesRoundTripTest {

    @Test
    void productsFromModelEqualProductsFromCheckpoint(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            TransformerConfig t = new TransformerConfig(12, 3, 2, 2, 1.0);
            ModelParameters params = new ModelParameters(m, DataType.FLOAT32, 11, 1.0);
            new CausalDecoder(new GptConfig(7, 5, true, t), params);
            List<SafetensorsTensor> tensors = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : params.arrays().entrySet()) {
                tensors.add(new SafetensorsTensor(e.getKey(), SafetensorsDtype.F32, e.getValue().getShape().getShape(),
                        e.getValue().toType(DataType.FLOAT64, true).toDoubleArray()));
            }
            Path file = dir.resolve("ckpt.safetensors");
            SafetensorsWriter.write(file, tensors, Map.of("heads", "3"));
            SafetensorsFile saved = SafetensorsReader.read(file);
            CheckpointLayout layout = CheckpointLayout.detect(saved, 0);
            assertEquals(2, layout.layers());
            assertEquals(4, layout.headWidth());
            for (int l = 0; l < 2; l++) {
                for (int h = 0; h < 3; h++) {
                    String cols = ":, " + (4 * h) + ":" + (4 * h + 4);
                    NDArray wq = params.get(AttentionLayout.query(l)).get(new NDIndex(cols));
                    NDArray wk = params.get(AttentionLayout.key(l)).get(new NDIndex(cols));
                    NDArray wv = params.get(AttentionLayout.value(l)).get(new NDIndex(cols));
                    NDArray p = params.get(AttentionLayout.output(l)).get(new NDIndex(cols));
                    double[] kqLive = wk.matMul(wq.transpose()).toType(DataType.FLOAT64, false).toDoubleArray();
                    double[] pvLive = p.matMul(wv.transpose()).toType(DataType.FLOAT64, false).toDoubleArray();
                    HeadFactors f = layout.factors(saved, l, h);
                    assertArrayEquals(kqLive, product(f.key(), f.query()).data, 1e-5);
                    assertArrayEquals(pvLive, product(f.output(), f.value()).data, 1e-5);
                }
            }
        }
    }

    @Test
    void headSlicesRecomposeTheAttentionOutput() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            TransformerConfig t = new TransformerConfig(6, 2, 1, 2, 1.0);
            ModelParameters params = new ModelParameters(m, DataType.FLOAT64, 5, 1.0);
            MultiHeadAttention attn = new MultiHeadAttention(params, 0, t);
            NDArray x = m.randomNormal(0, 1, new ai.djl.ndarray.types.Shape(1, 4, 6), DataType.FLOAT64);
            double[] full = attn.forward(x, null).toDoubleArray();
            NDArray x2 = x.get(new NDIndex("0"));
            NDArray sum = m.zeros(new ai.djl.ndarray.types.Shape(4, 6), DataType.FLOAT64);
            for (int h = 0; h < 2; h++) {
                NDIndex cols = new NDIndex(":, " + (3 * h) + ":" + (3 * h + 3));
                NDArray q = x2.matMul(params.get(AttentionLayout.query(0)).get(cols));
                NDArray k = x2.matMul(params.get(AttentionLayout.key(0)).get(cols));
                NDArray v = x2.matMul(params.get(AttentionLayout.value(0)).get(cols));
                NDArray a = q.matMul(k.transpose()).div(Math.sqrt(3)).softmax(-1);
                sum = sum.add(a.matMul(v).matMul(params.get(AttentionLayout.output(0)).get(cols).transpose()));
            }
            assertArrayEquals(full, sum.toDoubleArray(), 1e-12);
        }
    }

    private static DMatrixRMaj product(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj w = new DMatrixRMaj(a.numRows, b.numRows);
        CommonOps_DDRM.multTransB(a, b, w);
        return w;
    }
}
