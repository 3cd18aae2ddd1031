package io.rankrepro.pipeline.exec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the executor and a warm worker ({@code rankrepro worker}) say to each other: one JSON line
 * per message. A request on the worker's stdin carries the planned task as data (the same
 * {@link TaskInvocation} a container runs); the reply is one line on its stdout, marked so that it
 * stands apart from the task's own output, which shares that stream.
 */
public final class WorkerProtocol {
    /** Starts a reply line; nothing a task prints begins with it. */
    public static final String REPLY_MARK = "\u0001rankrepro-worker-reply ";
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private WorkerProtocol() { }

    /** One task for a worker; {@code force} runs it even if its output is published. */
    public record Request(TaskInvocation task, boolean force) { }

    /**
     * How a task ended on a worker.
     *
     * @param ok       its output is published and verified
     * @param reused   another run (on the same work folder) had published it: nothing was computed
     * @param message  why it failed, or null
     * @param rssBytes the worker's resident memory after the task, or −1 where unknown
     */
    public record Reply(String taskId, boolean ok, boolean reused, String message, long rssBytes) { }

    public static String line(Object message) {
        try {
            return JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message, e);
        }
    }

    public static Request request(String line) throws IOException {
        return JSON.readValue(line, Request.class);
    }

    /** The reply in an output line, or null when the line is the task's own output. */
    static Reply reply(String line) throws IOException {
        int at = line.indexOf(REPLY_MARK);
        return at < 0 ? null : JSON.readValue(line.substring(at + REPLY_MARK.length()), Reply.class);
    }

    /** This process's resident set (Linux {@code /proc/self/status} VmRSS), or −1 elsewhere. */
    public static long rssBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
