package io.rankrepro.tasks.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rankrepro.tasks.data.PreparedData;
import io.rankrepro.tasks.model.CausalDecoder;
import io.rankrepro.tasks.model.GptConfig;
import io.rankrepro.tasks.model.ModelParameters;
import io.rankrepro.tasks.model.Pooling;
import io.rankrepro.tasks.model.SupervisedModel;
import io.rankrepro.tasks.model.TransformerConfig;
import io.rankrepro.tasks.model.VisionTransformer;
import io.rankrepro.tasks.model.VitConfig;

import java.util.List;

/**
 * Builds the model a data set calls for from a {@link TrainTask.Config}: a {@link VisionTransformer}
 * for images, a {@link CausalDecoder} for text. Shared params: {@code width}, {@code heads},
 * {@code layers}, {@code mlp_ratio}, {@code init_scale}, {@code dtype}; ViT: {@code patch_size},
 * {@code pooling}; GPT: {@code context}, {@code tied_output}.
 */
public final class ModelFactory {
    private ModelFactory() { }

    public static TransformerConfig transformer(TrainTask.Config c) {
        return new TransformerConfig(c.width(), c.heads(), c.layers(), c.mlpRatio(), c.initScale());
    }

    /** Param {@code dtype}: float32 (the fused optimizer kernels) or float64 (for exactness studies). */
    static DataType dtype(TrainTask.Config c) {
        return switch (c.dtype()) {
            case "float32" -> DataType.FLOAT32;
            case "float64" -> DataType.FLOAT64;
            default -> throw new IllegalArgumentException("dtype: must be float32 or float64, got '" + c.dtype() + "'");
        };
    }

    public static SupervisedModel create(PreparedData.Manifest data, TrainTask.Config c, NDManager manager, long seed) {
        TransformerConfig t = transformer(c);
        ModelParameters params = new ModelParameters(manager, dtype(c), seed, t.initScale());
        if (data.modality().equals("image")) {
            List<Integer> s = data.shape();
            if (!s.get(1).equals(s.get(2))) {
                throw new IllegalArgumentException("the ViT takes square images; data are " + s.get(1) + "x" + s.get(2));
            }
            if (c.patchSize() == null) {
                throw new IllegalArgumentException("patch_size: required to train on images (" + data.dataset() + "): the ViT's patch side");
            }
            VitConfig vit = new VitConfig(s.get(1), s.get(0), c.patchSize(), data.classes(), Pooling.parse(c.pooling()), t);
            return new VisionTransformer(vit, params);
        }
        if (c.context() == null) {
            throw new IllegalArgumentException("context: required to train on text (" + data.dataset() + "): the GPT's window in tokens");
        }
        GptConfig gpt = new GptConfig(data.vocab(), c.context(), c.tiedOutput(), t);
        return new CausalDecoder(gpt, params);
    }

    /** The token window a model is trained on: a GPT's context; 0 for a ViT, whose batches are whole images. */
    static int window(SupervisedModel model) {
        return model instanceof CausalDecoder d ? d.config().context() : 0;
    }
}
