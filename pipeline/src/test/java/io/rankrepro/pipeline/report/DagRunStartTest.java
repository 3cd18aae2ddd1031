package io.rankrepro.pipeline.report;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DagRunStartTest {
    private static final Path SPEC = Path.of("experiments/boix2023/fig1.yaml");

    private static Plan plan(Map<String, Object> overrides) throws Exception {
        return new Planner(TaskKinds.discover()).plan(SpecLoader.load(SPEC), "smoke", overrides);
    }

    @Test
    void theParentRecordsOverridesAndTheResolvedSpecWithStagePrefixes() throws Exception {
        Map<String, Object> set = new LinkedHashMap<>(Map.of("train.tau_max", 1.5));
        Plan plan = plan(set);
        Map<String, String> p = DagRunStart.params(plan, List.of("train.tau_max=1.5"), set);
        assertEquals("smoke", p.get("profile"));
        assertEquals("train.tau_max=1.5", p.get("overrides"));
        assertEquals("1.5", p.get("override.train.tau_max"));
        assertEquals("1.5", p.get("train.tau_max"), "resolved: the override wins over the profile's 3.0");
        assertEquals("0.02", p.get("train.learning_rate"), "resolved from the smoke profile");
        assertEquals("0.1, 1.0E-8", p.get("train.alpha"), "a swept param lists its values");

        Map<String, String> plain = DagRunStart.params(plan(Map.of()), List.of(), Map.of());
        assertEquals("3.0", plain.get("train.tau_max"));
        assertNotEquals(plain.get("overrides"), p.get("overrides"), "two runs that differ by overrides differ on the parent");

        Map<String, String> tags = DagRunStart.tags(plan, Map.of("system.host", "h"));
        assertEquals("dag-run", tags.get(DagRunStart.ROLE_TAG));
        String description = tags.get(DagRunStart.DESCRIPTION_TAG);
        assertTrue(description.contains(plan.spec().title()) && description.contains("Profile: smoke")
                && description.contains(plan.spec().data()), description);
    }

    @Test
    void aClaimBecomesPassedItsEffectsNumbersAndItsStatisticASanityCheckGoesApart() {
        io.rankrepro.tasks.task.Effect effect = io.rankrepro.tasks.task.Effect.overSeeds("rank drop", new double[] {2.0, 2.2, 1.9}, 0);
        Map<String, Double> m = ClaimMetrics.of(ClaimCheck.claim("Rank-Falls", "c", "m", "k", effect));
        assertEquals(1.0, m.get("claim/rank-falls/passed"));
        assertEquals((2.0 + 2.2 + 1.9) / 3, m.get("claim/rank-falls/statistic"), 1e-12);
        assertEquals(effect.low(), m.get("claim/rank-falls/effect/low"));
        assertEquals(effect.high(), m.get("claim/rank-falls/effect/high"));
        m.keySet().forEach(k -> assertTrue(io.rankrepro.mlflow.MetricNames.matches(k), k));

        Map<String, Double> sanity = ClaimMetrics.of(ClaimCheck.sanity("gap-nonnegative", "Δ ≥ 0", "min Δ = 0", "≥ 0", false));
        assertEquals(Map.of("check/gap-nonnegative/passed", 0.0), sanity);
    }
}
