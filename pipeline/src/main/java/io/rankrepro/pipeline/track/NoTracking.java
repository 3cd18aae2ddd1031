package io.rankrepro.pipeline.track;

import io.rankrepro.mlflow.DatasetInput;
import io.rankrepro.mlflow.LoggedModelRequest;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.mlflow.RunView;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Tracking switched off: runs get no ids, nothing is sent. */
enum NoTracking implements Tracking {
    INSTANCE;

    @Override public boolean enabled() { return false; }
    @Override public RunTracker startRun(String e, String n, String p, Map<String, String> t) { return RunTracker.none(); }
    @Override public RunTracker attach(String runId) { return RunTracker.none(); }
    @Override public void endRun(String runId, boolean success) { }
    @Override public String runUrl(String runId) { return ""; }
    @Override public String uri() { return ""; }

    @Override
    public byte[] read(String runId, String artifactPath) {
        throw new IllegalStateException("tracking is off: nothing to read of run " + runId);
    }

    @Override
    public void download(String runId, String artifactPath, Path dest) {
        throw new IllegalStateException("tracking is off: nothing to download for run " + runId);
    }

    @Override public Map<String, String> tags(String runId) { return Map.of(); }
    @Override public List<RunView> searchRunsEverywhere(String filter) { return List.of(); }
    @Override public void logInputs(String runId, List<DatasetInput> inputs) { }
    @Override public void logOutputs(String runId, Map<String, Long> stepByModel) { }

    @Override
    public RunView run(String runId) {
        throw new IllegalStateException("tracking is off: no run " + runId);
    }

    @Override
    public Map<String, Map<String, String>> readyModelsOf(String experiment, String sourceRunId) {
        return Map.of();
    }

    @Override
    public List<String> logModels(String experiment, List<LoggedModelRequest> models) {
        return List.of();
    }
    @Override public void close() { }
}
