package io.rankrepro.tasks.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The attention shape of a Hugging Face model, from its {@code config.json} (each family spells the
 * fields its own way: {@code hidden_size | n_embd | d_model | dim}, {@code num_attention_heads |
 * n_head | n_heads}, {@code num_hidden_layers | n_layer | n_layers}, {@code num_key_value_heads},
 * {@code head_dim}). 0 means unknown: the layout then takes it from the tensors' shapes where it can.
 *
 * @param modelType {@code model_type} ("" when unknown)
 * @param layers    transformer blocks
 * @param width     d, the residual width
 * @param heads     H, query heads
 * @param kvHeads   H_kv, key/value heads (H_kv &lt; H: grouped-query attention)
 * @param headDim   d_h (d / H unless the config says otherwise, as Gemma's and some Qwen's do)
 */
public record ModelConfig(String modelType, int layers, int width, int heads, int kvHeads, int headDim) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        modelType = modelType == null ? "" : modelType;
    }

    public static ModelConfig unknown() {
        return new ModelConfig("", 0, 0, 0, 0, 0);
    }

    /** Reads {@code config.json}; a file that is not a JSON object is an error naming it. */
    public static ModelConfig read(Path configJson) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(configJson));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(configJson + ": not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IOException(configJson + ": not a JSON object");
        }
        // multimodal wrappers (LLaVA, some Qwen2-VL) keep the language model's fields under text_config
        if (!n.has("hidden_size") && n.has("text_config") && n.get("text_config").isObject()) {
            JsonNode text = n.get("text_config");
            ModelConfig inner = of(configJson, text);
            return inner.modelType().isEmpty() ? inner.withModelType(n.path("model_type").asText("")) : inner;
        }
        return of(configJson, n);
    }

    private static ModelConfig of(Path file, JsonNode n) throws IOException {
        int width = integer(file, n, "hidden_size", "n_embd", "d_model", "dim");
        int heads = integer(file, n, "num_attention_heads", "n_head", "n_heads", "encoder_attention_heads");
        int layers = integer(file, n, "num_hidden_layers", "n_layer", "n_layers", "num_layers");
        int kv = integer(file, n, "num_key_value_heads", "n_kv_heads", "multi_query_group_num");
        int headDim = integer(file, n, "head_dim");
        return new ModelConfig(n.path("model_type").asText(""), layers, width, heads, kv, headDim);
    }

    private static int integer(Path file, JsonNode n, String... names) throws IOException {
        for (String name : names) {
            JsonNode v = n.get(name);
            if (v != null && !v.isNull()) {
                if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 1 << 20) {
                    throw new IOException(file + ": " + name + " must be a positive integer, got " + v);
                }
                return v.asInt();
            }
        }
        return 0;
    }

    ModelConfig withModelType(String type) {
        return new ModelConfig(type, layers, width, heads, kvHeads, headDim);
    }

    /** This config with every positive override in place of the file's value (0 keeps it). */
    public ModelConfig override(int layers, int heads, int kvHeads, int headDim) {
        return new ModelConfig(modelType, layers > 0 ? layers : this.layers, width, heads > 0 ? heads : this.heads,
                kvHeads > 0 ? kvHeads : this.kvHeads, headDim > 0 ? headDim : this.headDim);
    }
}
