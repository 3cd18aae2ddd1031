package io.rankrepro.pipeline.track;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.DatasetInput;
import io.rankrepro.mlflow.LoggedModelRequest;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.mlflow.RunView;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link Tracking} on a real MLflow server. */
public final class MlflowSession implements Tracking {
    private final MlflowTracking mlflow;
    private final Map<String, String> experiments = new ConcurrentHashMap<>();

    private MlflowSession(MlflowTracking mlflow) {
        this.mlflow = mlflow;
    }

    /** Connects to {@code uri}, else $MLFLOW_TRACKING_URI, else the local default; fails clearly if unreachable. */
    public static MlflowSession connect(String uri) {
        return new MlflowSession(MlflowTracking.connect(MlflowTracking.resolveUri(uri)));
    }

    /** As {@link #connect(String)}, spooling metrics the server cannot take under {@code spoolDir}. */
    public static MlflowSession connect(String uri, Path spoolDir) {
        return new MlflowSession(MlflowTracking.connect(MlflowTracking.resolveUri(uri)).spoolTo(spoolDir));
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public RunTracker startRun(String experiment, String runName, String parentRunId, Map<String, String> tags) {
        String experimentId = experiments.computeIfAbsent(experiment, mlflow::getOrCreateExperiment);
        return mlflow.startRun(experimentId, runName, parentRunId, tags);
    }

    @Override
    public RunTracker attach(String runId) {
        return mlflow.attachRun(runId);
    }

    @Override
    public void endRun(String runId, boolean success) {
        mlflow.endRun(runId, success);
    }

    @Override
    public String uri() {
        return mlflow.uri();
    }

    @Override
    public String runUrl(String runId) {
        return mlflow.runUrl(runId);
    }

    @Override
    public byte[] read(String runId, String artifactPath) {
        return mlflow.readArtifact(runId, artifactPath);
    }

    @Override
    public void download(String runId, String artifactPath, Path dest) {
        mlflow.downloadArtifacts(runId, artifactPath, dest);
    }

    @Override
    public Map<String, String> tags(String runId) {
        return mlflow.getRun(runId).tags();
    }

    @Override
    public void logOutputs(String runId, Map<String, Long> stepByModel) {
        mlflow.logOutputs(runId, stepByModel);
    }

    @Override
    public RunView run(String runId) {
        return mlflow.getRun(runId);
    }

    @Override
    public List<RunView> searchRunsEverywhere(String filter) {
        return mlflow.searchRunsEverywhere(filter);
    }

    @Override
    public void logInputs(String runId, List<DatasetInput> inputs) {
        mlflow.logInputs(runId, inputs);
    }

    @Override
    public Map<String, Map<String, String>> readyModelsOf(String experiment, String sourceRunId) {
        String experimentId = experiments.computeIfAbsent(experiment, mlflow::getOrCreateExperiment);
        return mlflow.readyModelsOf(experimentId, sourceRunId);
    }

    @Override
    public List<String> logModels(String experiment, List<LoggedModelRequest> models) {
        if (models.isEmpty()) {
            return List.of();
        }
        String experimentId = experiments.computeIfAbsent(experiment, mlflow::getOrCreateExperiment);
        return mlflow.logModels(experimentId, models);
    }

    /** A session over an open connection (e.g. `rankrepro mlflow end-run`'s); closing either closes both. */
    public static MlflowSession over(MlflowTracking mlflow) {
        return new MlflowSession(mlflow);
    }

    @Override
    public void close() {
        mlflow.close();
    }
}
