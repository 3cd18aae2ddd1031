package io.rankrepro.pipeline.exec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task's command as a child process, its output prefixed with the task id, its tail kept for
 * errors. Children do not outlive the run: on SIGTERM or Ctrl-C a shutdown hook stops every live
 * one (SIGTERM, then SIGKILL after a grace period), and each child is told the run's pid so that
 * it stops itself if the run dies without hooks ({@link ParentWatch}).
 */
final class ChildProcess {
    private static final int TAIL_CHARS = 4000;
    private static final long GRACE_SECONDS = 5;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::stopAll, "rankrepro-stop-tasks"));
    }

    private static volatile boolean stopping;

    private ChildProcess() { }

    /** A long-lived child (a warm worker) stopped with the others when the run stops. */
    static void track(Process p) {
        LIVE.add(p);
    }

    static void untrack(Process p) {
        LIVE.remove(p);
    }

    /** The run is stopping: a child that dies now was stopped, not crashed, and is not replaced. */
    static boolean stopping() {
        return stopping;
    }

    private static void stopAll() {
        stopping = true;
        for (Process p : LIVE) {
            p.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
        for (Process p : LIVE) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    static void run(List<String> command, Map<String, String> env, String taskId, PrintStream out, String hint) throws TaskFailure {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            pb.environment().put(ParentWatch.ENV, Long.toString(ProcessHandle.current().pid()));
            p = pb.start();
            LIVE.add(p);
        } catch (IOException e) {
            throw new TaskFailure("cannot start " + command.get(0) + " for " + taskId + ": " + e.getMessage() + hint, e);
        }
        StringBuilder tail = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.println("    │ " + line);
                tail.append(line).append('\n');
                if (tail.length() > TAIL_CHARS) {
                    tail.delete(0, tail.length() - TAIL_CHARS);
                }
            }
            int code = p.waitFor();
            if (code != 0) {
                String last = tail.toString().strip().lines().reduce((a, b) -> b).orElse("");
                throw new TaskFailure(taskId + " exited with " + code + ": " + last);
            }
        } catch (IOException e) {
            throw new TaskFailure("lost the output of " + taskId + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TaskFailure(taskId + " interrupted", e);
        } finally {
            LIVE.remove(p);
        }
    }
}
