package io.rankrepro.tasks.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** DJL autograd through a whole (tiny, float64) ViT vs central finite differences, per attention weight. */
class TransformerBlockGradientTest {

    @Test
    void autogradMatchesFiniteDifferencesInFloat64() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            TransformerConfig t = new TransformerConfig(8, 2, 1, 2, 1.0);
            VisionTransformer vit = new VisionTransformer(new VitConfig(4, 1, 2, 3, Pooling.MEAN, t),
                    new ModelParameters(m, DataType.FLOAT64, 7, 1.0));
            NDArray x = m.randomNormal(0, 1, new Shape(5, 1, 4, 4), DataType.FLOAT64);
            NDArray y = m.create(new long[] {0, 1, 2, 1, 0});
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(vit.loss(x, y));
            }
            Map<String, NDArray> params = vit.parameters().arrays();
            for (String name : new String[] {AttentionLayout.query(0), AttentionLayout.key(0), AttentionLayout.value(0),
                AttentionLayout.output(0), "blocks.0.mlp.fc1.weight", "blocks.0.ln1.weight"}) {
                FiniteDifferences.assertGradient(name, params.get(name), () -> vit.loss(x, y).getDouble(), 0, 5, 13);
            }
        }
    }
}
