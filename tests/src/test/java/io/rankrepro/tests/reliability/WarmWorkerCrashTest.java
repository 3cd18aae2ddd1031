package io.rankrepro.tests.reliability;

import io.rankrepro.pipeline.exec.OutputStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a warm worker JVM while it trains: that task, and only it, runs again on a fresh
 * worker; the run succeeds; what the killed worker had written is never accepted, and the output
 * is the uninterrupted run's, byte for byte. The kill lands where a {@link TrainingGate} holds the
 * training (after its snapshot at 500), not wherever a clock finds it.
 */
class WarmWorkerCrashTest {
    static final long HELD_AT = 1000;

    static String[] run(Path dir, int workers) {
        return new String[] {"run", "--spec", CrashResumeTest.SPEC, "--workers", Integer.toString(workers), "--no-tracking",
                "--workdir", dir.resolve("work").toString(), "--results", dir.resolve("results").toString()};
    }

    /** The uninterrupted run's training output (file → sha256), in a JVM of its own. */
    static java.util.Map<String, String> reference(Path dir) throws Exception {
        Cli ref = ChildJvm.run(Files.createDirectories(dir).resolve("run.log"), run(dir, 1));
        assertEquals(0, ref.code(), ref.toString());
        return new Work(dir.resolve("work")).files(CrashResumeTest.TRAIN);
    }

    @Test
    void aKilledWorkersTaskRunsAgainOnAFreshWorker(@TempDir Path tmp) throws Exception {
        Work work = new Work(tmp.resolve("crash/work"));
        Path log = Files.createDirectories(tmp.resolve("crash")).resolve("run.log");
        TrainingGate gate = TrainingGate.create(tmp.resolve("gate")).holdAt(HELD_AT);
        Process run = ChildJvm.start(log, gate.env(), run(tmp.resolve("crash"), 2));
        ChildJvm.await(run, log, CrashResumeTest.HUNG, "training held at step " + HELD_AT, () -> gate.isHeld(HELD_AT));
        // prepare ran on the first worker, which then took train: the only worker so far
        List<ProcessHandle> workers = run.descendants().toList();
        assertEquals(1, workers.size(), "one warm worker under the run: " + workers);
        ProcessHandle worker = workers.get(0);
        assertTrue(worker.destroyForcibly(), "kill -9 of the worker");
        worker.onExit().get();
        assertTrue(work.output(CrashResumeTest.TRAIN).isEmpty(), "the killed worker published nothing");

        // the hold stays: the fresh worker's training passes it (it was held once), so only the run decides the end
        assertTrue(run.waitFor(CrashResumeTest.HUNG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "the run ends");
        String out = Files.readString(log);
        assertEquals(0, run.exitValue(), out);
        assertTrue(out.lines().anyMatch(l -> l.contains("train: worker " + worker.pid() + " was killed (signal 9) while running train")
                && l.endsWith("; running it again on a fresh worker")), out);
        assertTrue(out.contains("resuming after step"), "the rerun resumed from the killed worker's snapshot: " + out);
        assertEquals(1, out.lines().filter(l -> l.startsWith("✔ train ")).count(), out);
        assertFalse(worker.isAlive());
        assertFalse(run.descendants().findAny().isPresent(), "no worker outlives the run");

        String key = work.manifest(work.output(CrashResumeTest.TRAIN).orElseThrow()).path("key").asText();
        assertTrue(new OutputStore(work.dir()).verify(key).ok(), "the published output verifies");
        assertTrue(Work.list(work.dir().resolve("staging")).anyMatch(p -> p.getFileName().toString().contains("-" + worker.pid() + "-")),
                "the killed worker's staging folder is left, unaccepted");
        assertEquals(reference(tmp.resolve("ref")), work.files(CrashResumeTest.TRAIN), "the same bytes as an uninterrupted run");
    }
}
