package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;

/** A pre-LN block: x + MHA(LN(x)), then x + MLP(LN(x)) (GPT-2 / ViT order). */
public final class TransformerBlock {
    private final LayerNorm ln1;
    private final MultiHeadAttention attention;
    private final LayerNorm ln2;
    private final FeedForward mlp;

    public TransformerBlock(ModelParameters params, int layer, TransformerConfig config) {
        String prefix = "blocks." + layer;
        this.ln1 = new LayerNorm(params, prefix + ".ln1", config.width());
        this.attention = new MultiHeadAttention(params, layer, config);
        this.ln2 = new LayerNorm(params, prefix + ".ln2", config.width());
        this.mlp = new FeedForward(params, prefix + ".mlp", config);
    }

    public NDArray forward(NDArray x, NDArray mask) {
        NDArray h = Intermediates.keepOnly(() -> x.add(attention.forward(ln1.forward(x), mask)));
        return Intermediates.keepOnly(() -> h.add(mlp.forward(ln2.forward(h))));
    }
}
