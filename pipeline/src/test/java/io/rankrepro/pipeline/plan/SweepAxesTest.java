package io.rankrepro.pipeline.plan;

import io.rankrepro.pipeline.exec.TaskKeys;
import io.rankrepro.pipeline.spec.SpecException;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sweep axes split over several swept stages, and one training shared by the specs that plan it. */
class SweepAxesTest {
    private static final Path BOIX = Path.of("experiments/boix2023");
    private final Planner planner = new Planner(TaskKinds.discover());

    @Test
    void eachSweptStageTakesTheAxesThatAreItsParams() throws Exception {
        Plan fig3 = planner.plan(SpecLoader.load(BOIX.resolve("fig3.yaml")), "cpu", Map.of());
        PlannedTask prepare = fig3.task("prepare[dataset=moby-dick,seed_offset=2]");
        assertEquals("moby-dick", prepare.params().asMap().get("dataset"));
        assertFalse(prepare.params().asMap().containsKey("seed_offset"), "data/prepare has no seed_offset");
        PlannedTask train = fig3.task("train[dataset=moby-dick,seed_offset=2]");
        assertEquals(2L, ((Number) train.params().asMap().get("seed_offset")).longValue());
        assertFalse(train.params().asMap().containsKey("dataset"), "transformer/train has no dataset");
    }

    @Test
    void anAxisNoSweptStageTakesIsRefused() throws Exception {
        var spec = SpecLoader.parse("axis.yaml", """
                id: test/axis
                title: t
                sweep: {nope: [1, 2]}
                stages: [{name: a, kind: test/emit, sweep: true}]
                """.getBytes());
        SpecException e = assertThrows(SpecException.class, () -> planner.plan(spec, "cpu", Map.of()));
        assertTrue(e.getMessage().contains("sweep.nope: no swept stage has it as a parameter (swept: 'a' (test/emit: x, factor, fail, sleep_ms))"),
                e.getMessage());
    }

    @Test
    void theSameTrainingHasTheSameKeyInEverySpecThatPlansIt() throws Exception {
        // fig3 names the digits ViT's prepare input prepare[dataset=sklearn-digits,seed_offset=0], fig4 and fig5 name it prepare
        var fig3 = TaskKeys.of(planner.plan(SpecLoader.load(BOIX.resolve("fig3.yaml")), "cpu", Map.of()), "v");
        var fig4 = TaskKeys.of(planner.plan(SpecLoader.load(BOIX.resolve("fig4.yaml")), "cpu", Map.of()), "v");
        var fig5 = TaskKeys.of(planner.plan(SpecLoader.load(BOIX.resolve("fig5.yaml")), "cpu", Map.of()), "v");
        String key = fig3.get("train[dataset=sklearn-digits,seed_offset=1]");
        assertEquals(key, fig4.get("train[seed_offset=1]"));
        assertEquals(key, fig5.get("train[init_scale=1,seed_offset=1]"));
        assertEquals(fig3.get("analyze[dataset=sklearn-digits,seed_offset=1]"), fig5.get("analyze[init_scale=1,seed_offset=1]"));
        assertFalse(key.equals(fig5.get("train[init_scale=0.1,seed_offset=1]")));
        assertFalse(key.equals(fig4.get("train[seed_offset=2]")), "seeds are different trainings");
    }
}
