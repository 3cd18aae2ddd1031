package io.rankrepro.pipeline.provenance;

import java.util.List;
import java.util.Map;

/**
 * Where a figure came from, written as {@code provenance.json} next to it: the figure's files, then
 * every task it depends on (analysis tables, checkpoints, the training run, the data shard), each
 * with the SHA-256 of every file it wrote, its task key and the MLflow run that holds those files
 * under {@code outputs/}. Steps form a DAG through {@link Step#upstream()}.
 *
 * @param results     the figure's files next to the manifest, path → sha256
 * @param figureTasks the tasks whose files are in {@code results} (the plan's sinks)
 * @param steps       the figure tasks first, then their ancestors, nearest first
 */
public record ProvenanceManifest(
        String experiment,
        String profile,
        String codeVersion,
        String trackingUri,
        String mlflowExperimentId,
        String parentRunId,
        Map<String, String> results,
        List<String> figureTasks,
        List<Step> steps) {

    public static final String FILE_NAME = "provenance.json";

    public ProvenanceManifest {
        results = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(results));
        figureTasks = List.copyOf(figureTasks);
        steps = List.copyOf(steps);
    }

    public Step step(String taskId) {
        return steps.stream().filter(s -> s.taskId().equals(taskId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no step " + taskId + " in the provenance of " + experiment));
    }

    /**
     * One task the figure depends on.
     *
     * @param key      its content address: outputs live in {@code <work>/tasks/<key>/}
     * @param runId    the MLflow run that produced (and holds) its outputs; null when untracked
     * @param upstream the tasks it read directly
     * @param files    every file it wrote, path → sha256
     */
    public record Step(String taskId, String stage, String kind, String key, String runId, List<String> upstream,
                       Map<String, String> files, double computeSeconds) {
        public Step {
            upstream = List.copyOf(upstream);
            files = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(files));
        }
    }
}
