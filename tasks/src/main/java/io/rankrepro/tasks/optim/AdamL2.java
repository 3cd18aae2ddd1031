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
    protected java.util.Map<String, List<List<NDArray>>> namedState() {
        return moments.named();
    }

    @Override
    protected void update(NDArray w, NDArray g, double scale, int group, int param, double lr, double weightDecay, long t) {
        if (moments.fusedUpdate(w, g, scale, group, param, lr, weightDecay, t, false)) {
            return;
        }
        NDArray gs = scaled(g, scale);
        NDArray coupled = weightDecay > 0 ? gs.add(w.mul(weightDecay)) : gs;
        w.subi(moments.direction(coupled, group, param, t).muli(lr));
    }
}
