package io.rankrepro.tests.reliability;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunView;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What MLflow holds of a training's checkpoints as logged models, as the reliability tests check it. */
final class LoggedModels {
    private LoggedModels() {
    }

    /** checkpoint file (relative to the task's output) → id of each READY logged model of the run. */
    static Map<String, String> ofRun(MlflowTracking mlflow, String runId) {
        RunView run = mlflow.getRun(runId);
        Map<String, String> modelOfFile = new TreeMap<>();
        mlflow.readyModelsOf(run.experimentId(), runId).forEach((id, tags) -> {
            String file = tags.get("rankrepro.checkpoint").replace("runs:/" + runId + "/outputs/", "");
            assertNull(modelOfFile.put(file, id), file + " is a READY model twice");
        });
        return modelOfFile;
    }

    /**
     * Every checkpoint the task published is exactly one READY logged model of its run, made with
     * the published file's hash, and the one the run's {@code rankrepro.model.step_<N>} tag names.
     */
    static void assertOnePerCheckpoint(MlflowTracking mlflow, Work work, String taskId, String runId) {
        Map<String, String> checkpoints = new TreeMap<>(work.files(taskId));
        checkpoints.keySet().removeIf(f -> !f.startsWith("checkpoints/"));
        assertFalse(checkpoints.isEmpty(), taskId + " published no checkpoints");
        RunView run = mlflow.getRun(runId);
        Map<String, Map<String, String>> tags = mlflow.readyModelsOf(run.experimentId(), runId);
        Map<String, String> modelOfFile = ofRun(mlflow, runId);
        assertEquals(checkpoints.keySet(), modelOfFile.keySet(), "one READY model per published checkpoint");
        modelOfFile.forEach((file, id) -> {
            assertEquals(checkpoints.get(file), tags.get(id).get("rankrepro.checkpoint_sha256"), "model " + id + " of " + file);
            long step = Long.parseLong(file.replaceAll("\\D", ""));
            assertEquals(id, run.tags().get("rankrepro.model.step_" + step), "the run's tag for " + file);
        });
    }
}
