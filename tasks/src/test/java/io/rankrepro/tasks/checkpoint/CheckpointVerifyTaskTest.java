package io.rankrepro.tasks.checkpoint;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.io.NpzArray;
import io.rankrepro.tasks.io.NpzWriter;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointVerifyTaskTest {
    @TempDir
    Path tmp;
    Path train;
    Path out;
    final Map<String, String> tags = new HashMap<>();

    @BeforeEach
    void folders() throws IOException {
        train = Files.createDirectories(tmp.resolve("train"));
        Files.createDirectories(train.resolve("checkpoints"));
        out = Files.createDirectories(tmp.resolve("out"));
    }

    private TaskContext context() {
        RunTracker tracker = new RunTracker() {
            public String runId() { return "run"; }
            public void logParams(Map<String, String> params) { }
            public void setTags(Map<String, String> t) { tags.putAll(t); }
            public void logMetric(String key, double value, long step) { }
            public void logArtifact(Path file, String artifactDir) { }
            public void logArtifacts(Path dir, String artifactDir) { }
            public void flush() { }
        };
        return new TaskContext("checkpoint", "checkpoint", new SpecInfo("t/fig", "t", "p", "synthetic", "smoke", 0),
                Params.of(), Map.of(), List.of(new TaskInput("train", "train", Map.of(), train)), out, tracker,
                Progress.none());
    }

    private Path npz(String name, double... values) throws IOException {
        Path f = train.resolve("checkpoints").resolve(name);
        NpzWriter.write(f, List.of(NpzArray.of("w_q", values, 2, values.length / 2), NpzArray.vector("bias", new double[] {1, 2, 3})));
        return f;
    }

    private Path safetensors(String name, double... values) throws IOException {
        Path f = train.resolve("checkpoints").resolve(name);
        SafetensorsWriter.write(f, List.of(SafetensorsTensor.of("w_k", values, values.length)), Map.of());
        return f;
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void goodCheckpointsAreCopiedHashedAndListedByStep() throws Exception {
        Path late = npz("step_000001000.npz", 1, 2, 3, 4);
        Path early = safetensors("step_000000010.safetensors", 0.5, -0.5);
        Path first = npz("step_000000000.npz", 0, 0, 0, 0);
        Files.writeString(train.resolve("checkpoints").resolve("notes.txt"), "not a checkpoint");

        new CheckpointVerifyTask().run(context());

        CheckpointManifest m = CheckpointManifest.read(out);
        assertEquals(List.of(0L, 10L, 1000L), m.checkpoints().stream().map(CheckpointManifest.Checkpoint::step).toList());
        CheckpointManifest.Checkpoint c = m.atStep(1000);
        assertEquals("checkpoints/step_000001000.npz", c.file());
        assertEquals(sha256(late), c.sha256());
        assertEquals(Files.size(late), c.bytes());
        assertEquals(Map.of("bias", List.of(3L), "w_q", List.of(2L, 2L)), c.tensors());
        assertEquals(Map.of("w_k", List.of(2L)), m.atStep(10).tensors());
        for (Path original : List.of(late, early, first)) {
            assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(out.resolve("checkpoints").resolve(original.getFileName())));
        }
        assertTrue(Files.notExists(out.resolve("checkpoints").resolve("notes.txt")));
        assertEquals(sha256(early), tags.get("checkpoint.step_000000010.safetensors.sha256"));
        assertEquals(sha256(first), tags.get("checkpoint.step_000000000.npz.sha256"));
        assertEquals("3", tags.get("checkpoint.count"));
    }

    @Test
    void nanInACheckpointFailsNamingTheFile() throws IOException {
        npz("step_000000000.npz", 1, 2, 3, 4);
        Path bad = safetensors("step_000000100.safetensors", 1, Double.NaN, 3);
        IOException e = assertThrows(IOException.class, () -> new CheckpointVerifyTask().run(context()));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("NaN")
                && e.getMessage().contains("w_k"), e.getMessage());
    }

    @Test
    void infinityInAnNpzFailsNamingTheFile() throws IOException {
        Path bad = npz("step_000000005.npz", 1, Double.NEGATIVE_INFINITY, 3, 4);
        IOException e = assertThrows(IOException.class, () -> new CheckpointVerifyTask().run(context()));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("Infinity"), e.getMessage());
    }

    @Test
    void truncatedCheckpointsFailNamingTheFile() throws IOException {
        for (String name : List.of("step_000000001.safetensors", "step_000000002.npz")) {
            Path f = name.endsWith(".npz") ? npz(name, 1, 2, 3, 4) : safetensors(name, 1, 2, 3);
            byte[] bytes = Files.readAllBytes(f);
            Files.write(f, Arrays.copyOf(bytes, bytes.length - 5));
            IOException e = assertThrows(IOException.class, () -> new CheckpointVerifyTask().run(context()));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("unreadable"), e.getMessage());
            Files.delete(f);
            clear(out);
        }
    }

    @Test
    void fileWithoutAStepOrNoCheckpointsAtAllFails() throws IOException {
        IOException none = assertThrows(IOException.class, () -> new CheckpointVerifyTask().run(context()));
        assertTrue(none.getMessage().contains("no checkpoints"), none.getMessage());
        Path unnamed = npz("final.npz", 1, 2, 3, 4);
        IOException e = assertThrows(IOException.class, () -> new CheckpointVerifyTask().run(context()));
        assertTrue(e.getMessage().contains(unnamed.toString()) && e.getMessage().contains("step_%09d"), e.getMessage());
    }

    @Test
    void theContractReadsTheTrainingsCheckpointsAndCoversEveryFileWritten() throws Exception {
        npz("step_000000000.npz", 0, 0, 0, 0);
        safetensors("step_000000010.safetensors", 0.5, -0.5);
        new CheckpointVerifyTask().run(context());
        io.rankrepro.tasks.task.Contract k = new CheckpointVerifyTask().contract();
        assertEquals(List.of(new io.rankrepro.tasks.task.Contract.Input("train", List.of("checkpoints/"), false)), k.inputs());
        try (var walk = Files.walk(out)) {
            List<String> written = walk.filter(Files::isRegularFile).map(f -> out.relativize(f).toString()).sorted().toList();
            assertEquals(List.of("checkpoints.json", "checkpoints/step_000000000.npz", "checkpoints/step_000000010.safetensors"), written);
            for (String f : written) {
                assertTrue(k.writes(f), f);
            }
        }
    }

    @Test
    void itTakesNoParamsAndAMisspelledOneIsRefusedByName() {
        assertEquals(new CheckpointVerifyTask.Config(), ParamsBinding.bind(CheckpointVerifyTask.Config.class, Map.of()));
        ParamsBinding.Problems p = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(CheckpointVerifyTask.Config.class, Map.of("chekpoints", 4)));
        assertEquals(List.of("chekpoints: unknown parameter (parameters: )"), p.problems());
    }

    @Test
    void kindIsDiscoveredThroughServices() {
        assertTrue(TaskKinds.discover().find(CheckpointVerifyTask.KIND).orElseThrow() instanceof CheckpointVerifyTask);
    }

    private static void clear(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
        }
    }
}
