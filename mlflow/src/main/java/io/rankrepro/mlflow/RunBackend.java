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

    /** Uploads each file to its artifact path (the map's key); all are uploaded when this returns. */
    default void uploadArtifacts(String runId, java.util.Map<String, Path> fileByArtifactPath) {
        fileByArtifactPath.forEach((path, file) -> uploadArtifact(runId, file, path));
    }

    /** Points linked to MLflow 3 logged models (model id → its points), in as few {@code log-batch} calls as fit. */
    default void logModelMetrics(String runId, java.util.Map<String, List<Metric>> metricsByModel) {
        List<Metric> all = metricsByModel.values().stream().flatMap(List::stream).toList();
        for (List<Metric> chunk : MlflowLimits.chunks(all, MlflowLimits.MAX_METRICS_PER_BATCH)) {
            logBatch(runId, chunk, List.of(), List.of());
        }
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
