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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MLflow server goes away while a training logs to it. Back after 30 s: training went on,
 * its metrics waited in the work folder's spool and were replayed — none lost, none twice. Never
 * back (within a short grace): the run fails saying where the points are, and
 * {@code rankrepro tracking replay} sends them once the server returns. The training passes a
 * {@link TrainingGate}: the outage begins and ends at steps the test chose, on any machine.
 */
class TrackingOutageTest {
    private static MlflowServerProcess server;
    private static MlflowTracking mlflow;

    @BeforeAll
    static void startServer() {
        server = MlflowServerProcess.start();
        mlflow = MlflowTracking.connect(server.uri());
    }

    @AfterAll
    static void stopServer() {
        System.clearProperty("rankrepro.tracking.outage-grace-seconds");
        if (mlflow != null) {
            mlflow.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static CompletableFuture<Cli> runInBackground(Path dir) {
        return CompletableFuture.supplyAsync(() -> Cli.run("run", "--spec", CrashResumeTest.SPEC, "--workers", "1",
                "--tracking-uri", server.uri(), "--workdir", dir.resolve("work").toString(),
                "--results", dir.resolve("results").toString()));
    }

    /** Held here, the training is under way: its resume snapshot at step 1000 written, ~4,500 steps to go. */
    static final long UNDER_WAY = 1000;
    /** Held here, the training has logged 2,000 steps since the server went down, flushing at four snapshots (1500 … 3000). */
    static final long THROUGH_THE_OUTAGE = 3000;
    /** How long a run in this JVM may take to reach a hold: a limit for a hung run, not a guess at speed. */
    private static final Duration HUNG = Duration.ofSeconds(120);

    /**
     * The timing is the test's, not the machine's: the training is held at step {@link #UNDER_WAY}
     * while the server is stopped, trains on, is held again at {@link #THROUGH_THE_OUTAGE} until the
     * server is back, and only then finishes. However fast or slow it trains, points are logged
     * before, during and after the outage.
     */
    @Test
    void aThirtySecondOutageLosesAndDuplicatesNothing(@TempDir Path tmp) throws Exception {
        System.clearProperty("rankrepro.tracking.outage-grace-seconds");
        Work work = new Work(tmp.resolve("work"));
        TrainingGate gate = TrainingGate.create(tmp.resolve("gate")).holdAt(UNDER_WAY).holdAt(THROUGH_THE_OUTAGE);
        try (AutoCloseable gated = gate.installHere()) {
            CompletableFuture<Cli> run = runInBackground(tmp);
            gate.awaitHeld(UNDER_WAY, run, HUNG);
            assertTrue(work.snapshot().isPresent(), "a resume snapshot before step " + UNDER_WAY);
            String runId = Files.readString(work.resumeFolder().orElseThrow().resolve("run-id")).strip();
            server.stopServer();
            long down = System.currentTimeMillis();
            gate.release(UNDER_WAY);
            gate.awaitHeld(THROUGH_THE_OUTAGE, run, HUNG);
            Path spool = tmp.resolve("work/spool").resolve(runId + ".jsonl");
            assertTrue(Files.isRegularFile(spool) && Files.size(spool) > 0, "the tracker met the outage while training: points wait in " + spool);
            Thread.sleep(Math.max(0, down + 30_000 - System.currentTimeMillis()));
            long up = System.currentTimeMillis();
            server.restart();
            gate.release(THROUGH_THE_OUTAGE);
            Cli r = run.get(300, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r.toString());
            assertEquals(runId, work.runId("train"));
            List<MetricPoint> loss = mlflow.metricHistory(runId, "train/loss");
            assertGapless(loss, work);
            assertTrue(loss.stream().anyMatch(m -> m.timestampMillis() < down), "points were logged before the outage");
            assertTrue(loss.stream().anyMatch(m -> m.timestampMillis() > down && m.timestampMillis() < up),
                    "training went on during the outage: points were logged while the server was down");
            assertTrue(loss.stream().anyMatch(m -> m.timestampMillis() > up), "and after it: points were logged once the server was back");
            assertTrue(Work.list(tmp.resolve("work/spool")).findAny().isEmpty(), "the spool was replayed and removed");
            assertEquals("FINISHED", mlflow.getRun(runId).status());
            LoggedModels.assertOnePerCheckpoint(mlflow, work, "train", runId); // the rest registered after the outage, none twice
        }
    }

    @Test
    void aServerThatNeverReturnsEndsTheRunClearlyAndReplayCatchesUp(@TempDir Path tmp) throws Exception {
        System.setProperty("rankrepro.tracking.outage-grace-seconds", "3");
        TrainingGate gate = TrainingGate.create(tmp.resolve("gate")).holdAt(UNDER_WAY);
        try (AutoCloseable gated = gate.installHere()) {
            Work work = new Work(tmp.resolve("work"));
            CompletableFuture<Cli> run = runInBackground(tmp);
            gate.awaitHeld(UNDER_WAY, run, HUNG);
            String runId = Files.readString(work.resumeFolder().orElseThrow().resolve("run-id")).strip();
            server.stopServer();
            gate.release(UNDER_WAY); // the rest of the training meets a server that is gone
            Cli r = run.get(300, TimeUnit.SECONDS);
            assertEquals(1, r.code(), r.toString());
            Path spool = tmp.resolve("work/spool").resolve(runId + ".jsonl").toAbsolutePath();
            assertTrue(r.out().contains("has been unreachable") && r.out().contains("kept in " + spool)
                    && r.out().contains("rankrepro tracking replay"), r.toString());
            assertTrue(Files.size(spool) > 0, "the points wait on disk");
            assertTrue(work.output("train").isEmpty(), "no output is published before its metrics are delivered");

            server.restart();
            Cli replay = Cli.run("tracking", "replay", "--workdir", tmp.resolve("work").toString(), "--tracking-uri", server.uri());
            assertEquals(0, replay.code(), replay.toString());
            assertTrue(replay.out().contains("run " + runId + ": spooled metrics sent"), replay.out());
            assertFalse(Files.exists(spool), "replayed spool files are removed");
            List<MetricPoint> loss = mlflow.metricHistory(runId, "train/loss");
            assertEquals(loss.size(), loss.stream().map(MetricPoint::step).distinct().count(), "no step twice");
            Cli again = Cli.run("tracking", "replay", "--workdir", tmp.resolve("work").toString(), "--tracking-uri", server.uri());
            assertEquals(0, again.code(), again.toString());
            assertTrue(again.out().contains("nothing to replay"), again.out());
        } finally {
            System.clearProperty("rankrepro.tracking.outage-grace-seconds");
        }
    }

    /** Steps 0, k, 2k, … and the last step of loss.csv, each once: no gap, no duplicate. */
    private static void assertGapless(List<MetricPoint> loss, Work work) throws Exception {
        List<Long> steps = loss.stream().map(MetricPoint::step).toList();
        assertEquals(steps.size(), steps.stream().distinct().count(), "no step twice: " + steps);
        assertEquals(0L, steps.get(0));
        long stride = steps.get(1) - steps.get(0);
        for (int i = 1; i < steps.size() - 1; i++) {
            assertEquals(stride, steps.get(i) - steps.get(i - 1), "gap before step " + steps.get(i));
        }
        List<String> csv = Files.readAllLines(work.output("train").orElseThrow().resolve("loss.csv"));
        long last = Long.parseLong(csv.get(csv.size() - 1).split(",")[0]);
        assertEquals(last, steps.get(steps.size() - 1), "the last step is there");
        assertTrue(steps.get(steps.size() - 1) - steps.get(steps.size() - 2) <= stride);
    }
}
