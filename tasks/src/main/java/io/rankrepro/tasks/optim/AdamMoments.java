package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;

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

    /** Updates the moments with {@code g} and returns m̂/(√v̂ + ε), a temporary. */
    NDArray direction(NDArray g, int group, int param, long t) {
        NDArray m = first.get(group).get(param);
        NDArray v = second.get(group).get(param);
        m.muli(settings.beta1()).addi(g.mul(1 - settings.beta1()));
        v.muli(settings.beta2()).addi(g.square().muli(1 - settings.beta2()));
        double bc1 = 1 - Math.pow(settings.beta1(), t);
        double bc2 = 1 - Math.pow(settings.beta2(), t);
        NDArray denominator = v.sqrt().divi(Math.sqrt(bc2)).addi(settings.eps());
        return m.div(denominator).divi(bc1);
    }
}
