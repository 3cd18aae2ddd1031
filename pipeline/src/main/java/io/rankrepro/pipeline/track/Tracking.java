package io.rankrepro.pipeline.track;

import io.rankrepro.mlflow.RunTracker;

import java.nio.file.Path;
import java.util.Map;

/**
 * The pipeline's view of the tracking server: one parent run per DAG run, one child run per task.
 * {@link #none()} for {@code --no-tracking}.
 */
public interface Tracking extends AutoCloseable {

    boolean enabled();

    /** Starts a run in {@code experiment} (created if missing); {@code parentRunId} may be null. */
    RunTracker startRun(String experiment, String runName, String parentRunId, Map<String, String> tags);

    /** A tracker for a run someone else started (the executor, or Airflow). */
    RunTracker attach(String runId);

    void endRun(String runId, boolean success);

    /** The tracking server's address ("" when off). */
    String uri();

    /** The UI address of a run, for people. */
    String runUrl(String runId);

    /** Downloads the artifacts of {@code runId} under {@code artifactPath} ("" for all) into {@code dest}. */
    void download(String runId, String artifactPath, Path dest);

    /** The bytes of one artifact file of {@code runId}. */
    byte[] read(String runId, String artifactPath);

    /** The tags of a run. */
    Map<String, String> tags(String runId);

    @Override
    void close();

    static Tracking none() {
        return NoTracking.INSTANCE;
    }
}
