package io.rankrepro.tests.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stopped {@code rankrepro run} takes its task JVMs with it: on SIGTERM through its shutdown
 * hook, on kill -9 (no hook runs) because each task notices its parent is gone. Either way the
 * training task stops within seconds and publishes nothing.
 */
class OrphanedTaskTest {
    static final Duration STOPS_WITHIN = Duration.ofSeconds(15);

    private static String[] run(Path dir) {
        // two workers: every task in a JVM of its own, as the embedded default runs them
        // four times the fault tests' training, so that it cannot end on its own before the checks
        return new String[] {"run", "--spec", CrashResumeTest.SPEC, "--set", "train.tau_max=6", "--workers", "2", "--no-tracking",
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
        Process run = ChildJvm.start(log, Map.of(), run(tmp));
        ChildJvm.await(run, log, Duration.ofSeconds(120), "training under way (a resume snapshot)", () -> work.snapshot().isPresent());
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
