package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.pipeline.testkinds.TestTaskProvider;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalExecutorTest {
    private static final Path CHAIN = Path.of("src/test/resources/specs/chain.yaml");
    private final TaskKinds kinds = TaskKinds.discover();

    private Map<String, TaskOutcome> run(Path work, Map<String, Object> overrides, ByteArrayOutputStream log) throws Exception {
        Plan plan = new Planner(kinds).plan(SpecLoader.load(CHAIN), "cpu", overrides);
        OutputStore store = new OutputStore(work);
        KindCodeSource code = KindCodeSource.whole("test-code");
        TaskRunner runner = new TaskRunner(kinds, store, Tracking.none(), code, Map.of(), id -> Progress.none());
        TaskKeys keys = TaskKeys.compute(plan, code, Map.of(), ExternalData.NONE);
        return new LocalExecutor(store, new InProcessLauncher(runner), 2, false, new PrintStream(log, true))
                .execute(plan, keys, new RunReason(store, plan, keys, code), null);
    }

    @Test
    void runsInDependencyOrderThenSkipsEverythingWithReasons(@TempDir Path work) throws Exception {
        TestTaskProvider.RUNS.set(0);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        Map<String, TaskOutcome> outcomes = run(work, Map.of(), first);
        assertTrue(outcomes.values().stream().allMatch(o -> o.status() == TaskOutcome.Status.RAN), first.toString());
        assertEquals(8, TestTaskProvider.RUNS.get());
        // a=0; b[x]=10x; c[x]=a+b[x]=10x; d = Σ c = 60
        assertEquals("60.0", Files.readString(outcomes.get("d").dir().resolve("sum.txt")));

        ByteArrayOutputStream second = new ByteArrayOutputStream();
        Map<String, TaskOutcome> again = run(work, Map.of(), second);
        assertEquals(8, TestTaskProvider.RUNS.get(), "nothing reran");
        assertTrue(again.values().stream().allMatch(o -> o.status() == TaskOutcome.Status.CACHED));
        assertEquals(8, second.toString().lines().filter(l -> l.contains("skipped: outputs verified")).count(), second.toString());

        ByteArrayOutputStream third = new ByteArrayOutputStream();
        Map<String, TaskOutcome> changed = run(work, Map.of("c.factor", 1.0), third);
        assertEquals(TaskOutcome.Status.CACHED, changed.get("b[x=2]").status());
        assertEquals(TaskOutcome.Status.RAN, changed.get("c[x=2]").status());
        assertEquals(TaskOutcome.Status.RAN, changed.get("d").status(), "a changed upstream key reruns its dependents");
        assertEquals(8 + 4, TestTaskProvider.RUNS.get());
    }

    @Test
    void aFailedTaskBlocksItsDependentsOnlyAndLeavesNoOutput(@TempDir Path work) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Map<String, TaskOutcome> outcomes = run(work, Map.of("b.fail", true), log);
        assertEquals(TaskOutcome.Status.RAN, outcomes.get("a").status());
        assertEquals(TaskOutcome.Status.FAILED, outcomes.get("b[x=1]").status());
        assertTrue(outcomes.get("b[x=1]").reason().contains("asked to fail"), outcomes.get("b[x=1]").reason());
        assertEquals(TaskOutcome.Status.BLOCKED, outcomes.get("c[x=1]").status());
        assertEquals(TaskOutcome.Status.BLOCKED, outcomes.get("d").status());
        assertTrue(log.toString().contains("not run: upstream b[x=1] did not succeed"), log.toString());
        try (var staged = Files.list(work.resolve("staging"))) {
            assertEquals(0, staged.count(), "failed tasks leave no staging folders");
        }
    }

    @Test
    void corruptedOutputsAreDetectedAndRecomputed(@TempDir Path work) throws Exception {
        Map<String, TaskOutcome> first = run(work, Map.of(), new ByteArrayOutputStream());
        Path value = first.get("b[x=2]").dir().resolve("value.txt");
        Files.writeString(value, "999.0");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Map<String, TaskOutcome> second = run(work, Map.of(), log);
        assertEquals(TaskOutcome.Status.RAN, second.get("b[x=2]").status());
        assertTrue(second.get("b[x=2]").reason().contains("outputs failed verification"), second.get("b[x=2]").reason());
        assertTrue(log.toString().contains("value.txt has sha256"), log.toString());
        assertEquals("20.0", Files.readString(value));
        assertEquals(TaskOutcome.Status.CACHED, second.get("c[x=2]").status(), "keys do not depend on output bytes");
    }

    @Test
    void keysChangeWithParamsAndCodeButNotWithRebuilds() throws Exception {
        Planner planner = new Planner(kinds);
        Plan plan = planner.plan(SpecLoader.load(CHAIN), "cpu", Map.of());
        Map<String, String> k1 = TaskKeys.of(plan, "v1");
        assertEquals(k1, TaskKeys.of(planner.plan(SpecLoader.load(CHAIN), "cpu", Map.of()), "v1"));
        assertNotEquals(k1.get("a"), TaskKeys.of(plan, "v2").get("a"));
        Map<String, String> k3 = TaskKeys.of(planner.plan(SpecLoader.load(CHAIN), "cpu", Map.of("b.factor", 11.0)), "v1");
        assertEquals(k1.get("a"), k3.get("a"));
        assertNotEquals(k1.get("b[x=1]"), k3.get("b[x=1]"));
        assertNotEquals(k1.get("d"), k3.get("d"));
        assertFalse(k1.get("d").isEmpty());
    }
}
