package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits named parameters into the three weight-decay groups of Kobayashi et al. 2024 —
 * attention (W_Q, W_K, W_V, P), MLP, and the rest (embeddings, norms, biases) — by
 * {@link ParameterRole#classify(String)}. Empty groups are dropped.
 *
 * @param groups     one group per non-empty role, in the order attention, mlp, other
 * @param assignment parameter name → role, in input order (log it: a misfiled name shows here)
 */
public record WeightDecayGroups(List<ParameterGroup> groups, Map<String, ParameterRole> assignment) {

    public WeightDecayGroups {
        groups = List.copyOf(groups);
        assignment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(assignment));
    }

    /**
     * The per-role decays.
     *
     * @param attention λ for W_Q, W_K, W_V, P
     * @param mlp       λ for MLP weights
     * @param other     λ for embeddings, norms, biases and anything unmatched (usually 0)
     */
    public record Decays(double attention, double mlp, double other) {
        public double of(ParameterRole role) {
            return switch (role) {
                case ATTENTION -> attention;
                case MLP -> mlp;
                case OTHER -> other;
            };
        }
    }

    /** Groups for named arrays (a name per array, in a stable order such as a block's parameter order). */
    public static WeightDecayGroups of(Map<String, NDArray> named, Decays decays) {
        Map<ParameterRole, List<NDArray>> arrays = new EnumMap<>(ParameterRole.class);
        Map<ParameterRole, List<String>> names = new EnumMap<>(ParameterRole.class);
        Map<String, ParameterRole> assignment = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : named.entrySet()) {
            ParameterRole role = ParameterRole.classify(e.getKey());
            arrays.computeIfAbsent(role, r -> new ArrayList<>()).add(e.getValue());
            names.computeIfAbsent(role, r -> new ArrayList<>()).add(e.getKey());
            assignment.put(e.getKey(), role);
        }
        List<ParameterGroup> groups = new ArrayList<>();
        for (ParameterRole role : ParameterRole.values()) {
            if (arrays.containsKey(role)) {
                groups.add(new ParameterGroup(role.name().toLowerCase(java.util.Locale.ROOT),
                        arrays.get(role), names.get(role), decays.of(role)));
            }
        }
        return new WeightDecayGroups(groups, assignment);
    }

    /** Groups for a DJL block's parameters ({@code block.getParameters()}), which must be initialized. */
    public static WeightDecayGroups ofParameters(PairList<String, Parameter> params, Decays decays) {
        Map<String, NDArray> named = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.valueAt(i);
            if (!p.isInitialized()) {
                throw new IllegalStateException("parameter '" + params.keyAt(i) + "' is not initialized; initialize the block first");
            }
            if (named.put(params.keyAt(i), p.getArray()) != null) {
                throw new IllegalArgumentException("parameter name '" + params.keyAt(i) + "' appears twice");
            }
        }
        return of(named, decays);
    }
}
