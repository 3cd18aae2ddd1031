package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last axis with a learned gain and bias (ε = 1e-5, PyTorch's default). */
public final class LayerNorm {
    private static final float EPS = 1e-5f;
    private final NDArray gain;
    private final NDArray bias;
    private final Shape normalized;

    public LayerNorm(ModelParameters params, String prefix, int width) {
        this.gain = params.constant(prefix + ".weight", 1.0, width);
        this.bias = params.constant(prefix + ".bias", 0.0, width);
        this.normalized = new Shape(width);
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().layerNorm(x, normalized, gain, bias, EPS).singletonOrThrow();
    }
}
