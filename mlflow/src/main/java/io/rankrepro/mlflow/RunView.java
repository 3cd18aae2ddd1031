package io.rankrepro.mlflow;

import java.util.Map;

/**
 * What the tracking server holds about one run. {@code metrics} are the latest values;
 * {@code endTimeMillis} is 0 while the run is running. Maps are sorted by key and unmodifiable.
 */
public record RunView(
        String runId,
        String experimentId,
        String runName,
        String status,
        long startTimeMillis,
        long endTimeMillis,
        String artifactUri,
        Map<String, String> params,
        Map<String, String> tags,
        Map<String, Double> metrics) {

    /** The run id of the parent run, or {@code null} for a top-level run. */
    public String parentRunId() {
        return tags.get(MlflowTracking.TAG_PARENT_RUN_ID);
    }
}
