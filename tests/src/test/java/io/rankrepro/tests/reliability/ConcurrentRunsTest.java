package io.rankrepro.tests.reliability;

import io.rankrepro.pipeline.exec.OutputStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@code rankrepro run}s of one spec on one work folder at once (two terminals, or CI and a
 * user): each task is computed once, by whichever run takes its lock first; the other waits and
 * reuses it. If the first is killed mid-task, its lock goes with its task JVM and the second takes
 * over from the resume snapshot. The overlap is made, not hoped for: the first run's training is
 * held by a {@link TrainingGate} until the second is seen waiting for the training's lock.
 */
class ConcurrentRunsTest {
    static final long HELD_AT = 1000;
    static final String WAITING = "train: waiting for another run that is computing it";

    private static Process start(Path tmp, String name, TrainingGate gate) throws Exception {
        // both runs on tmp/work; their own results folders and logs
        return ChildJvm.start(tmp.resolve(name + ".log"), gate.env(), "run", "--spec", CrashResumeTest.SPEC, "--workers", "2",
                "--no-tracking", "--workdir", tmp.resolve("work").toString(), "--results", tmp.resolve("results-" + name).toString());
    }

    private static String log(Path tmp, String name) throws Exception {
        return Files.readString(tmp.resolve(name + ".log"));
    }

    private static long count(String log, String prefix) {
        return log.lines().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void twoRunsComputeEachTaskOnce(@TempDir Path tmp) throws Exception {
        TrainingGate gate = TrainingGate.create(tmp.resolve("gate")).holdAt(HELD_AT);
        Process first = start(tmp, "first", gate);
        ChildJvm.await(first, tmp.resolve("first.log"), CrashResumeTest.HUNG, "the first run's training held", () -> gate.isHeld(HELD_AT));
        Process second = start(tmp, "second", gate);
        ChildJvm.await(second, tmp.resolve("second.log"), CrashResumeTest.HUNG, "the second run waiting for train's lock",
                () -> uncheckedLog(tmp, "second").contains(WAITING));
        gate.release(HELD_AT);
        assertTrue(first.waitFor(CrashResumeTest.HUNG.toSeconds(), TimeUnit.SECONDS) && second.waitFor(CrashResumeTest.HUNG.toSeconds(), TimeUnit.SECONDS));
        String a = log(tmp, "first");
        String b = log(tmp, "second");
        assertEquals(0, first.exitValue(), a);
        assertEquals(0, second.exitValue(), b);
        assertEquals(1, count(a, "✔ prepare "), a);
        assertEquals(1, count(a, "✔ train "), a);
        assertEquals(0, count(b, "✔ "), "the second run computed nothing: " + b);
        assertEquals(1, count(b, "≡ prepare "), b);
        assertTrue(b.lines().anyMatch(l -> l.startsWith("≡ train ") && l.contains("reused: another run on this work folder computed it")), b);
        assertAllVerify(tmp);
    }

    @Test
    void aKilledFirstRunIsTakenOverBySecond(@TempDir Path tmp) throws Exception {
        TrainingGate gate = TrainingGate.create(tmp.resolve("gate")).holdAt(HELD_AT);
        Process first = start(tmp, "first", gate);
        ChildJvm.await(first, tmp.resolve("first.log"), CrashResumeTest.HUNG, "the first run's training held", () -> gate.isHeld(HELD_AT));
        java.util.List<ProcessHandle> firstWorkers = first.descendants().toList();
        Process second = start(tmp, "second", gate);
        ChildJvm.await(second, tmp.resolve("second.log"), CrashResumeTest.HUNG, "the second run waiting for train's lock",
                () -> uncheckedLog(tmp, "second").contains(WAITING));
        ChildJvm.kill9(first); // its worker, holding the lock, stops itself within a second (ParentWatch)
        for (ProcessHandle w : firstWorkers) {
            w.onExit().get(OrphanedTaskTest.STOPS_WITHIN.toSeconds(), TimeUnit.SECONDS);
        }
        // the hold stays: the second run's training passes it (it was held once)
        assertTrue(second.waitFor(CrashResumeTest.HUNG.toSeconds(), TimeUnit.SECONDS), "the second run ends");
        String b = log(tmp, "second");
        assertEquals(0, second.exitValue(), b);
        assertEquals(1, count(b, "✔ train "), "the second run computed train after the first was killed: " + b);
        assertTrue(b.contains("resuming after step"), "from the killed run's snapshot: " + b);
        assertAllVerify(tmp);
        assertEquals(WarmWorkerCrashTest.reference(tmp.resolve("ref")), new Work(tmp.resolve("work")).files(CrashResumeTest.TRAIN),
                "the same bytes as an uninterrupted run");
    }

    /** Every published output in the shared work folder verifies, and a third run finds all of them cached. */
    private static void assertAllVerify(Path tmp) throws Exception {
        Work work = new Work(tmp.resolve("work"));
        OutputStore store = new OutputStore(work.dir());
        for (Path dir : Work.list(work.dir().resolve("tasks")).toList()) {
            assertTrue(store.verify(dir.getFileName().toString()).ok(), dir + " verifies");
        }
        Cli third = ChildJvm.run(tmp.resolve("third.log"), "run", "--spec", CrashResumeTest.SPEC, "--workers", "2", "--no-tracking",
                "--workdir", work.dir().toString(), "--results", tmp.resolve("results-third").toString());
        assertEquals(0, third.code(), third.toString());
        assertTrue(third.out().contains("0 ran, 2 cached"), third.out());
    }

    private static String uncheckedLog(Path tmp, String name) {
        try {
            return log(tmp, name);
        } catch (Exception e) {
            return "";
        }
    }
}
