package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019), in PyTorch's {@code AdamW} form
 * where the decay is scaled by the learning rate: w ← w − η(m̂/(√v̂ + ε) + λw), the moments seeing
 * only the loss gradient. (The paper's original form uses a separate schedule multiplier instead
 * of η; with a constant schedule the two differ only by how λ is parameterized.)
 */
public final class AdamW extends GroupedOptimizer {
    private final AdamMoments moments;

    public AdamW(List<ParameterGroup> groups, LrSchedule schedule, AdamSettings settings) {
        super(groups, schedule);
        this.moments = new AdamMoments(settings, zerosLikeParams(), zerosLikeParams());
    }

    @Override
    protected java.util.Map<String, List<List<NDArray>>> namedState() {
        return moments.named();
    }

    @Override
    protected void update(NDArray w, NDArray g, double scale, int group, int param, double lr, double weightDecay, long t) {
        if (moments.fusedUpdate(w, g, scale, group, param, lr, weightDecay, t, true)) {
            return;
        }
        NDArray step = moments.direction(scaled(g, scale), group, param, t).muli(lr);
        if (weightDecay > 0) {
            w.muli(1 - lr * weightDecay); // the decay uses the old w: same as subtracting η·λ·w
        }
        w.subi(step);
    }
}
