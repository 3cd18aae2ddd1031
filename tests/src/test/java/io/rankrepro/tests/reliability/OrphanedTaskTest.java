package io.rankrepro.tests.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stopped {@code rankrepro run} takes its task JVMs with it: on SIGTERM through its shutdown
 * hook, on kill -9 (no hook runs) because each task notices its parent is gone. Either way the
 * training task stops within seconds and publishes nothing. The training is held at a step by a
 * {@link TrainingGate} that is never released, so it cannot end on its own: only a stop ends it.
 */
class OrphanedTaskTest {
    static final Duration STOPS_WITHIN = Duration.ofSeconds(15);
    /** Where the training waits, never released (the spec's training has ~5,500 steps, a snapshot every 500). */
    static final long HELD_AT = 1000;

    private static String[] run(Path dir) {
        // two workers: every task in a JVM of its own, as the embedded default runs them
        return new String[] {"run", "--spec", CrashResumeTest.SPEC, "--workers", "2", "--no-tracking",
                "--workdir", dir.resolve("work").toString(), "--results", dir.resolve("results").toString()};
    }

    @Test
    void sigtermOfTheRunStopsItsTasks(@TempDir Path tmp) throws Exception {
        assertTasksStop(tmp, false);
    }

    @Test
    void killMinus9OfTheRunStopsItsTasks(@TempDir Path tmp) throws Exception {
        assertTasksStop(tmp, true);
    }

    private static void assertTasksStop(Path tmp, boolean kill9) throws Exception {
        Work work = new Work(tmp.resolve("work"));
        Path log = tmp.resolve("run.log");
        // the task JVM inherits the gate from the run's environment
        TrainingGate gate = TrainingGate.create(tmp.resolve("gate")).holdAt(HELD_AT);
        Process run = ChildJvm.start(log, gate.env(), run(tmp));
        ChildJvm.await(run, log, CrashResumeTest.HUNG, "training under way (held at step " + HELD_AT + ")", () -> gate.isHeld(HELD_AT));
        assertTrue(work.snapshot().isPresent(), "a resume snapshot before step " + HELD_AT);
        // the run's only child process now: the train task's JVM (prepare is done; the command line
        // is too long for /proc to show the subcommand, so it is not matched by its arguments)
        List<ProcessHandle> tasks = run.descendants().toList();
        assertEquals(1, tasks.size(), "one task JVM (train) under the run: " + tasks);
        if (kill9) {
            ChildJvm.kill9(run);
        } else {
            run.destroy(); // SIGTERM
            assertTrue(run.waitFor(STOPS_WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "the run itself stops");
        }
        ProcessHandle task = tasks.get(0);
        try {
            task.onExit().get(STOPS_WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            task.destroyForcibly();
            throw new AssertionError("the task JVM " + task.pid() + " still runs " + STOPS_WITHIN.toSeconds() + " s after the run was "
                    + (kill9 ? "killed (-9)" : "terminated"));
        }
        assertFalse(task.isAlive());
        assertTrue(work.output("train").isEmpty(), "a stopped task publishes nothing");
    }
}
