package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prepare → train (two α) → analyze → figure on a tiny configuration, through the task contract. */
class ToyTasksEndToEndTest {
    private static final SpecInfo SPEC = new SpecInfo("boix2023/fig1", "toy diagonal attention head",
            "Boix-Adsera et al. 2023, Figure 1", "synthetic: seeded Gaussian tokens, diagonal teacher", "smoke", 0);
    private static final List<Double> ALPHAS = List.of(1e-1, 1e-3);

    @TempDir
    static Path root;
    private static TaskInput prepare;
    private static final List<TaskInput> trains = new ArrayList<>();
    private static final List<TaskInput> analyses = new ArrayList<>();

    /** Runs {@code task} as the runner will: params bound to its contract, only its declared inputs, only declared outputs. */
    private static TaskInput run(Task task, String id, String stage, Params params, Map<String, Object> sweep,
                                 List<TaskInput> inputs) throws Exception {
        Contract contract = task.contract();
        ParamsBinding.bind(contract.params(), params.asMap()); // throws ParamsBinding.Problems when refused
        String name = id.replaceAll("[^a-z0-9.=-]", "_");
        Path out = Files.createDirectories(root.resolve(name));
        List<TaskInput> declared = ToyFixtures.declared(contract, inputs, root.resolve("inputs-of-" + name));
        task.run(new TaskContext(id, stage, SPEC, params, sweep, declared, out, RunTracker.none(), Progress.none()));
        ToyFixtures.assertWritesDeclared(contract, out);
        return new TaskInput(id, stage, sweep, out);
    }

    private static Params trainParams(double alpha) {
        return Params.of("alpha", alpha, "learning_rate", 0.05, "tau_max", 3.0, "checkpoints", 12,
                "uniform_checkpoints", 12, "log_every", 2);
    }

    @BeforeAll
    static void pipeline() throws Exception {
        prepare = run(new DiagonalToyPrepareTask(), "prepare", "prepare", Params.of("tokens", 4, "samples", 16,
                "teacher_kq", List.of(0.5, 0.0, 0.0, -1.0, 0.0), "teacher_vo", List.of(1.2, 0.0, -0.5, 0.0, 0.0),
                "data_seed", 0), Map.of(), List.of());
        for (double alpha : ALPHAS) {
            Map<String, Object> sweep = Map.of("alpha", alpha);
            TaskInput train = run(new DiagonalToyTrainTask(), "train[alpha=" + alpha + "]", "train", trainParams(alpha),
                    sweep, List.of(prepare));
            trains.add(train);
            analyses.add(run(new DiagonalToyAnalyzeTask(), "analyze[alpha=" + alpha + "]", "analyze", Params.of(),
                    sweep, List.of(prepare, train)));
        }
    }

    private static TaskInput figure(String id) throws Exception {
        List<TaskInput> inputs = new ArrayList<>(List.of(prepare));
        inputs.addAll(trains);
        inputs.addAll(analyses);
        return run(new Boix2023Fig1Task(), id, "figure", Params.of("stage_tolerance", 0.1), Map.of(), inputs);
    }

    @Test
    void tasksAreDiscoveredThroughTheServiceFile() {
        TaskKinds kinds = TaskKinds.discover();
        for (String kind : List.of("diagonal-toy/prepare", "diagonal-toy/train", "diagonal-toy/analyze", "boix2023/fig1")) {
            assertTrue(kinds.find(kind).isPresent(), kind);
        }
    }

    @Test
    void trainWritesLogSpacedCheckpointsAndALossPerLogStep() throws Exception {
        Path dir = trains.get(1).dir();
        TrainRecord record = TrainRecord.read(dir.resolve(ToyFiles.TRAIN_RECORD));
        long steps = (long) Math.ceil(3.0 * Math.log(1e3) / 0.05);
        assertEquals(steps, record.steps());
        List<Long> saved;
        try (Stream<Path> s = Files.list(dir.resolve(ToyFiles.CHECKPOINTS))) {
            saved = s.map(ToyFiles::checkpointStep).sorted().toList();
        }
        assertEquals(0L, saved.get(0));
        assertEquals(steps, saved.get(saved.size() - 1));
        assertArrayEquals(CheckpointSchedule.steps(steps, 12, 12), saved.stream().mapToLong(Long::longValue).toArray());
        Table loss = Table.read(dir.resolve(ToyFiles.LOSS));
        assertEquals(List.of("step", "tau", "loss"), loss.columns());
        assertEquals(steps / 2 + 1 + (steps % 2), loss.rows().size());
        double[] l = loss.doubles("loss");
        assertTrue(l[l.length - 1] < 1e-2 * l[0], "training fits the teacher: " + l[0] + " → " + l[l.length - 1]);
        DiagonalHeadWeights w0 = DiagonalHeadWeights.read(dir.resolve(ToyFiles.CHECKPOINTS).resolve(ToyFiles.checkpointName(0)));
        assertEquals(DiagonalHeadWeights.smallInit(5, 1e-3), w0);
    }

    @Test
    void trainingIsBitReproducible() throws Exception {
        TaskInput again = run(new DiagonalToyTrainTask(), "train-again", "train", trainParams(1e-3),
                Map.of("alpha", 1e-3), List.of(prepare));
        Path a = trains.get(1).dir();
        Path b = again.dir();
        for (String f : List.of(ToyFiles.LOSS, ToyFiles.TRAIN_RECORD)) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        try (Stream<Path> s = Files.list(a.resolve(ToyFiles.CHECKPOINTS))) {
            for (Path f : s.toList()) {
                Path other = b.resolve(ToyFiles.CHECKPOINTS).resolve(f.getFileName());
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(other), f.toString());
            }
        }
    }

    @Test
    void analyzeWritesTidyTablesAndPrefersVerifiedCheckpoints() throws Exception {
        Path dir = analyses.get(1).dir();
        assertEquals(List.of("step", "tau", "product", "index", "value"), Table.read(dir.resolve(ToyFiles.ENTRIES)).columns());
        Table metrics = Table.read(dir.resolve(ToyFiles.METRICS));
        assertEquals(List.of("step", "tau", "product", "metric", "value"), metrics.columns());
        assertTrue(metrics.strings("metric").containsAll(List.of("stable_rank", "effective_rank", "numerical_rank",
                "nuclear_norm", "sv_1")));
        Table greedy = Table.read(dir.resolve(ToyFiles.GREEDY));
        assertEquals(List.of("none", "vo[0]", "kq[0]", "vo[2]", "kq[3]"), greedy.strings("coordinate"));

        // a checkpoint input holding only the first checkpoint is what analyze must read
        Path verified = Files.createDirectories(root.resolve("verified").resolve(ToyFiles.CHECKPOINTS));
        Files.copy(trains.get(1).dir().resolve(ToyFiles.CHECKPOINTS).resolve(ToyFiles.checkpointName(0)),
                verified.resolve(ToyFiles.checkpointName(0)));
        TaskInput checkpoint = new TaskInput("checkpoint[alpha=0.001]", "checkpoint", Map.of("alpha", 1e-3),
                verified.getParent());
        TaskInput a = run(new DiagonalToyAnalyzeTask(), "analyze-verified", "analyze", Params.of(), Map.of("alpha", 1e-3),
                List.of(prepare, trains.get(1), checkpoint));
        Table entries = Table.read(a.dir().resolve(ToyFiles.ENTRIES));
        assertEquals(10, entries.rows().size(), "one checkpoint x (5 kq + 5 vo) entries");
    }

    @Test
    void figureWritesChecksAndIsByteIdenticalTwice() throws Exception {
        TaskInput first = figure("figure");
        TaskInput second = figure("figure-again");
        for (String f : List.of("fig1.png", "fig1.svg", "figure-data.csv", ClaimChecks.FILE_NAME)) {
            assertTrue(Files.size(first.dir().resolve(f)) > 100, f);
            assertArrayEquals(Files.readAllBytes(first.dir().resolve(f)), Files.readAllBytes(second.dir().resolve(f)), f);
        }
        List<ClaimCheck> checks = ClaimChecks.read(first.dir());
        assertEquals(List.of("greedy-stage-times", "plateaus-sharpen", "one-entry-per-stage"), checks.stream().map(ClaimCheck::id).toList());
        for (ClaimCheck c : checks) {
            assertFalse(c.measured().isBlank());
        }
        // α = 1e-3 is not small: the plateaus are already sharper than at α = 0.1
        assertTrue(checks.get(1).measured().contains("α = 1e-1") && checks.get(1).measured().contains("α = 1e-3"),
                checks.get(1).measured());
        String svg = Files.readString(first.dir().resolve("fig1.svg"));
        assertTrue(svg.contains("profile smoke"), "the caption states the profile");
        Table data = Table.read(first.dir().resolve("figure-data.csv"));
        assertTrue(data.strings("series").contains("greedy (α → 0)"));
    }
}
