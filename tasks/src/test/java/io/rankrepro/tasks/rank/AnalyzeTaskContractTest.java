package io.rankrepro.tasks.rank;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.model.AttentionLayout;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rank/analyze's params, its declared input (the checkpoint stage's verified copies) and its outputs. */
class AnalyzeTaskContractTest {

    private static String problems(Map<String, Object> params) {
        return String.join("\n", assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(AnalyzeTask.Config.class, params)).problems());
    }

    @Test
    void defaultsChecksAndAMisspelledParam() {
        AnalyzeTask.Config c = ParamsBinding.bind(AnalyzeTask.Config.class, Map.of());
        assertEquals(new AnalyzeTask.Config(0.01, 0, null), c);
        assertEquals(List.of(), new AnalyzeTask().contract().external().apply(c));
        assertTrue(problems(Map.of("rel_tol", 1.0)).contains("rel_tol: must be in [0, 1), got 1.0"));
        assertTrue(problems(Map.of("rel_tol", -0.1)).contains("rel_tol: must be in [0, 1)"));
        assertTrue(problems(Map.of("heads", -1)).contains("heads: must be in [0, 4096] (0 = read from the checkpoint), got -1"));
        assertTrue(problems(Map.of("heads", 4097)).contains("heads: must be in [0, 4096]"));
        assertTrue(problems(Map.of("checkpoint", " ")).contains("checkpoint: must be a path to a .safetensors file"));
        String typo = problems(Map.of("rel_tl", 0.01));
        assertTrue(typo.contains("rel_tl: unknown parameter (did you mean rel_tol?)"), typo);
    }

    @Test
    void theContractReadsTheCheckpointStageAndWritesTheThreeTables() {
        Contract k = new AnalyzeTask().contract();
        Contract.Input in = k.input("checkpoint").orElseThrow();
        assertEquals(List.of("checkpoints/"), in.files());
        assertTrue(in.optional(), "a standalone analysis (param checkpoint) has no checkpoint stage");
        assertEquals(1, k.inputs().size());
        assertEquals(List.of(RankTables.RANKS, RankTables.BY_LAYER, RankTables.SPECTRA), k.outputs());
    }

    @Test
    void itAnalysesTheCheckpointStageNotTheTrainingsOriginals(@TempDir Path tmp) throws Exception {
        Path train = Files.createDirectories(tmp.resolve("train/checkpoints"));
        Files.writeString(train.resolve("step_000000000.safetensors"), "not a checkpoint");
        Path verified = Files.createDirectories(tmp.resolve("checkpoint/checkpoints"));
        Random r = new Random(2);
        for (long step : new long[] {0, 5}) {
            List<SafetensorsTensor> t = new ArrayList<>();
            for (String name : List.of(AttentionLayout.query(0), AttentionLayout.key(0), AttentionLayout.value(0), AttentionLayout.output(0))) {
                double[] w = new double[16];
                for (int i = 0; i < w.length; i++) {
                    w[i] = r.nextGaussian();
                }
                t.add(SafetensorsTensor.of(name, w, 4, 4));
            }
            SafetensorsWriter.write(verified.resolve(String.format("step_%09d.safetensors", step)), t,
                    Map.of("heads", "2", "step", Long.toString(step)));
        }
        List<TaskInput> inputs = List.of(new TaskInput("train", "train", Map.of(), train.getParent()),
                new TaskInput("checkpoint", "checkpoint", Map.of(), verified.getParent()));
        Path out = Files.createDirectories(tmp.resolve("out"));
        new AnalyzeTask().run(context(Params.of("rel_tol", 0.01), inputs, out));
        List<String> rows = Files.readAllLines(out.resolve(RankTables.RANKS));
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("0,0,1,KQ,")), String.join("\n", rows));
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("5,0,1,PV,delta,")), String.join("\n", rows)); // relative to the verified step 0
        for (String f : List.of(RankTables.RANKS, RankTables.BY_LAYER, RankTables.SPECTRA)) {
            assertTrue(new AnalyzeTask().contract().writes(f) && Files.isRegularFile(out.resolve(f)), f);
        }

        Path none = Files.createDirectories(tmp.resolve("none"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new AnalyzeTask().run(
                context(Params.of(), List.of(inputs.get(0)), none)));
        assertTrue(e.getMessage().contains("no upstream 'checkpoint' stage and no 'checkpoint' param"), e.getMessage());
        assertNull(ParamsBinding.unknown(AnalyzeTask.Config.class, "checkpoint"));
    }

    private static TaskContext context(Params p, List<TaskInput> inputs, Path out) {
        return new TaskContext("analyze", "analyze", new SpecInfo("t/t", "t", "", "", "smoke", 0), p, Map.of(), inputs, out,
                RunTracker.none(), Progress.none());
    }
}
