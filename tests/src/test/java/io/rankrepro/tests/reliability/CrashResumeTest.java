package io.rankrepro.tests.reliability;

import io.rankrepro.mlflow.MetricPoint;
import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.tests.mlflow.MlflowServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a training task mid-run, then a rerun of the DAG: it resumes from the last snapshot,
 * ends with the same bytes as an uninterrupted run, and the tracked loss history has every step of
 * the uninterrupted run's, each once. The killed task left no output a rerun would accept.
 */
class CrashResumeTest {
    static final String SPEC = "src/test/resources/reliability/toy-train.yaml";
    static final String TRAIN = "train";

    private static MlflowServerProcess server;
    private static MlflowTracking mlflow;

    @BeforeAll
    static void startServer() {
        server = MlflowServerProcess.start();
        mlflow = MlflowTracking.connect(server.uri());
    }

    @AfterAll
    static void stopServer() {
        if (mlflow != null) {
            mlflow.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String[] run(Path dir, boolean tracked) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--spec", SPEC, "--workers", "1",
                "--workdir", dir.resolve("work").toString(), "--results", dir.resolve("results").toString()));
        args.addAll(tracked ? List.of("--tracking-uri", server.uri()) : List.of("--no-tracking"));
        return args.toArray(String[]::new);
    }

    @Test
    void killedTrainingResumesToTheSameBitsAndAGaplessHistory(@TempDir Path tmp) throws Exception {
        // each command in a JVM of its own, as a user runs them
        Cli reference = ChildJvm.run(Files.createDirectories(tmp.resolve("ref")).resolve("run.log"), run(tmp.resolve("ref"), true));
        assertEquals(0, reference.code(), reference.toString());
        Work ref = new Work(tmp.resolve("ref/work"));

        Work crashed = new Work(tmp.resolve("crash/work"));
        Path log = Files.createDirectories(tmp.resolve("crash")).resolve("killed.log");
        Process p = ChildJvm.start(log, Map.of(), run(tmp.resolve("crash"), true));
        // let it write two snapshots, so that the kill lands mid-training with metrics after the last one
        ChildJvm.await(p, log, Duration.ofSeconds(120), "second resume snapshot",
                () -> crashed.snapshot().map(s -> s.getFileName().toString().compareTo("step_000000002000") >= 0).orElse(false));
        ChildJvm.kill9(p);
        String runBefore = Files.readString(crashed.resumeFolder().orElseThrow().resolve("run-id")).strip();
        assertTrue(crashed.output(TRAIN).isEmpty(), "a killed task leaves no published output");
        assertTrue(Work.list(crashed.dir().resolve("staging")).findAny().isPresent(), "its staging folder is left, unaccepted");

        Cli resumed = ChildJvm.run(tmp.resolve("crash/resumed.log"), run(tmp.resolve("crash"), true));
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resuming after step"), resumed.out());
        assertTrue(resumed.out().contains("continuing tracking run " + runBefore), resumed.out());
        assertEquals(ref.files(TRAIN), crashed.files(TRAIN), "weights, losses and checkpoints: the same bytes as the uninterrupted run");
        assertFalse(crashed.resumeFolder().isPresent(), "the resume folder goes once the output is published");
        assertFalse(Work.list(crashed.dir().resolve("staging")).findAny().isPresent(), "the killed task's staging folder was cleaned");

        assertEquals(runBefore, crashed.runId(TRAIN), "the resumed task logged into the killed task's run");
        List<MetricPoint> expected = mlflow.metricHistory(ref.runId(TRAIN), "loss");
        List<MetricPoint> actual = mlflow.metricHistory(runBefore, "loss");
        assertTrue(expected.size() > 100, "reference history: " + expected.size());
        assertEquals(expected.stream().map(MetricPoint::step).toList(), actual.stream().map(MetricPoint::step).toList(),
                "the same steps, none missing, none twice");
        assertEquals(expected.stream().map(MetricPoint::value).toList(), actual.stream().map(MetricPoint::value).toList());
        assertEquals("FINISHED", mlflow.getRun(runBefore).status());
        assertEquals("true", mlflow.getRun(runBefore).tags().get("rankrepro.resumed"));
    }

    @Test
    void aCorruptResumeSnapshotIsNamedAndNotUsed(@TempDir Path tmp) throws Exception {
        Work work = new Work(tmp.resolve("work"));
        Path log = tmp.resolve("killed.log");
        Process p = ChildJvm.start(log, Map.of(), run(tmp, false));
        ChildJvm.await(p, log, Duration.ofSeconds(120), "a resume snapshot", () -> work.snapshot().isPresent());
        ChildJvm.kill9(p);
        Path state = work.snapshot().orElseThrow().resolve("state/weights.npz");
        byte[] bytes = Files.readAllBytes(state);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(state, bytes);

        Cli rerun = ChildJvm.run(tmp.resolve("rerun.log"), run(tmp, false));
        assertEquals(0, rerun.code(), rerun.toString());
        assertTrue(rerun.out().contains("resume snapshot rejected, not used: " + state), rerun.out());
        assertFalse(rerun.out().contains("resuming after step"), "it started over: " + rerun.out());
    }
}
