package io.rankrepro.pipeline.track;

import io.rankrepro.mlflow.DatasetInput;
import io.rankrepro.mlflow.LoggedModelRequest;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.mlflow.RunView;

import java.nio.file.Path;
import java.util.List;
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

    /** Records logged models (model id → step) as outputs of {@code runId}. */
    void logOutputs(String runId, Map<String, Long> stepByModel);

    /** The tags of a run. */
    Map<String, String> tags(String runId);

    /** What the server holds about a run (params, tags, latest metrics). */
    RunView run(String runId);

    /** The active (not deleted) runs of every experiment matching an MLflow search filter, newest first. */
    List<RunView> searchRunsEverywhere(String filter);

    /** Logs the datasets a run read. */
    void logInputs(String runId, List<DatasetInput> inputs);

    /**
     * Registers checkpoints as MLflow 3 logged models in {@code experiment}, each of its source run
     * with its files as artifacts; returns their ids in order (empty when tracking is off).
     */
    List<String> logModels(String experiment, List<LoggedModelRequest> models);

    /** The READY logged models of run {@code sourceRunId} in {@code experiment}: model id → tags (empty when off). */
    Map<String, Map<String, String>> readyModelsOf(String experiment, String sourceRunId);

    @Override
    void close();

    static Tracking none() {
        return NoTracking.INSTANCE;
    }
}
