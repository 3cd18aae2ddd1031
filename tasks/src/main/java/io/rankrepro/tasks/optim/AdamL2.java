package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * Adam with coupled L2 regularization (PyTorch's {@code Adam(weight_decay=λ)}): the decay joins the
 * gradient before the moments, g' = g + λw, so Adam's per-coordinate scaling also rescales the
 * decay. This is "Adam + L2" of Kobayashi et al. 2024, not {@link AdamW}.
 */
public final class AdamL2 extends GroupedOptimizer {
    private final AdamMoments moments;

    public AdamL2(List<ParameterGroup> groups, LrSchedule schedule, AdamSettings settings) {
        super(groups, schedule);
        this.moments = new AdamMoments(settings, zerosLikeParams(), zerosLikeParams());
    }

    @Override
    protected void update(NDArray w, NDArray g, int group, int param, double lr, double weightDecay, long t) {
        if (moments.fusedUpdate(w, g, group, param, lr, weightDecay, t, false)) {
            return;
        }
        NDArray coupled = weightDecay > 0 ? g.add(w.mul(weightDecay)) : g;
        w.subi(moments.direction(coupled, group, param, t).muli(lr));
    }
}
