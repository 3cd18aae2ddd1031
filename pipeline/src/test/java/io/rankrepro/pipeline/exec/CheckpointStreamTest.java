package io.rankrepro.pipeline.exec;

import io.rankrepro.mlflow.LoggedModelRequest;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.mlflow.TrackingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

// Every wait below is for an event of the background thread, never for a time; the timeout only
// ends a hang (a stream that never sends), so no verdict depends on how loaded the machine is.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CheckpointStreamTest {

    /** The run's artifact uploads, as "artifact dir/file name". */
    private final List<String> uploads = new CopyOnWriteArrayList<>();
    /** Counted down by the first upload. */
    private final CountDownLatch firstUpload = new CountDownLatch(1);
    private final List<LoggedModelRequest> registered = new CopyOnWriteArrayList<>();

    private final RunTracker run = new RunTracker() {
        @Override public String runId() { return "run-1"; }
        @Override public void logParams(Map<String, String> params) { }
        @Override public void setTags(Map<String, String> tags) { }
        @Override public void logMetric(String key, double value, long step) { }
        @Override public void logArtifact(Path file, String artifactDir) { uploads.add(artifactDir + "/" + file.getFileName()); }
        @Override public void logArtifacts(Path dir, String artifactDir) { }
        @Override public void logArtifactFiles(Map<String, Path> files) { uploads.addAll(files.keySet()); firstUpload.countDown(); }
        @Override public void flush() { }
    };

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    private static Path write(Path staged, String relative, String content) throws Exception {
        Path f = staged.resolve(relative);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, content, StandardCharsets.UTF_8);
    }

    private CheckpointStream stream(Path staged, CountDownLatch eachRegistered, RuntimeException failAt100) {
        return new CheckpointStream("train", staged, run,
                (file, sha) -> new LoggedModelRequest("m-" + file, "run-1", Map.of(), Map.of("sha", sha), List.of(staged.resolve(file))),
                requests -> {
                    List<String> ids = new java.util.ArrayList<>();
                    for (LoggedModelRequest request : requests) {
                        if (failAt100 != null && request.name().contains("step_000000100")) {
                            throw failAt100;
                        }
                        registered.add(request);
                        eachRegistered.countDown();
                        ids.add("model-" + registered.size());
                    }
                    return ids;
                });
    }

    @Test
    void announcedCheckpointsAreUploadedAndRegisteredWhileTheTaskGoesOn(@TempDir Path staged) throws Exception {
        CountDownLatch two = new CountDownLatch(2);
        CheckpointStream s = stream(staged, two, null);
        RunTracker tracker = s.tracker();
        Path a = write(staged, "checkpoints/step_000000010.npz", "ten");
        Path b = write(staged, "checkpoints/step_000000020.npz", "twenty");
        tracker.checkpointWritten(a);
        tracker.checkpointWritten(b);
        tracker.checkpointWritten(write(staged, "loss.csv", "step,loss")); // not a checkpoint
        tracker.checkpointWritten(write(staged.getParent(), "elsewhere/checkpoints/step_000000030.npz", "x")); // not this task's
        two.await(); // registered in the background: finish() is not called before both are
        Map<String, CheckpointStream.Streamed> out = s.finish("train", Map.of(
                "checkpoints/step_000000010.npz", sha256(a), "checkpoints/step_000000020.npz", sha256(b), "loss.csv", "abc"));
        assertEquals(List.of("checkpoints/step_000000010.npz", "checkpoints/step_000000020.npz"), List.copyOf(out.keySet()));
        assertEquals(sha256(a), out.get("checkpoints/step_000000010.npz").sha256());
        assertEquals(sha256(b), registered.get(1).tags().get("sha"), "the model is made with the file's hash");
        assertEquals(List.of("outputs/checkpoints/step_000000010.npz", "outputs/checkpoints/step_000000020.npz"), uploads);
        assertEquals(2, registered.size());
    }

    @Test
    void withoutRegisterTheCheckpointsAreUploadedOnly(@TempDir Path staged) throws Exception {
        CheckpointStream s = new CheckpointStream("verify", staged, run,
                (file, sha) -> { throw new AssertionError("no model is made for " + file); }, null);
        Path a = write(staged, "checkpoints/step_000000010.npz", "ten");
        s.tracker().checkpointWritten(a);
        firstUpload.await(); // uploaded in the background: finish() is not called before it is
        Map<String, CheckpointStream.Streamed> out = s.finish("verify", Map.of("checkpoints/step_000000010.npz", sha256(a)));
        assertEquals(List.of("outputs/checkpoints/step_000000010.npz"), uploads);
        assertEquals(new CheckpointStream.Streamed(sha256(a), null), out.get("checkpoints/step_000000010.npz"));
        assertFalse(s.interrupted());
    }

    @Test
    void aCheckpointChangedAfterItWasAnnouncedFailsTheTaskNamingIt(@TempDir Path staged) throws Exception {
        CountDownLatch one = new CountDownLatch(1);
        CheckpointStream s = stream(staged, one, null);
        Path a = write(staged, "checkpoints/step_000000010.safetensors", "before");
        String announced = sha256(a);
        s.tracker().checkpointWritten(a);
        one.await();
        Files.writeString(a, "after");
        TaskFailure e = assertThrows(TaskFailure.class,
                () -> s.finish("train", Map.of("checkpoints/step_000000010.safetensors", "0f00")));
        assertTrue(e.getMessage().contains("checkpoints/step_000000010.safetensors was announced as written with sha256 "
                + announced + " but is now 0f00"), e.getMessage());
    }

    @Test
    void aTrackingFailureStopsTheStreamWithoutFailingTheTask(@TempDir Path staged) throws Exception {
        CountDownLatch one = new CountDownLatch(1);
        CheckpointStream s = stream(staged, one, new TrackingException("creating a logged model failed: HTTP 503"));
        Path a = write(staged, "checkpoints/step_000000010.npz", "ten");
        s.tracker().checkpointWritten(a);
        one.await();
        Path b = write(staged, "checkpoints/step_000000100.npz", "hundred");
        s.tracker().checkpointWritten(b);
        Map<String, String> files = Map.of("checkpoints/step_000000010.npz", sha256(a), "checkpoints/step_000000100.npz", sha256(b));
        // the failure comes after b was queued; c, announced after it, is never sent
        while (!s.interrupted()) { // the failing batch has no hook of its own to wait on
            Thread.sleep(5);
        }
        Path c = write(staged, "checkpoints/step_000000200.npz", "two hundred");
        s.tracker().checkpointWritten(c);
        Map<String, CheckpointStream.Streamed> out = s.finish("train", files);
        assertEquals(List.of("checkpoints/step_000000010.npz"), List.copyOf(out.keySet()),
                "only what was confirmed counts as streamed; the rest is left for the end of the task");
        assertTrue(s.interrupted(), "the end of the task must look up models the failed batch may have made");
        assertEquals(1, registered.size(), "nothing sent after the failure");
    }
}
