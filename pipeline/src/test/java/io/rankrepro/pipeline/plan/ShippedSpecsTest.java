package io.rankrepro.pipeline.plan;

import io.rankrepro.pipeline.spec.ExperimentSpec;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every spec we ship plans at every profile: its task kinds exist and accept the resolved params.
 * A {@code paper}-profile model may be too big for the machine running the test; that one refusal
 * (the memory estimate) is the only problem allowed, and only at {@code paper}.
 */
class ShippedSpecsTest {
    private static final Path EXPERIMENTS = Path.of("experiments");
    private static final Planner PLANNER = new Planner(TaskKinds.discover());

    static Stream<Arguments> specsAndProfiles() throws IOException {
        try (Stream<Path> files = Files.walk(EXPERIMENTS)) {
            List<Path> specs = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(specs.size() >= 15, "expected every figure's spec under " + EXPERIMENTS.toAbsolutePath() + ", found " + specs);
            return specs.stream().flatMap(s -> ExperimentSpec.PROFILES.stream().map(p -> Arguments.of(EXPERIMENTS.relativize(s).toString(), p)));
        }
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("specsAndProfiles")
    void plans(String spec, String profile) throws Exception {
        ExperimentSpec s = SpecLoader.load(EXPERIMENTS.resolve(spec));
        assertEquals(spec.replace(".yaml", "").toLowerCase(java.util.Locale.ROOT), s.id(), "a spec's id is its path under experiments/, lower-cased");
        // every profile plans on any machine, paper included: whether a training fits is the run's device's question (DeviceMemory)
        Plan plan = PLANNER.plan(s, profile, Map.of());
        assertFalse(plan.tasks().isEmpty());
    }
}
