package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head self-attention with explicit per-head weights, laid out as {@link AttentionLayout}
 * says: Q = x W_Q, K = x W_K, V = x W_V, split into heads by columns; head h attends with
 * softmax(Q_h K_hᵀ / √d_h + mask) and the heads are recombined by Pᵀ. No biases.
 */
public final class MultiHeadAttention {
    private final NDArray wq;
    private final NDArray wk;
    private final NDArray wv;
    private final NDArray wo;
    private final int heads;
    private final int headWidth;
    /** 1/√d_h as an engine-owned scalar (see {@link EngineScalar}: autograd keeps it for the backward pass). */
    private final NDArray scoreScale;

    public MultiHeadAttention(ModelParameters params, int layer, TransformerConfig config) {
        int d = config.width();
        this.wq = params.linear(AttentionLayout.query(layer), d, d);
        this.wk = params.linear(AttentionLayout.key(layer), d, d);
        this.wv = params.linear(AttentionLayout.value(layer), d, d);
        this.wo = params.linear(AttentionLayout.output(layer), d, d);
        this.heads = config.heads();
        this.headWidth = config.headWidth();
        this.scoreScale = EngineScalar.of(params.manager(), 1.0 / Math.sqrt(headWidth), params.dtype());
        ai.djl.ndarray.NDScope.unregister(scoreScale); // lives with the model even if it was built inside a step's scope
    }

    /**
     * @param x    [batch, tokens, d]
     * @param mask additive [tokens, tokens] mask (0 where allowed, a large negative number where
     *             blocked), or null for full attention
     * @return [batch, tokens, d]
     */
    public NDArray forward(NDArray x, NDArray mask) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        // One product x [W_Q/√d_h | W_K | W_V] instead of three, and the score scale folded into
        // W_Q's d×d block rather than applied to the b·h·t² scores: the same function with fewer,
        // larger kernels forward and backward (x gets one gradient product, not three summed).
        NDArray projection = NDArrays.concat(new NDList(wq.mul(scoreScale), wk, wv), 1);
        NDList qkv = x.matMul(projection).split(3, 2);
        NDArray q = splitHeads(qkv.get(0), b, t);
        NDArray k = splitHeads(qkv.get(1), b, t);
        NDArray v = splitHeads(qkv.get(2), b, t);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray z = scores.softmax(-1).matMul(v);                     // [b, h, t, d_h]
        NDArray merged = z.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * headWidth);
        return merged.matMul(wo.transpose());                         // Σ_h z_h P^hᵀ
    }

    private NDArray splitHeads(NDArray y, long b, long t) {
        return y.reshape(b, t, heads, headWidth).transpose(0, 2, 1, 3);
    }
}
