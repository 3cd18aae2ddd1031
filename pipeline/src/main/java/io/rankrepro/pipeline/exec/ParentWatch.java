package io.rankrepro.pipeline.exec;

import java.util.Optional;

/**
 * A task JVM that {@code rankrepro run} started stops when that run is gone, even if it died by
 * kill -9 and ran no shutdown hook: the task would otherwise train on for hours with nobody to
 * publish its output. The run passes its pid in {@link #ENV}; the task checks every half second
 * that its parent is still that process (a dead parent's children are re-parented, so a recycled
 * pid cannot fool the check). Outputs stay consistent: an interrupted task leaves only its staging
 * folder, which the next run removes.
 */
public final class ParentWatch {
    /** The environment variable naming the pid of the {@code rankrepro run} that started this task. */
    public static final String ENV = "RANKREPRO_PARENT_PID";
    /** Exit code when the parent is gone: 128 + SIGHUP, what a terminal's hang-up gives. */
    static final int ORPHANED = 129;
    private static final long PERIOD_MS = 500;

    private static boolean started;

    private ParentWatch() { }

    /**
     * Starts watching if this process was started by {@code rankrepro run}; otherwise does nothing.
     * Once per process: a warm worker calls it for every task it runs.
     */
    public static synchronized void startIfChild() {
        if (started) {
            return;
        }
        started = true;
        String value = System.getenv(ENV);
        if (value == null || value.isBlank()) {
            return;
        }
        long expected;
        try {
            expected = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            System.err.println("warning: ignoring " + ENV + "=" + value + " (not a pid)");
            return;
        }
        if (!parentIs(expected)) { // already gone before we looked
            orphaned(expected);
        }
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
                if (!parentIs(expected)) {
                    orphaned(expected);
                }
            }
        }, "rankrepro-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    static boolean parentIs(long pid) {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        return parent.isPresent() && parent.get().pid() == pid && parent.get().isAlive();
    }

    private static void orphaned(long pid) {
        System.err.println("rankrepro run (pid " + pid + ") that started this task is gone; stopping the task");
        System.exit(ORPHANED);
    }
}
