package io.rankrepro.tasks.inspect;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where each architecture family keeps its attention weights, and how its heads are sliced: the
 * one place that knows. Notation: d the residual width, H query heads, H_kv key/value heads, d_h
 * the head width; a head's factors W_Q^h, W_K^h, W_V^h, P^h are d×d_h, KQ^h = W_K^h W_Q^hᵀ and
 * PV^h = P^h W_V^hᵀ. PyTorch {@code Linear} weights are [out, in] ({@code y = x Wᵀ}), so a head of
 * a q/k/v projection is a block of d_h <em>rows</em> and a head of the output projection, whose
 * input is the concatenated heads, a block of d_h <em>columns</em>. GPT-2's {@code Conv1D} is
 * [in, out] ({@code y = x W}): the other way round.
 *
 * <table>
 *   <caption>families ({@code {p}} a prefix such as {@code bert.} or {@code model.}, {@code {l}} the layer)</caption>
 *   <tr><th>family</th><th>model_type</th><th>tensors</th><th>head h</th></tr>
 *   <tr><td>BERT</td><td>bert, roberta, xlm-roberta, camembert, electra</td>
 *       <td>{@code {p}encoder.layer.{l}.attention.self.{query,key,value}.weight} [H·d_h, d],
 *       {@code {p}encoder.layer.{l}.attention.output.dense.weight} [d, H·d_h]</td>
 *       <td>q/k/v rows h·d_h…; output columns h·d_h…</td></tr>
 *   <tr><td>DISTILBERT</td><td>distilbert</td>
 *       <td>{@code {p}transformer.layer.{l}.attention.{q_lin,k_lin,v_lin,out_lin}.weight}</td><td>as BERT</td></tr>
 *   <tr><td>VIT</td><td>vit, deit</td>
 *       <td>{@code {p}encoder.layer.{l}.attention.attention.{query,key,value}.weight},
 *       {@code {p}encoder.layer.{l}.attention.output.dense.weight}</td><td>as BERT</td></tr>
 *   <tr><td>GPT2</td><td>gpt2</td>
 *       <td>{@code {p}h.{l}.attn.c_attn.weight} [d, 3·H·d_h] (Conv1D, q | k | v),
 *       {@code {p}h.{l}.attn.c_proj.weight} [H·d_h, d]</td>
 *       <td>q columns h·d_h…, k columns H·d_h + h·d_h…, v columns 2·H·d_h + h·d_h…; output rows h·d_h…</td></tr>
 *   <tr><td>GPT_NEOX</td><td>gpt_neox (Pythia)</td>
 *       <td>{@code {p}layers.{l}.attention.query_key_value.weight} [3·H·d_h, d] (heads interleaved:
 *       HF views the output as [H, 3·d_h] and splits each head's block into q, k, v),
 *       {@code {p}layers.{l}.attention.dense.weight} [d, H·d_h]</td>
 *       <td>q rows 3·h·d_h…, k rows 3·h·d_h + d_h…, v rows 3·h·d_h + 2·d_h…; output columns h·d_h…</td></tr>
 *   <tr><td>OPT</td><td>opt</td>
 *       <td>{@code {p}decoder.layers.{l}.self_attn.{q,k,v,out}_proj.weight}</td><td>as BERT</td></tr>
 *   <tr><td>LLAMA</td><td>llama, mistral, mixtral, qwen2, qwen3</td>
 *       <td>{@code {p}layers.{l}.self_attn.{q,k,v,o}_proj.weight}; q [H·d_h, d], k and v [H_kv·d_h, d]</td>
 *       <td>q rows h·d_h…; k, v rows g·d_h… of kv head g = h / (H/H_kv) (grouped-query attention);
 *       output columns h·d_h…. HF's rotary permutation of q/k rows acts alike on both sides of a
 *       head, so it leaves KQ^h's singular values (its position-0 bilinear form) unchanged.</td></tr>
 *   <tr><td>RANKREPRO</td><td>(our checkpoints)</td>
 *       <td>{@code blocks.{l}.attn.w_q|w_k|w_v|w_o} [d, H·d_h], heads in columns</td><td>columns h·d_h… of all four</td></tr>
 * </table>
 */
public enum AttentionFamily {
    BERT(Set.of("bert", "roberta", "xlm-roberta", "camembert", "electra"), Packing.SEPARATE,
            "encoder\\.layer\\.(\\d+)\\.attention\\.self\\.query\\.weight",
            "encoder.layer.%d.attention.self.query.weight", "encoder.layer.%d.attention.self.key.weight",
            "encoder.layer.%d.attention.self.value.weight", "encoder.layer.%d.attention.output.dense.weight"),
    DISTILBERT(Set.of("distilbert"), Packing.SEPARATE,
            "transformer\\.layer\\.(\\d+)\\.attention\\.q_lin\\.weight",
            "transformer.layer.%d.attention.q_lin.weight", "transformer.layer.%d.attention.k_lin.weight",
            "transformer.layer.%d.attention.v_lin.weight", "transformer.layer.%d.attention.out_lin.weight"),
    VIT(Set.of("vit", "deit"), Packing.SEPARATE,
            "encoder\\.layer\\.(\\d+)\\.attention\\.attention\\.query\\.weight",
            "encoder.layer.%d.attention.attention.query.weight", "encoder.layer.%d.attention.attention.key.weight",
            "encoder.layer.%d.attention.attention.value.weight", "encoder.layer.%d.attention.output.dense.weight"),
    GPT2(Set.of("gpt2"), Packing.FUSED_CONV1D,
            "h\\.(\\d+)\\.attn\\.c_attn\\.weight",
            "h.%d.attn.c_attn.weight", "h.%d.attn.c_attn.weight", "h.%d.attn.c_attn.weight", "h.%d.attn.c_proj.weight"),
    GPT_NEOX(Set.of("gpt_neox"), Packing.FUSED_INTERLEAVED,
            "layers\\.(\\d+)\\.attention\\.query_key_value\\.weight",
            "layers.%d.attention.query_key_value.weight", "layers.%d.attention.query_key_value.weight",
            "layers.%d.attention.query_key_value.weight", "layers.%d.attention.dense.weight"),
    OPT(Set.of("opt"), Packing.SEPARATE,
            "decoder\\.layers\\.(\\d+)\\.self_attn\\.q_proj\\.weight",
            "decoder.layers.%d.self_attn.q_proj.weight", "decoder.layers.%d.self_attn.k_proj.weight",
            "decoder.layers.%d.self_attn.v_proj.weight", "decoder.layers.%d.self_attn.out_proj.weight"),
    LLAMA(Set.of("llama", "mistral", "mixtral", "qwen2", "qwen3"), Packing.SEPARATE,
            "layers\\.(\\d+)\\.self_attn\\.q_proj\\.weight",
            "layers.%d.self_attn.q_proj.weight", "layers.%d.self_attn.k_proj.weight",
            "layers.%d.self_attn.v_proj.weight", "layers.%d.self_attn.o_proj.weight"),
    RANKREPRO(Set.of("rankrepro"), Packing.COLUMNS,
            "blocks\\.(\\d+)\\.attn\\.w_q",
            "blocks.%d.attn.w_q", "blocks.%d.attn.w_k", "blocks.%d.attn.w_v", "blocks.%d.attn.w_o");

    /** How the heads' factors sit in the tensors. */
    enum Packing {
        /** Linear q, k, v [H·d_h | H_kv·d_h, d], head blocks of rows; Linear output [d, H·d_h], blocks of columns. */
        SEPARATE,
        /** GPT-2 Conv1D: one [d, 3·H·d_h] tensor, q | k | v blocks of columns; output [H·d_h, d], blocks of rows. */
        FUSED_CONV1D,
        /** GPT-NeoX: one Linear [3·H·d_h, d], head h's q, k, v in rows 3·h·d_h + {0, 1, 2}·d_h; output as SEPARATE. */
        FUSED_INTERLEAVED,
        /** Ours: four [d, H·d_h] tensors, y = x W, every head a block of columns. */
        COLUMNS
    }

    private final Set<String> modelTypes;
    private final Packing packing;
    private final Pattern query;
    private final List<String> names;

    AttentionFamily(Set<String> modelTypes, Packing packing, String queryPattern, String q, String k, String v, String o) {
        this.modelTypes = modelTypes;
        this.packing = packing;
        this.query = Pattern.compile("(.*?)" + queryPattern);
        this.names = List.of(q, k, v, o);
    }

    Packing packing() {
        return packing;
    }

    Pattern queryPattern() {
        return query;
    }

    /** The tensor names of layer {@code layer}: query, key, value, output (fused families repeat one name). */
    List<String> tensors(String prefix, int layer) {
        return names.stream().map(n -> prefix + String.format(java.util.Locale.ROOT, n, layer)).toList();
    }

    /** The family of a config.json {@code model_type}, if we know it. */
    static Optional<AttentionFamily> ofModelType(String modelType) {
        for (AttentionFamily f : values()) {
            if (f.modelTypes.contains(modelType)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** For error messages: every family with its layer-0 tensor names. */
    static String known() {
        StringBuilder b = new StringBuilder();
        for (AttentionFamily f : values()) {
            b.append("\n  ").append(f.name().toLowerCase(java.util.Locale.ROOT)).append(" (model_type ")
                    .append(String.join("|", new java.util.TreeSet<>(f.modelTypes))).append("): ")
                    .append(String.join(", ", new java.util.LinkedHashSet<>(f.tensors("", 0))));
        }
        return b.toString();
    }
}
