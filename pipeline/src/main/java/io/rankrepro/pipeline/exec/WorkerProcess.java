package io.rankrepro.pipeline.exec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The executor's handle on one warm worker JVM ({@code rankrepro worker}): sends it a task, relays
 * its output prefixed as a task JVM's was, and reads its reply. A worker that dies mid-task shows
 * as {@link Died}: its task did not finish, and its staging folder is never published.
 */
final class WorkerProcess {
    private static final int TAIL_CHARS = 4000;

    /** The worker ended (crashed, was killed, or ran out of memory) before replying. */
    static final class Died extends Exception {
        Died(String message) {
            super(message);
        }
    }

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private int tasks;

    private WorkerProcess(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    static WorkerProcess start(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put(ParentWatch.ENV, Long.toString(ProcessHandle.current().pid()));
        Process p = pb.start();
        ChildProcess.track(p);
        return new WorkerProcess(p);
    }

    long pid() {
        return process.pid();
    }

    /** Tasks this worker has finished. */
    int tasks() {
        return tasks;
    }

    /** Runs one task on this worker; its output goes to {@code log}. */
    WorkerProtocol.Reply run(WorkerProtocol.Request request, PrintStream log) throws Died {
        String id = request.task().taskId();
        StringBuilder tail = new StringBuilder();
        try {
            in.write(WorkerProtocol.line(request));
            in.write('\n');
            in.flush();
            for (String line; (line = out.readLine()) != null; ) {
                WorkerProtocol.Reply reply = WorkerProtocol.reply(line);
                if (reply != null) {
                    tasks++;
                    return reply;
                }
                if (line.isBlank()) {
                    continue;
                }
                log.println("    │ " + line);
                tail.append(line).append('\n');
                if (tail.length() > TAIL_CHARS) {
                    tail.delete(0, tail.length() - TAIL_CHARS);
                }
            }
        } catch (IOException e) {
            // a broken pipe: the worker is gone; its exit status says more below
        }
        String last = tail.toString().strip().lines().reduce((a, b) -> b).orElse("");
        throw new Died("worker " + process.pid() + " " + exitStatus() + " while running " + id
                + (last.isEmpty() ? "" : ": " + last));
    }

    private String exitStatus() {
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                int code = process.exitValue();
                ChildProcess.untrack(process);
                return code > 128 ? "was killed (signal " + (code - 128) + ")" : "exited with " + code;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
        return "stopped answering";
    }

    /** Ends the worker: its input closes, so it leaves its loop; forced if it does not. */
    void retire() {
        try {
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                stop();
            }
        } catch (IOException e) {
            stop();
        } catch (InterruptedException e) {
            stop();
            Thread.currentThread().interrupt();
        } finally {
            ChildProcess.untrack(process);
        }
    }

    private void stop() {
        process.destroyForcibly();
        ChildProcess.untrack(process);
    }
}
