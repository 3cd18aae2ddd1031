package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * Stochastic gradient descent with coupled weight decay and optional heavy-ball momentum, as
 * PyTorch's {@code SGD} (dampening 0, no Nesterov): g' = g + λw; b ← μb + g' (b₀ = 0, so b₁ = g');
 * w ← w − η·b. With μ = 0: w ← w − η(g + λw).
 */
public final class Sgd extends GroupedOptimizer {
    private final double momentum;
    private final List<List<NDArray>> buffers;

    public Sgd(List<ParameterGroup> groups, LrSchedule schedule, double momentum) {
        super(groups, schedule);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
        this.buffers = momentum > 0 ? zerosLikeParams() : List.of();
    }

    @Override
    protected java.util.Map<String, List<List<NDArray>>> namedState() {
        return momentum > 0 ? java.util.Map.of("sgd.momentum", buffers) : java.util.Map.of();
    }

    @Override
    protected void update(NDArray w, NDArray g, double scale, int group, int param, double lr, double weightDecay, long t) {
        NDArray gs = scaled(g, scale);
        NDArray direction = weightDecay > 0 ? gs.add(w.mul(weightDecay)) : gs;
        if (momentum > 0) {
            NDArray buffer = buffers.get(group).get(param);
            direction = buffer.muli(momentum).addi(direction);
        }
        w.subi(direction.mul(lr));
    }
}
