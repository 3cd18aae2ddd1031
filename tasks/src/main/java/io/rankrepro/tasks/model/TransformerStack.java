package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/** {@code layers} pre-LN blocks followed by a final LayerNorm. */
public final class TransformerStack {
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;

    public TransformerStack(ModelParameters params, TransformerConfig config) {
        for (int l = 0; l < config.layers(); l++) {
            blocks.add(new TransformerBlock(params, l, config));
        }
        this.finalNorm = new LayerNorm(params, "ln_f", config.width());
    }

    public NDArray forward(NDArray x, NDArray mask) {
        NDArray h = x;
        for (TransformerBlock block : blocks) {
            h = block.forward(h, mask);
        }
        return finalNorm.forward(h);
    }
}
