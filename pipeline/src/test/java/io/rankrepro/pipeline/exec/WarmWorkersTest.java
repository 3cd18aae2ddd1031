package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real worker JVMs ({@code rankrepro worker} on this class path) running the chain spec's test kinds:
 * the same outputs as in-process runs, on at most two JVMs; and a worker over its memory ceiling is
 * replaced after its task, with nothing lost.
 */
class WarmWorkersTest {
    private static final Path CHAIN = Path.of("src/test/resources/specs/chain.yaml");
    private final TaskKinds kinds = TaskKinds.discover();

    private String run(Path work, String profile, long maxRssBytes, Map<String, TaskOutcome>[] outcomes) throws Exception {
        Plan plan = new Planner(kinds).plan(SpecLoader.load(CHAIN), profile, Map.of());
        OutputStore store = new OutputStore(work);
        KindCodeSource code = KindCodeSource.of(kinds);
        // the keys a worker computes for itself (rankrepro task): the kinds' code, the engines, no external data here
        TaskKeys keys = TaskKeys.compute(plan, code, EngineVersions.current().asMap(), new ExternalData(kinds));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true);
        try (WarmWorkers warm = new WarmWorkers(new WarmWorkers.Settings(profile, Map.of(), work, null, RankreproCli.class.getName(),
                2, maxRssBytes, out))) {
            outcomes[0] = new LocalExecutor(store, warm, 2, false, out).execute(plan, keys, new RunReason(store, plan, keys, code), null);
        }
        return log.toString();
    }

    @SuppressWarnings("unchecked")
    @Test
    void tasksRunOnTwoWarmWorkersAndALeakyOneIsReplaced(@TempDir Path tmp) throws Exception {
        Map<String, TaskOutcome>[] outcomes = new Map[1];
        String log = run(tmp.resolve("warm"), "cpu", WarmWorkers.defaultMaxRssBytes(2), outcomes);
        assertTrue(outcomes[0].values().stream().allMatch(o -> o.status() == TaskOutcome.Status.RAN), log);
        // a=0; b[x]=10x; c[x]=a+b[x]; d = Σ c = 60, as in-process (LocalExecutorTest)
        assertEquals("60.0", Files.readString(outcomes[0].get("d").dir().resolve("sum.txt")));
        assertEquals(0, log.lines().filter(l -> l.contains("replacing it")).count(), log);

        // every worker "leaks" (over a 1-byte ceiling): each is retired after its task, and a fresh one takes the next
        // (smoke: x = 1 only, so d = c[x=1] = 10 and four JVMs in turn)
        String leaky = run(tmp.resolve("leaky"), "smoke", 1, outcomes);
        assertTrue(outcomes[0].values().stream().allMatch(o -> o.status() == TaskOutcome.Status.RAN), leaky);
        assertEquals("10.0", Files.readString(outcomes[0].get("d").dir().resolve("sum.txt")));
        assertEquals(4, leaky.lines().filter(l -> l.matches("  worker \\d+ holds \\d+ MiB after 1 tasks \\(ceiling 0 MiB\\): replacing it")).count(), leaky);
    }
}
