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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a training task mid-run, then a rerun of the DAG: it resumes from the last snapshot,
 * ends with the same bytes as an uninterrupted run, and the tracked loss history has every step of
 * the uninterrupted run's, each once. The killed task left no output a rerun would accept. The
 * kills land where a {@link TrainingGate} holds the training, not wherever a clock finds it.
 */
class CrashResumeTest {
    static final String SPEC = "src/test/resources/reliability/toy-train.yaml";
    static final String TRAIN = "train";
    /**
     * Where a kill lands (the spec's training snapshots every 500 of its ~5,500 steps and reports
     * progress every 110): between the snapshots at 2000 and 2500, with metrics after the first.
     */
    static final long KILL_AT = 2250;
    /** How long a child may take to reach a hold: a limit for a hung child, not a guess at speed. */
    static final Duration HUNG = Duration.ofSeconds(120);

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
        // held after four snapshots, so that the kill lands mid-training with metrics after the last one
        TrainingGate gate = TrainingGate.create(tmp.resolve("crash/gate")).holdAt(KILL_AT);
        Process p = ChildJvm.start(log, gate.env(), run(tmp.resolve("crash"), true));
        ChildJvm.await(p, log, HUNG, "the training held at step " + KILL_AT, () -> gate.isHeld(KILL_AT));
        ChildJvm.kill9(p);
        assertEquals("step_000000002000", crashed.snapshot().orElseThrow().getFileName().toString(), "killed after the snapshot at 2000");
        String runBefore = Files.readString(crashed.resumeFolder().orElseThrow().resolve("run-id")).strip();
        assertTrue(crashed.output(TRAIN).isEmpty(), "a killed task leaves no published output");
        assertTrue(Work.list(crashed.dir().resolve("staging")).findAny().isPresent(), "its staging folder is left, unaccepted");
        // checkpoints are registered while the training runs: the killed attempt left some models behind
        int registeredBeforeTheKill = LoggedModels.ofRun(mlflow, runBefore).size();
        assertTrue(registeredBeforeTheKill > 0, "no model registered before the kill");

        Cli resumed = ChildJvm.run(tmp.resolve("crash/resumed.log"), run(tmp.resolve("crash"), true));
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resuming after step"), resumed.out());
        assertTrue(resumed.out().contains("continuing tracking run " + runBefore), resumed.out());
        assertEquals(ref.files(TRAIN), crashed.files(TRAIN), "weights, losses and checkpoints: the same bytes as the uninterrupted run");
        assertFalse(crashed.resumeFolder().isPresent(), "the resume folder goes once the output is published");
        assertFalse(Work.list(crashed.dir().resolve("staging")).findAny().isPresent(), "the killed task's staging folder was cleaned");

        assertEquals(runBefore, crashed.runId(TRAIN), "the resumed task logged into the killed task's run");
        List<MetricPoint> expected = mlflow.metricHistory(ref.runId(TRAIN), "train/loss");
        List<MetricPoint> actual = mlflow.metricHistory(runBefore, "train/loss");
        assertTrue(expected.size() > 100, "reference history: " + expected.size());
        assertEquals(expected.stream().map(MetricPoint::step).toList(), actual.stream().map(MetricPoint::step).toList(),
                "the same steps, none missing, none twice");
        assertEquals(expected.stream().map(MetricPoint::value).toList(), actual.stream().map(MetricPoint::value).toList());
        assertEquals("FINISHED", mlflow.getRun(runBefore).status());
        assertEquals("true", mlflow.getRun(runBefore).tags().get("rankrepro.resumed"));
        // the resumed attempt reused those and registered only the rest: none twice
        LoggedModels.assertOnePerCheckpoint(mlflow, crashed, TRAIN, runBefore);
    }

    @Test
    void aCorruptResumeSnapshotIsNamedAndNotUsed(@TempDir Path tmp) throws Exception {
        Work work = new Work(tmp.resolve("work"));
        Path log = tmp.resolve("killed.log");
        TrainingGate gate = TrainingGate.create(tmp.resolve("gate")).holdAt(1000); // its snapshot at step 1000 written
        Process p = ChildJvm.start(log, gate.env(), run(tmp, false));
        ChildJvm.await(p, log, HUNG, "the training held at step 1000", () -> gate.isHeld(1000));
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
