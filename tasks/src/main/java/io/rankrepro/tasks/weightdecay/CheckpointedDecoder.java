package io.rankrepro.tasks.weightdecay;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.model.CausalDecoder;
import io.rankrepro.tasks.model.GptConfig;
import io.rankrepro.tasks.model.ModelParameters;
import io.rankrepro.tasks.model.TransformerConfig;

import java.util.Arrays;
import java.util.Map;

/**
 * Rebuilds a {@link CausalDecoder} from one of {@code transformer/train}'s checkpoints alone: vocab
 * and context from {@code tok_embed} / {@code pos_embed}, the MLP ratio from {@code fc1}, tied output
 * unless {@code lm_head.weight} is present, heads / layers / init scale from the metadata; then
 * every parameter is overwritten from the file, whose tensor names and shapes must match exactly.
 */
public final class CheckpointedDecoder {
    private CheckpointedDecoder() { }

    public static CausalDecoder load(SafetensorsFile file, NDManager manager) {
        Map<String, String> meta = file.metadata();
        if (!"rankrepro".equals(meta.get("layout")) || !"gpt".equals(meta.get("model"))) {
            throw new IllegalArgumentException("not a rankrepro GPT checkpoint (metadata " + meta + ")");
        }
        long[] tok = file.tensor("tok_embed").shape();
        long[] pos = file.tensor("pos_embed").shape();
        long[] fc1 = file.tensor("blocks.0.mlp.fc1.weight").shape();
        int width = (int) tok[1];
        TransformerConfig t = new TransformerConfig(width, Integer.parseInt(meta.get("heads")), Integer.parseInt(meta.get("layers")),
                (int) (fc1[1] / width), Double.parseDouble(meta.get("init_scale")));
        GptConfig config = new GptConfig((int) tok[0], (int) pos[0], !file.tensors().containsKey("lm_head.weight"), t);
        CausalDecoder model = new CausalDecoder(config, new ModelParameters(manager, DataType.FLOAT32, 0, t.initScale()));
        Map<String, NDArray> arrays = model.parameters().arrays();
        if (!arrays.keySet().equals(file.tensors().keySet())) {
            throw new IllegalArgumentException("checkpoint tensors " + file.tensors().keySet() + " differ from the model's " + arrays.keySet());
        }
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            SafetensorsTensor src = file.tensor(e.getKey());
            if (!Arrays.equals(src.shape(), e.getValue().getShape().getShape())) {
                throw new IllegalArgumentException(e.getKey() + ": checkpoint shape " + Arrays.toString(src.shape())
                        + ", model " + e.getValue().getShape());
            }
            double[] d = src.data();
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            e.getValue().set(f);
        }
        return model;
    }
}
