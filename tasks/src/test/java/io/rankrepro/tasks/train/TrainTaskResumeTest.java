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
 * transformer/train resumes exactly: a run continued from its step-20 snapshot (parameters, Adam
 * moments, step count, replayed sampler, outputs so far) writes the same bytes as the run that
 * never stopped — loss.csv, every checkpoint, model.json — and trains only the remaining steps.
 */
class TrainTaskResumeTest {
    static final int STEPS = 30;

    @Test
    void aResumedTrainingWritesTheBytesOfAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path prepared = Files.createDirectories(tmp.resolve("prepare"));
        int[] tokens = new Random(5).ints(3000, 0, 16).toArray();
        PreparedData.writeTokens(prepared, new PreparedData.Manifest("test-text", "random tokens (test)", "text", 0, 16, List.of(),
                tokens.length, "none"), new TokenStream("test-text", 16, tokens));
        Params params = new Params(Map.ofEntries(Map.entry("width", 16), Map.entry("heads", 2), Map.entry("layers", 2),
                Map.entry("context", 8), Map.entry("steps", STEPS), Map.entry("batch_size", 4), Map.entry("lr", 0.01),
                Map.entry("warmup_steps", 5), Map.entry("grad_clip", 0.5), Map.entry("checkpoints", 6),
                Map.entry("loss_points", STEPS), Map.entry("resume_every", 10), Map.entry("weight_decay_attention", 0.1)));
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
        for (String f : a.keySet()) {
            assertArrayEquals(a.get(f), b.get(f), f + " differs between the uninterrupted and the resumed run");
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

    /** Records the steps of the train.loss metric. */
    private record LossSteps(List<Long> steps) implements RunTracker {
        @Override
        public void logMetric(String key, double value, long step) {
            if (key.equals("train.loss")) {
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
