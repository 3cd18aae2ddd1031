package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every optimizer here shares: the groups, the step count, the schedule, and a per-step
 * {@link NDScope} so the temporaries of an update are freed at once (the per-parameter state is
 * allocated once, in the constructor, and updated in place).
 */
public abstract class GroupedOptimizer implements Optimizer {
    private final List<ParameterGroup> groups;
    private final LrSchedule schedule;
    private long steps;

    protected GroupedOptimizer(List<ParameterGroup> groups, LrSchedule schedule) {
        this.groups = List.copyOf(groups);
        this.schedule = schedule;
        Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParameterGroup g : this.groups) {
            for (int i = 0; i < g.params().size(); i++) {
                NDArray p = g.params().get(i);
                if (!p.getDataType().isFloating()) {
                    throw new IllegalArgumentException("parameter '" + g.names().get(i) + "' is " + p.getDataType() + "; need a floating type");
                }
                if (!seen.add(p)) {
                    throw new IllegalArgumentException("parameter '" + g.names().get(i) + "' appears in more than one group");
                }
            }
        }
    }

    /** Zeros shaped like each parameter, one list per group; kept out of any enclosing scope. */
    protected final List<List<NDArray>> zerosLikeParams() {
        List<List<NDArray>> state = new ArrayList<>();
        for (ParameterGroup g : groups) {
            List<NDArray> perParam = new ArrayList<>();
            for (NDArray p : g.params()) {
                NDArray z = p.zerosLike();
                NDScope.unregister(z);
                perParam.add(z);
            }
            state.add(List.copyOf(perParam));
        }
        return List.copyOf(state);
    }

    @Override
    public final void step(GradientSource gradients, double gradientScale) {
        if (!(gradientScale > 0) || Double.isInfinite(gradientScale)) {
            throw new IllegalArgumentException("gradient scale must be finite and > 0, got " + gradientScale);
        }
        double lr = schedule.at(steps);
        long t = steps + 1;
        try (NDScope scope = new NDScope()) {
            for (int gi = 0; gi < groups.size(); gi++) {
                ParameterGroup group = groups.get(gi);
                for (int pi = 0; pi < group.params().size(); pi++) {
                    NDArray w = group.params().get(pi);
                    NDArray g = gradients.gradientOf(w);
                    if (g == null || !g.getShape().equals(w.getShape()) || g.getDataType() != w.getDataType()) {
                        throw new IllegalArgumentException("gradient of '" + group.names().get(pi) + "' is "
                                + (g == null ? "missing" : g.getShape() + " " + g.getDataType())
                                + "; parameter is " + w.getShape() + " " + w.getDataType());
                    }
                    update(w, g, gradientScale, gi, pi, lr, group.weightDecay(), t);
                }
            }
        }
        steps = t;
    }

    /**
     * Updates {@code w} in place from the gradient {@code scale}·{@code g}. Temporaries made here
     * are freed when the step ends.
     *
     * @param t the 1-based step number (for bias corrections)
     */
    protected abstract void update(NDArray w, NDArray g, double scale, int group, int param, double lr, double weightDecay, long t);

    /** scale·g as a temporary, or g itself when scale is 1. */
    protected static NDArray scaled(NDArray g, double scale) {
        return scale == 1.0 ? g : g.mul(scale);
    }

    @Override
    public final long steps() {
        return steps;
    }

    @Override
    public final Map<String, NDArray> state() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        namedState().forEach((kind, perGroup) -> {
            for (int gi = 0; gi < groups.size(); gi++) {
                for (int pi = 0; pi < groups.get(gi).params().size(); pi++) {
                    named.put(kind + "/" + groups.get(gi).names().get(pi), perGroup.get(gi).get(pi));
                }
            }
        });
        return Collections.unmodifiableMap(named);
    }

    @Override
    public final void resumeAt(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        this.steps = steps;
    }

    /** Per-parameter state by kind (e.g. "adam.m" → one list per group), as made by {@link #zerosLikeParams}; none by default. */
    protected Map<String, List<List<NDArray>>> namedState() {
        return Map.of();
    }

    @Override
    public final double nextLearningRate() {
        return schedule.at(steps);
    }

    @Override
    public final List<ParameterGroup> groups() {
        return groups;
    }
}
