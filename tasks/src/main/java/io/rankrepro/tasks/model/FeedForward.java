package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The block's MLP: Linear(d → r·d) → GELU → Linear(r·d → d), with biases. */
public final class FeedForward {
    private final NDArray w1;
    private final NDArray b1;
    private final NDArray w2;
    private final NDArray b2;

    public FeedForward(ModelParameters params, String prefix, TransformerConfig config) {
        int d = config.width();
        int hidden = config.mlpRatio() * d;
        this.w1 = params.linear(prefix + ".fc1.weight", d, hidden);
        this.b1 = params.constant(prefix + ".fc1.bias", 0.0, hidden);
        this.w2 = params.linear(prefix + ".fc2.weight", hidden, d);
        this.b2 = params.constant(prefix + ".fc2.bias", 0.0, d);
    }

    public NDArray forward(NDArray x) {
        return affine(Activation.gelu(affine(x, w1, b1)), w2, b2);
    }

    /**
     * x W + b as one fused kernel (the engine's linear: addmm on the flattened rows) rather than a
     * product and a broadcast add, forward and backward. Linear takes [out, in], hence Wᵀ (a view).
     */
    static NDArray affine(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().linear(x, w.transpose(), b).singletonOrThrow();
    }
}
