package io.rankrepro.pipeline.exec;

import java.nio.file.Path;

/**
 * What happened to one task in a DAG run, and why.
 *
 * @param dir   the verified output folder (null unless it succeeded)
 * @param runId the run that computed the output (also when it was CACHED or FETCHED)
 */
public record TaskOutcome(String taskId, Status status, String reason, String key, String runId, double wallSeconds, Path dir) {

    /** FETCHED: not computed here, fetched from the shared store and verified ({@code SharedStore}). */
    public enum Status { RAN, CACHED, FETCHED, FAILED, BLOCKED }

    public boolean ok() {
        return status == Status.RAN || status == Status.CACHED || status == Status.FETCHED;
    }
}
