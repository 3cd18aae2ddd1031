package io.rankrepro.pipeline.plan;

import io.rankrepro.pipeline.spec.ExperimentSpec;
import io.rankrepro.pipeline.spec.SpecException;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlannerTest {
    static final Path CHAIN = Path.of("src/test/resources/specs/chain.yaml");
    private final Planner planner = new Planner(TaskKinds.discover());

    @Test
    void expandsTheSweepUntilTheGather() throws Exception {
        Plan plan = planner.plan(SpecLoader.load(CHAIN), "cpu", Map.of());
        assertEquals(List.of("a", "b[x=1]", "b[x=2]", "b[x=3]", "c[x=1]", "c[x=2]", "c[x=3]", "d"),
                plan.tasks().stream().map(PlannedTask::id).toList());
        PlannedTask c2 = plan.task("c[x=2]");
        assertEquals(List.of("b[x=2]"), c2.upstream());
        assertEquals(List.of("a", "b[x=2]"), c2.ancestors());
        assertEquals(2.0, plan.task("b[x=2]").params().asMap().get("x"));
        assertEquals(0.0, c2.params().asMap().get("x"), "only the swept stage receives the sweep value; c has x's default");
        assertEquals(Map.of("x", 2L), c2.sweepPoint());
        PlannedTask d = plan.task("d");
        assertEquals(List.of("c[x=1]", "c[x=2]", "c[x=3]"), d.upstream());
        assertEquals(7, d.ancestors().size());
        assertEquals(List.of(d), plan.sinks());
    }

    @Test
    void profilesReplaceSweepsAndSetParams() throws Exception {
        ExperimentSpec spec = SpecLoader.load(CHAIN);
        assertEquals(4, planner.plan(spec, "smoke", Map.of()).tasks().size());
        assertEquals(100.0, planner.plan(spec, "paper", Map.of()).task("b[x=1]").params().getDouble("factor"));
        assertEquals(7.0, planner.plan(spec, "paper", Map.of("b.factor", 7.0)).task("b[x=3]").params().getDouble("factor"),
                "command-line overrides come after the profile");
    }

    @Test
    void rejectsUnknownKindsBadOverridesAndInvalidParamsBeforeRunning() throws Exception {
        ExperimentSpec spec = SpecLoader.load(CHAIN);
        SpecException e = assertThrows(SpecException.class, () -> planner.plan(spec, "cpu", Map.of("b.nope", 1.0)));
        assertTrue(e.getMessage().contains("--set b.nope: unknown parameter (parameters: x, factor, fail, sleep_ms)"), e.getMessage());
        e = assertThrows(SpecException.class, () -> planner.plan(spec, "cpu", Map.of("b.factr", 1.0)));
        assertTrue(e.getMessage().contains("--set b.factr: unknown parameter (did you mean factor?)"), e.getMessage());
        e = assertThrows(SpecException.class, () -> planner.plan(spec, "cpu", Map.of("a.factor", "big")));
        assertTrue(e.getMessage().contains("must be a number"), e.getMessage());
        e = assertThrows(SpecException.class, () -> planner.plan(spec, "turbo", Map.of()));
        assertTrue(e.getMessage().contains("profile 'turbo'"), e.getMessage());
        ExperimentSpec negative = SpecLoader.parse("neg.yaml", """
                id: test/neg
                title: t
                stages: [{name: a, kind: test/emit, params: {x: -1.0}}, {name: b, kind: no/such}]
                """.getBytes());
        e = assertThrows(SpecException.class, () -> planner.plan(negative, "cpu", Map.of()));
        assertTrue(e.getMessage().contains("a.x: must be ≥ 0"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown task kind 'no/such'"), e.getMessage());
    }

    @Test
    void sweepLabelsAreShortAndStable() {
        assertEquals("alpha=1e-16", SweepPoints.label(Map.of("alpha", 1e-16)));
        assertEquals("alpha=0.01", SweepPoints.label(Map.of("alpha", 0.01)));
        assertEquals("alpha=0.1", SweepPoints.label(Map.of("alpha", 0.1)));
        assertEquals("n=3", SweepPoints.label(Map.of("n", 3L)));
        assertEquals(6, SweepPoints.expand(new java.util.LinkedHashMap<>(Map.of("a", List.<Object>of(1, 2, 3)))).size() * 2);
    }
}
