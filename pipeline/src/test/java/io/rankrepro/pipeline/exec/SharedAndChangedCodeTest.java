package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the shipped paper-A specs at smoke: kobayashi2024/fig4 planned after fig3 finds the LM
 * trainings (one stage file) already computed and shared; an edit of one figure kind's code reruns
 * only that figure, an edit of the transformer's reruns the trainings and what follows, each with
 * its reason. The code edits are simulated by changing one class's hash in the kinds' code.
 */
class SharedAndChangedCodeTest {
    private static final Path SPECS = Path.of("experiments/kobayashi2024");
    private static final TaskKinds KINDS = TaskKinds.discover();
    private static final KindCodeSource CODE = KindCodeSource.of(KINDS);

    @TempDir
    static Path work;
    private static OutputStore store;

    @BeforeAll
    static void runFig3() throws Exception {
        store = new OutputStore(work);
        Map<String, TaskOutcome> outcomes = run(plan("fig3.yaml"), CODE);
        assertTrue(outcomes.values().stream().allMatch(TaskOutcome::ok), outcomes.toString());
    }

    /** The offline proxy data `make data-cpu` fetches (make test depends on it), at the repository root. */
    private static final String DATA = Path.of("..", ".cache", "datasets").toAbsolutePath().normalize().toString();

    private static Plan plan(String spec) throws Exception {
        return new Planner(KINDS).plan(SpecLoader.load(SPECS.resolve(spec)), "smoke", Map.of("prepare.root", DATA));
    }

    private static TaskKeys keys(Plan plan, KindCodeSource code) {
        return TaskKeys.compute(plan, code, EngineVersions.current().asMap(), new ExternalData(KINDS));
    }

    private static Map<String, TaskOutcome> run(Plan plan, KindCodeSource code) {
        TaskRunner runner = new TaskRunner(KINDS, store, Tracking.none(), code, Map.of(), id -> Progress.none());
        TaskKeys keys = keys(plan, code);
        return new LocalExecutor(store, new InProcessLauncher(runner), 1, false, new PrintStream(new ByteArrayOutputStream()))
                .execute(plan, keys, new RunReason(store, plan, keys, code), null);
    }

    /** What `plan` would say of each task: null when cached, else why it runs. */
    private static Map<String, String> reasons(Plan plan, KindCodeSource code) {
        TaskKeys keys = keys(plan, code);
        RunReason why = new RunReason(store, plan, keys, code);
        Map<String, String> out = new TreeMap<>();
        for (PlannedTask t : plan.tasks()) {
            OutputStore.Verification v = store.verify(keys.key(t.id()));
            out.put(t.id(), v.ok() ? null : why.why(t, v));
        }
        return out;
    }

    /** The kinds' code with the class {@code edited} changed, as an edit of its source would. */
    private static KindCodeSource editing(String edited) {
        return new KindCodeSource() {
            @Override
            public String version(String kind) {
                return classes(kind).equals(CODE.classes(kind)) ? CODE.version(kind)
                        : Hashing.sha256(Hashing.canonicalJson(classes(kind)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public Map<String, String> classes(String kind) {
                Map<String, String> c = new TreeMap<>(CODE.classes(kind));
                c.computeIfPresent(edited, (k, v) -> "edited-" + v);
                return c;
            }
        };
    }

    @Test
    void fig4FindsTheLmTrainingsOfFig3SharedAndCached() throws Exception {
        Plan fig4 = plan("fig4.yaml");
        Map<String, String> why = reasons(fig4, CODE);
        List<String> lm = fig4.tasks().stream().filter(t -> List.of("prepare", "train", "checkpoint").contains(t.stage()))
                .map(PlannedTask::id).toList();
        assertEquals(5, lm.size(), lm.toString());
        for (String id : lm) {
            assertEquals(null, why.get(id), id + " is cached");
            assertTrue(store.experimentsByKey().get(keys(fig4, CODE).key(id)).contains("kobayashi2024/fig3"), id + " is fig3's");
            assertEquals("../../stages/kobayashi2024-lm.yaml", fig4.spec().stage(fig4.task(id).stage()).orElseThrow().sharedFrom());
        }
        assertEquals("no outputs yet", why.get("figure"));
    }

    @Test
    void editingAFigureKindRerunsOnlyThatFigure() throws Exception {
        Map<String, String> why = reasons(plan("fig3.yaml"), editing("io.rankrepro.tasks.weightdecay.Kobayashi2024Fig3Task"));
        why.forEach((id, reason) -> {
            if (id.equals("figure")) {
                assertEquals("code of kind kobayashi2024/fig3 changed (Kobayashi2024Fig3Task)", reason);
            } else {
                assertEquals(null, reason, id + " stays cached");
            }
        });
    }

    @Test
    void editingTheTransformerRerunsItsTrainingsAndWhatFollows() throws Exception {
        Map<String, String> why = reasons(plan("fig3.yaml"), editing("io.rankrepro.tasks.train.TrainTask"));
        assertEquals(null, why.get("prepare"), "the data does not depend on the transformer");
        for (String id : List.of("train[weight_decay_attention=0,seed_offset=0]", "train[weight_decay_attention=16,seed_offset=0]")) {
            assertTrue(why.get(id).startsWith("code of kind transformer/train changed (") && why.get(id).contains("TrainTask"), why.get(id));
        }
        // a task with one upstream of a stage names it by stage in its key (so the same training shared by
        // specs with other sweep axes has one key), and so does the reason
        assertEquals("upstream train changed", why.get("checkpoint[weight_decay_attention=0,seed_offset=0]"));
        assertTrue(why.get("figure").contains("upstream analyze["), why.get("figure"));
    }
}
