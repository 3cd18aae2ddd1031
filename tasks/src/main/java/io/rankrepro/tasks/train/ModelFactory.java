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
import io.rankrepro.tasks.task.Params;

import java.util.List;

/**
 * Builds the model a data set calls for: a {@link VisionTransformer} for images, a
 * {@link CausalDecoder} for text. Shared params: {@code width}, {@code heads}, {@code layers},
 * {@code mlp_ratio}, {@code init_scale}; ViT: {@code patch_size}, {@code pooling};
 * GPT: {@code context}, {@code tied_output}.
 */
public final class ModelFactory {
    private ModelFactory() { }

    public static TransformerConfig transformer(Params p) {
        return new TransformerConfig(p.getInt("width"), p.getInt("heads"), p.getInt("layers"),
                p.getInt("mlp_ratio", 4), p.getDouble("init_scale", 1.0));
    }

    public static List<String> problems(Params p) {
        List<String> problems = new java.util.ArrayList<>(TransformerConfig.problems(p.getLong("width"), p.getLong("heads"), p.getLong("layers"),
                p.getLong("mlp_ratio", 4), p.getDouble("init_scale", 1.0)));
        try {
            dtype(p);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    /** Param {@code dtype}: float32 (default; the fused optimizer kernels) or float64 (for exactness studies). */
    static DataType dtype(Params p) {
        return switch (p.getString("dtype", "float32")) {
            case "float32" -> DataType.FLOAT32;
            case "float64" -> DataType.FLOAT64;
            default -> throw new IllegalArgumentException("dtype: must be float32 or float64, got '" + p.getString("dtype", "") + "'");
        };
    }

    public static SupervisedModel create(PreparedData.Manifest data, Params p, NDManager manager, long seed) {
        TransformerConfig t = transformer(p);
        ModelParameters params = new ModelParameters(manager, dtype(p), seed, t.initScale());
        if (data.modality().equals("image")) {
            List<Integer> s = data.shape();
            if (!s.get(1).equals(s.get(2))) {
                throw new IllegalArgumentException("the ViT takes square images; data are " + s.get(1) + "x" + s.get(2));
            }
            VitConfig vit = new VitConfig(s.get(1), s.get(0), p.getInt("patch_size"), data.classes(),
                    Pooling.parse(p.getString("pooling", "cls")), t);
            return new VisionTransformer(vit, params);
        }
        GptConfig gpt = new GptConfig(data.vocab(), p.getInt("context"), p.getBoolean("tied_output", true), t);
        return new CausalDecoder(gpt, params);
    }
}
