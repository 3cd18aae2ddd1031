package io.rankrepro.tasks.train;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.data.PreparedData;
import io.rankrepro.tasks.data.TokenStream;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.ResumeFolder;
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
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * transformer/train resumes: a run continued from its step-20 snapshot (parameters, Adam moments,
 * step count, replayed sampler, outputs so far) writes what the run that never stopped wrote —
 * byte for byte up to the snapshot, and after it the same losses to 1e-9 and checkpoint weights to
 * 1e-7. The test trains in float64 with tolerances, which a resume that got the sampler or the
 * step count wrong misses by 1e-3. (Float32 runs used to differ now and then: that was a
 * use-after-free of W_Q's score scale, fixed in model.EngineScalar; see docs/ARCHITECTURE.md,
 * Determinism.) The snapshot itself round-trips bit for bit.
 */
class TrainTaskResumeTest {
    static final int STEPS = 30;

    @Test
    void aResumedTrainingWritesWhatAnUninterruptedOneWrites(@TempDir Path tmp) throws Exception {
        Path prepared = Files.createDirectories(tmp.resolve("prepare"));
        int[] tokens = new Random(5).ints(3000, 0, 16).toArray();
        PreparedData.writeTokens(prepared, new PreparedData.Manifest("test-text", "random tokens (test)", "text", 0, 16, List.of(),
                tokens.length, "none"), new TokenStream("test-text", 16, tokens));
        Params params = new Params(Map.ofEntries(Map.entry("width", 16), Map.entry("heads", 2), Map.entry("layers", 2),
                Map.entry("context", 8), Map.entry("steps", STEPS), Map.entry("batch_size", 4), Map.entry("lr", 0.01),
                Map.entry("warmup_steps", 5), Map.entry("grad_clip", 0.5), Map.entry("checkpoints", 6),
                Map.entry("loss_points", STEPS), Map.entry("resume_every", 10), Map.entry("weight_decay_attention", 0.1),
                Map.entry("dtype", "float64")));
        List<TaskInput> inputs = List.of(new TaskInput("prepare", "prepare", Map.of(), prepared));

        Path resumeDir = tmp.resolve("resume");
        List<String> said = new ArrayList<>();
        Path whole = Files.createDirectories(tmp.resolve("whole"));
        new TrainTask().run(context(params, inputs, whole, RunTracker.none(), new ResumeFolder(resumeDir, said::add)));
        // what a crash after step 20 leaves: the newest snapshot (the run's own folder is dropped once published)
        try (Stream<Path> s = Files.list(resumeDir)) {
            assertEquals(List.of("step_000000000020"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }

        Path continued = Files.createDirectories(tmp.resolve("continued"));
        List<Long> trainedSteps = new ArrayList<>();
        new TrainTask().run(context(params, inputs, continued, new LossSteps(trainedSteps), new ResumeFolder(resumeDir, said::add)));
        assertTrue(said.stream().anyMatch(m -> m.startsWith("resuming after step 20")), String.join("\n", said));
        assertEquals(20L, trainedSteps.get(0), "the continued run trained from step 20 on only");
        assertEquals(STEPS - 20, trainedSteps.size());

        Map<String, byte[]> a = files(whole);
        Map<String, byte[]> b = files(continued);
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.keySet().stream().filter(f -> f.startsWith("checkpoints/")).count() >= 5, a.keySet().toString());
        assertTrue(a.keySet().containsAll(List.of("loss.csv", "model.json")), a.keySet().toString());
        for (String f : a.keySet()) {
            assertTrue(new TrainTask().contract().writes(f), f + " is not among the declared outputs");
        }
        for (String f : a.keySet()) {
            long step = f.startsWith("checkpoints/step_") ? Long.parseLong(f.replaceAll("\\D", "")) : -1;
            if (step > 20) { // trained after the resume: the same but for the engine's float64 noise
                assertWeightsClose(whole.resolve(f), continued.resolve(f), 1e-7);
            } else if (f.equals("loss.csv")) {
                assertLossesClose(new String(a.get(f)), new String(b.get(f)), 20, 1e-9);
            } else {
                assertArrayEquals(a.get(f), b.get(f), f + " differs between the uninterrupted and the resumed run");
            }
        }
    }

    @Test
    void aSnapshotRoundTripsParametersAndOptimizerStateBitForBit(@TempDir Path tmp) throws Exception {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            Random r = new Random(1);
            Map<String, ai.djl.ndarray.NDArray> params = new java.util.LinkedHashMap<>();
            Map<String, ai.djl.ndarray.NDArray> fresh = new java.util.LinkedHashMap<>();
            for (String name : List.of("w", "b")) {
                float[] v = new float[37];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) r.nextGaussian() / 3; // values with full float32 mantissas
                }
                params.put(name, m.create(v));
                fresh.put(name, m.zeros(new ai.djl.ndarray.types.Shape(37)));
            }
            io.rankrepro.tasks.optim.Optimizer saved = adam(params);
            for (int s = 0; s < 3; s++) {
                ai.djl.ndarray.NDArray g = m.create(new float[37]).add(0.01f * (s + 1));
                saved.step(p -> g);
            }
            TrainingSnapshot.write(tmp, params, saved);
            io.rankrepro.tasks.optim.Optimizer restored = adam(fresh);
            assertEquals(3, TrainingSnapshot.restore(tmp, fresh, restored));
            assertEquals(3, restored.steps());
            for (String name : params.keySet()) {
                assertArrayEquals(params.get(name).toFloatArray(), fresh.get(name).toFloatArray(), 0f, name);
            }
            for (String key : saved.state().keySet()) {
                assertArrayEquals(saved.state().get(key).toFloatArray(), restored.state().get(key).toFloatArray(), 0f, key);
            }
            assertEquals(4, saved.state().size(), "adam.m and adam.v of two parameters: " + saved.state().keySet());
        }
    }

    private static io.rankrepro.tasks.optim.Optimizer adam(Map<String, ai.djl.ndarray.NDArray> params) {
        return io.rankrepro.tasks.optim.OptimizerKind.ADAM_L2.create(
                List.of(io.rankrepro.tasks.optim.ParameterGroup.of("all", List.copyOf(params.values()), 0.1)),
                io.rankrepro.tasks.optim.LrSchedule.constant(0.01), new io.rankrepro.tasks.optim.AdamSettings(0.9, 0.999, 1e-8), 0);
    }

    private static void assertWeightsClose(Path expected, Path actual, double tol) throws Exception {
        var e = io.rankrepro.tasks.io.SafetensorsReader.read(expected).tensors();
        var a = io.rankrepro.tasks.io.SafetensorsReader.read(actual).tensors();
        assertEquals(e.keySet(), a.keySet());
        for (String name : e.keySet()) {
            double[] x = e.get(name).data();
            double[] y = a.get(name).data();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], tol, expected.getFileName() + " " + name + "[" + i + "]");
            }
        }
    }

    /** Rows before {@code resumedAt} identical; later losses within {@code rel}; same steps and learning rates. */
    private static void assertLossesClose(String expected, String actual, long resumedAt, double rel) {
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        assertEquals(e.size(), a.size(), "loss.csv rows");
        for (int i = 0; i < e.size(); i++) {
            String[] x = e.get(i).split(",");
            String[] y = a.get(i).split(",");
            if (i == 0 || Long.parseLong(x[0]) < resumedAt) {
                assertEquals(e.get(i), a.get(i), "loss.csv row " + i);
            } else {
                assertEquals(x[0], y[0]);
                assertEquals(x[2], y[2], "learning rate at step " + x[0]);
                assertEquals(Double.parseDouble(x[1]), Double.parseDouble(y[1]), rel * Math.abs(Double.parseDouble(x[1])), "loss at step " + x[0]);
            }
        }
    }

    private static TaskContext context(Params p, List<TaskInput> inputs, Path out, RunTracker tracker, ResumeFolder resume) {
        return new TaskContext("train", "train", new SpecInfo("test", "test", "test", "test", "test", 0), p, Map.of(),
                inputs, out, tracker, Progress.none(), resume);
    }

    private static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        return m;
    }

    /** Records the steps of the train/loss metric. */
    private record LossSteps(List<Long> steps) implements RunTracker {
        @Override
        public void logMetric(String key, double value, long step) {
            if (key.equals("train/loss")) {
                steps.add(step);
            }
        }

        @Override
        public String runId() {
            return null;
        }

        @Override
        public void logParams(Map<String, String> params) { }

        @Override
        public void setTags(Map<String, String> tags) { }

        @Override
        public void logArtifact(Path file, String artifactDir) { }

        @Override
        public void logArtifacts(Path dir, String artifactDir) { }

        @Override
        public void flush() { }
    }
}
