package io.rankrepro.pipeline.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated experiment spec: one paper figure or table, its stages, sweep and profiles.
 *
 * @param id       e.g. {@code boix2023/fig1}; also the MLflow experiment name
 * @param sweep    axes in declaration order, each a non-empty list of values
 * @param profiles by name (smoke, cpu, paper); a missing profile means "base values"
 * @param source   where it was loaded from, for messages
 * @param sha256   hash of the file's bytes, for provenance
 */
public record ExperimentSpec(
        String id,
        String title,
        String paper,
        String data,
        long seed,
        Map<String, List<Object>> sweep,
        List<StageSpec> stages,
        Map<String, ProfileSpec> profiles,
        String source,
        String sha256) {

    public static final List<String> PROFILES = List.of("smoke", "cpu", "paper");

    public ExperimentSpec {
        sweep = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sweep));
        stages = List.copyOf(stages);
        profiles = Map.copyOf(profiles);
    }

    public Optional<StageSpec> stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
