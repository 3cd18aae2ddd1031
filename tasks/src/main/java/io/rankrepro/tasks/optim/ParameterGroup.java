package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;

import java.util.List;

/**
 * Parameters that share one weight decay λ (Kobayashi et al. 2024 set λ separately for attention,
 * MLP and the rest). The arrays are updated in place by an {@link Optimizer}; the record itself
 * is immutable.
 *
 * @param name        e.g. {@code attention}, for logs
 * @param params      the arrays, initialized; each appears in at most one group of an optimizer
 * @param names       a name per array (same order), for logs and for checking the grouping
 * @param weightDecay λ ≥ 0; how it enters the update is the optimizer's business (coupled or decoupled)
 */
public record ParameterGroup(String name, List<NDArray> params, List<String> names, double weightDecay) {

    public ParameterGroup {
        params = List.copyOf(params);
        names = List.copyOf(names);
        if (names.size() != params.size()) {
            throw new IllegalArgumentException("group '" + name + "': " + params.size() + " arrays but " + names.size() + " names");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("group '" + name + "': weight decay must be finite and >= 0, got " + weightDecay);
        }
    }

    /** A group of unnamed arrays (named {@code name[i]}). */
    public static ParameterGroup of(String name, List<NDArray> params, double weightDecay) {
        List<String> names = new java.util.ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            names.add(name + "[" + i + "]");
        }
        return new ParameterGroup(name, params, names, weightDecay);
    }

    /** A group of DJL block parameters; each must already be initialized. */
    public static ParameterGroup ofParameters(String name, List<Parameter> params, double weightDecay) {
        return new ParameterGroup(name,
                params.stream().map(ParameterGroup::initializedArray).toList(),
                params.stream().map(Parameter::getName).toList(),
                weightDecay);
    }

    private static NDArray initializedArray(Parameter p) {
        if (!p.isInitialized()) {
            throw new IllegalStateException("parameter '" + p.getName() + "' is not initialized; initialize the block first");
        }
        return p.getArray();
    }
}
