package io.rankrepro.pipeline.exec;

import java.nio.file.Path;
import java.util.List;

/**
 * Task outputs as other machines published them: the finished runs that computed a task key, each
 * holding the files and the manifest ({@code _task.json}) it computed. What {@link SharedStore}
 * fetches from and verifies; on MLflow, the artifacts of the task's run.
 */
public interface PublishedOutputs {

    /** The runs that computed {@code key} and finished, newest first (none: an empty list). */
    List<Publication> of(String key);

    /**
     * Downloads the output {@code runId} published (its files and manifest, laid out as in a work
     * folder's {@code tasks/<key>/}) into {@code dest}, which is empty.
     */
    void download(String runId, Path dest);

    /** Where a published output is shown to people, e.g. "run 3f2a…" (for messages). */
    default String describe(String runId) {
        return "run " + runId;
    }

    /**
     * One publication of a key.
     *
     * @param outputsSha256 what the run recorded of its files when it computed them (the sha256 of
     *                      their canonical file → sha256 map), null when it recorded nothing
     */
    record Publication(String runId, String outputsSha256) { }
}
