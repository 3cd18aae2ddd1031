package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

import java.util.List;

/**
 * Adam's moment estimates, shared by {@link AdamL2} and {@link AdamW} (which differ only in where
 * the decay enters): m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², and the step
 * m̂/(√v̂ + ε) with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ) (ε outside the root, as PyTorch).
 */
final class AdamMoments {
    private final AdamSettings settings;
    private final List<List<NDArray>> first;
    private final List<List<NDArray>> second;

    AdamMoments(AdamSettings settings, List<List<NDArray>> first, List<List<NDArray>> second) {
        this.settings = settings;
        this.first = first;
        this.second = second;
    }

    /** The moments by name, one list per group: "adam.m" (first), "adam.v" (second). */
    java.util.Map<String, List<List<NDArray>>> named() {
        java.util.Map<String, List<List<NDArray>>> m = new java.util.LinkedHashMap<>();
        m.put("adam.m", first);
        m.put("adam.v", second);
        return m;
    }

    /** Updates the moments with {@code g} and returns m̂/(√v̂ + ε), a temporary. */
    NDArray direction(NDArray g, int group, int param, long t) {
        NDArray m = first.get(group).get(param);
        NDArray v = second.get(group).get(param);
        m.muli(settings.beta1()).addi(g.mul(1 - settings.beta1()));
        v.muli(settings.beta2()).addi(g.square().muli(1 - settings.beta2()));
        double bc1 = 1 - StrictMath.pow(settings.beta1(), t);
        double bc2 = 1 - StrictMath.pow(settings.beta2(), t);
        NDArray denominator = v.sqrt().divi(Math.sqrt(bc2)).addi(settings.eps());
        return m.div(denominator).divi(bc1);
    }

    /**
     * The whole update of one float32 parameter in one native call (the engine's fused Adam kernel)
     * instead of the ~14 engine calls of {@link #direction} and the caller's arithmetic: a training
     * step of the fig3 models crosses JNI once per parameter here, not 14 times. Same update:
     * with bias corrections bc1, bc2 the fused kernel computes w ← w − η' m/(√v + ε'), and
     * η' = η√bc2/bc1, ε' = ε√bc2 make that η(m/bc1)/(√v/√bc2 + ε), the formula above. Coupled
     * decay ({@code decoupled} false) adds λw to the gradient first (Adam + L2); decoupled decay
     * first takes w ← w − ηλw (AdamW). The kernel multiplies a copy of the gradient by
     * {@code scale} before anything else (its "rescale_grad"), which is where a clipping factor
     * goes. The kernel takes float scalars, so it is used only for float32 parameters (their
     * arithmetic is float anyway); float64 keeps the exact path.
     *
     * @return false, having done nothing, when the parameter is not float32
     */
    boolean fusedUpdate(NDArray w, NDArray g, double scale, int group, int param, double lr, double weightDecay, long t, boolean decoupled) {
        if (w.getDataType() != DataType.FLOAT32) {
            return false;
        }
        double bc1 = 1 - StrictMath.pow(settings.beta1(), t);
        double root = Math.sqrt(1 - StrictMath.pow(settings.beta2(), t));
        NDList state = new NDList(w, g, first.get(group).get(param), second.get(group).get(param));
        w.getNDArrayInternal().adamUpdate(state, new NDList(w), (float) lr, (float) (lr * root / bc1), (float) weightDecay,
                (float) scale, -1f, (float) settings.beta1(), (float) settings.beta2(), (float) (settings.eps() * root), false, decoupled);
        return true;
    }
}
