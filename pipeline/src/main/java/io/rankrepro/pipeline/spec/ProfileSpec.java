package io.rankrepro.pipeline.spec;

import java.util.List;
import java.util.Map;

/**
 * What a profile changes: sweep axes it replaces and {@code stage.param} values it sets.
 */
public record ProfileSpec(Map<String, List<Object>> sweep, Map<String, Object> set) {
    public ProfileSpec {
        sweep = Map.copyOf(sweep);
        set = Map.copyOf(set);
    }

    public static ProfileSpec empty() {
        return new ProfileSpec(Map.of(), Map.of());
    }
}
