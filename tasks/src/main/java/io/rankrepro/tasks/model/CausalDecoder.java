package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.SparseFormat;

/**
 * GPT-style decoder: token + learned position embeddings, pre-LN blocks with a causal mask, final
 * LayerNorm, and an output projection that is either the token embedding transposed (tied) or
 * {@code lm_head.weight} [d, vocab]. Parameter names: {@code tok_embed} [vocab, d],
 * {@code pos_embed} [context, d], {@code blocks.*}, {@code ln_f.*}.
 */
public final class CausalDecoder implements SupervisedModel {
    /** Added to blocked scores: exp(−1e9 − max) is exactly 0 in float32 and float64, without inf − inf NaNs. */
    static final double BLOCKED = -1e9;

    private final GptConfig config;
    private final ModelParameters params;
    private final NDArray tokens;
    private final NDArray positions;
    private final TransformerStack stack;
    private final NDArray lmHead;
    /** The [context, context] mask, made once (as a buffer in PyTorch); a shorter sequence uses its top-left corner. */
    private final NDArray mask;

    public CausalDecoder(GptConfig config, ModelParameters params) {
        this.config = config;
        this.params = params;
        int d = config.transformer().width();
        this.tokens = params.embedding("tok_embed", config.vocab(), d);
        this.positions = params.embedding("pos_embed", config.context(), d);
        this.stack = new TransformerStack(params, config.transformer());
        this.lmHead = config.tiedOutput() ? null : params.linear("lm_head.weight", d, config.vocab());
        this.mask = causalMask(params.manager(), config.context());
        NDScope.unregister(mask); // lives with the model even if it was built inside a step's scope
    }

    @Override
    public ModelParameters parameters() {
        return params;
    }

    public GptConfig config() {
        return config;
    }

    /** token ids [b, t] (int64, t ≤ context) → next-token logits [b, t, vocab]. */
    public NDArray logits(NDArray ids) {
        long t = ids.getShape().get(1);
        if (t > config.context()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens exceeds the context " + config.context());
        }
        NDArray embedded = ids.getNDArrayInternal().embedding(ids, tokens, SparseFormat.DENSE).singletonOrThrow();
        boolean full = t == config.context(); // the usual case: no slicing op
        NDArray x = embedded.add(full ? positions : positions.get(new NDIndex("0:" + t)));
        NDArray h = stack.forward(x, full ? mask : mask.get(new NDIndex("0:" + t + ", 0:" + t)));
        return h.matMul(config.tiedOutput() ? tokens.transpose() : lmHead);
    }

    /** [t, t] additive mask: 0 on and below the diagonal, {@link #BLOCKED} above (position i sees j ≤ i). */
    NDArray causalMask(NDManager manager, long t) {
        NDArray row = manager.arange(t).reshape(t, 1);
        NDArray col = manager.arange(t).reshape(1, t);
        return col.gt(row).toType(params.dtype(), false).muli(BLOCKED);
    }

    /** Next-token cross-entropy: ids [b, t+1] → predict ids[:, 1:] from ids[:, :-1]. */
    @Override
    public NDArray loss(NDArray ids, NDArray unused) {
        long t = ids.getShape().get(1) - 1;
        NDArray inputs = ids.get(new NDIndex(":, 0:" + t));
        NDArray targets = ids.get(new NDIndex(":, 1:"));
        NDArray logits = logits(inputs);
        return SupervisedModel.crossEntropy(logits.reshape(-1, config.vocab()), targets.reshape(-1));
    }
}
