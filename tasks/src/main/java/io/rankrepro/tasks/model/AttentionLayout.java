package io.rankrepro.tasks.model;

/**
 * How the attention weights of layer {@code l} are stored, in the model and in its checkpoints
 * (row-major float32, numpy-compatible shapes), so that per-head products can be read back.
 *
 * <p>Activations are row vectors: {@code q = x · W_Q} with {@code x ∈ R^{1×d}}.
 * <ul>
 *   <li>{@code blocks.{l}.attn.w_q}, {@code w_k}, {@code w_v}: shape [d, d]; head h's slice
 *       W_Q^h ∈ R^{d×d_h} is columns {@code h·d_h … (h+1)·d_h − 1}.</li>
 *   <li>{@code blocks.{l}.attn.w_o}: the output projection P, shape [d, d]; head h's slice
 *       P^h ∈ R^{d×d_h} is also columns {@code h·d_h …}. The layer output is
 *       {@code Σ_h z_h P^hᵀ}, i.e. {@code concat(z) · Pᵀ}.</li>
 * </ul>
 * With this layout the attention score is {@code x_i W_Q^h W_K^hᵀ x_jᵀ}, so
 * KQ^h = W_K^h W_Q^hᵀ, and head h maps values through {@code x W_V^h P^hᵀ}, so PV^h = P^h W_V^hᵀ:
 * the products of FIGURES.md, each d×d of rank ≤ d_h. Attention has no biases, so these products
 * are all of the head's bilinear form.
 */
public final class AttentionLayout {
    private AttentionLayout() { }

    public static String query(int layer) {
        return "blocks." + layer + ".attn.w_q";
    }

    public static String key(int layer) {
        return "blocks." + layer + ".attn.w_k";
    }

    public static String value(int layer) {
        return "blocks." + layer + ".attn.w_v";
    }

    public static String output(int layer) {
        return "blocks." + layer + ".attn.w_o";
    }
}
