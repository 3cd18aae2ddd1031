package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * ViT: patch embedding (a linear map of each flattened patch), learned position embeddings, an
 * optional class token, pre-LN blocks, final LayerNorm, pooling and a linear classifier.
 * Parameter names: {@code patch_embed.weight} [p²·C, d], {@code patch_embed.bias},
 * {@code cls_token} [1, d] (CLS pooling only), {@code pos_embed} [tokens, d], {@code blocks.*},
 * {@code ln_f.*}, {@code head.weight} [d, classes], {@code head.bias}.
 */
public final class VisionTransformer implements SupervisedModel {
    private final VitConfig config;
    private final ModelParameters params;
    private final NDArray patchWeight;
    private final NDArray patchBias;
    private final NDArray clsToken;
    private final NDArray positions;
    private final TransformerStack stack;
    private final NDArray headWeight;
    private final NDArray headBias;

    public VisionTransformer(VitConfig config, ModelParameters params) {
        this.config = config;
        this.params = params;
        int d = config.transformer().width();
        int p = config.patchSize();
        this.patchWeight = params.linear("patch_embed.weight", p * p * config.channels(), d);
        this.patchBias = params.constant("patch_embed.bias", 0.0, d);
        this.clsToken = config.pooling() == Pooling.CLS ? params.embedding("cls_token", 1, d) : null;
        this.positions = params.embedding("pos_embed", config.tokens(), d);
        this.stack = new TransformerStack(params, config.transformer());
        this.headWeight = params.linear("head.weight", d, config.classes());
        this.headBias = params.constant("head.bias", 0.0, config.classes());
    }

    @Override
    public ModelParameters parameters() {
        return params;
    }

    public VitConfig config() {
        return config;
    }

    /** images [b, C, H, W] → logits [b, classes]. */
    public NDArray logits(NDArray pixels) {
        NDArray images = pixels.toType(params.dtype(), false); // data come as float32; a float64 model computes in float64
        long b = images.getShape().get(0);
        int p = config.patchSize();
        int n = config.patchesPerSide();
        int c = config.channels();
        // [b, C, n, p, n, p] → [b, n, n, p, p, C] → [b, n², p²·C]: each patch flattened pixel-major
        NDArray patches = images.reshape(b, c, n, p, n, p).transpose(0, 2, 4, 3, 5, 1).reshape(b, (long) n * n, (long) p * p * c);
        NDArray x = FeedForward.affine(patches, patchWeight, patchBias);
        if (clsToken != null) {
            x = clsToken.expandDims(0).repeat(0, b).concat(x, 1);
        }
        NDArray h = stack.forward(x.add(positions), null);
        NDArray pooled = clsToken != null ? h.get(new NDIndex(":, 0, :")) : h.mean(new int[] {1});
        return FeedForward.affine(pooled, headWeight, headBias);
    }

    @Override
    public NDArray loss(NDArray images, NDArray labels) {
        return SupervisedModel.crossEntropy(logits(images), labels);
    }
}
