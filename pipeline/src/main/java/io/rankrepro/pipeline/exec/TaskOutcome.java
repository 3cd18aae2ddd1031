package io.rankrepro.pipeline.exec;

import java.nio.file.Path;

/**
 * What happened to one task in a DAG run, and why.
 *
 * @param dir the verified output folder (null unless RAN or CACHED)
 */
public record TaskOutcome(String taskId, Status status, String reason, String key, String runId, double wallSeconds, Path dir) {

    public enum Status { RAN, CACHED, FAILED, BLOCKED }

    public boolean ok() {
        return status == Status.RAN || status == Status.CACHED;
    }
}
