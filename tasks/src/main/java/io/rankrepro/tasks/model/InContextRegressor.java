package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * A transformer that reads a regression problem from its context (paper A's Fig. 2 setting, our
 * choice of task): tokens [b, t, f] → {@code in_embed.weight} [f, d] → pre-LN blocks → final
 * LayerNorm → {@code readout.weight} [d, 1] at each query token. No position embedding: the
 * context is a set. Every token attends to the {@code context} context tokens only, so queries
 * never see each other and one sequence carries several independent predictions.
 * Attention weights are laid out as {@link AttentionLayout} says.
 */
public final class InContextRegressor {
    private final ModelParameters params;
    private final TransformerConfig config;
    private final int context;
    private final NDArray embed;
    private final TransformerStack stack;
    private final NDArray readout;

    public InContextRegressor(TransformerConfig config, int features, int context, ModelParameters params) {
        this.params = params;
        this.config = config;
        this.context = context;
        this.embed = params.linear("in_embed.weight", features, config.width());
        this.stack = new TransformerStack(params, config);
        this.readout = params.linear("readout.weight", config.width(), 1);
    }

    public ModelParameters parameters() {
        return params;
    }

    public TransformerConfig config() {
        return config;
    }

    /** Predictions [b, t − context] at the query tokens. */
    public NDArray predict(NDArray tokens) {
        long t = tokens.getShape().get(1);
        if (t <= context) {
            throw new IllegalArgumentException("a sequence of " + t + " tokens has no query after " + context + " context tokens");
        }
        NDArray h = stack.forward(tokens.matMul(embed), contextOnlyMask(tokens.getManager(), t));
        NDArray atQueries = h.get(new NDIndex(":, " + context + ":, :"));
        return atQueries.matMul(readout).squeeze(-1);
    }

    /** Mean squared error of the query predictions against targets [b, queries]. */
    public NDArray loss(NDArray tokens, NDArray targets) {
        return predict(tokens).sub(targets).square().mean();
    }

    /** [t, t] additive mask: column j is open iff j is a context token. */
    NDArray contextOnlyMask(NDManager manager, long t) {
        NDArray col = manager.arange(t).reshape(1, t).repeat(0, t);
        return col.gte(context).toType(params.dtype(), false).muli(CausalDecoder.BLOCKED);
    }
}
