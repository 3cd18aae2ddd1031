package io.rankrepro.mlflow;

import java.nio.file.Path;
import java.util.List;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunTag;

/** What {@link MlflowRunTracker} sends to: the server in use, a recorder in unit tests. */
interface RunBackend {

    /** One {@code runs/log-batch} call; the lists already respect MLflow's per-batch limits. */
    void logBatch(String runId, List<Metric> metrics, List<Param> params, List<RunTag> tags);

    /** Uploads {@code file} to {@code artifactPath}, relative to the run's artifact root. */
    void uploadArtifact(String runId, Path file, String artifactPath);

    /** One {@code log-batch} of points linked to the MLflow 3 logged model {@code modelId}. */
    default void logModelMetrics(String runId, String modelId, List<Metric> metrics) {
        logBatch(runId, metrics, List.of(), List.of());
    }

    /** The steps the server already holds for each metric key of the run (for de-duplication). */
    default java.util.Map<String, java.util.Set<Long>> loggedSteps(String runId) {
        return java.util.Map.of();
    }

    /** Where the server is, for messages. */
    default String where() {
        return "the tracking server";
    }
}
