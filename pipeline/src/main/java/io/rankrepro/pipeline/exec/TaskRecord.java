package io.rankrepro.pipeline.exec;

import java.util.Map;

/**
 * The manifest ({@code _task.json}) of a published task output: what ran, and the hash of every
 * file it wrote, so a later run can verify the outputs before trusting them; with what its key
 * hashed ({@code material}, and the hash of each class of its kind's code) so a later plan can say
 * what changed.
 */
public record TaskRecord(
        String key,
        String taskId,
        String kind,
        Map<String, Object> params,
        Map<String, String> files,
        String codeVersion,
        String mlflowRunId,
        String finishedAt,
        double wallSeconds,
        KeyMaterial material,
        Map<String, String> codeClasses) {

    public TaskRecord {
        params = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(params)); // a default may be null
        files = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(files));
        codeClasses = codeClasses == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(codeClasses));
    }
}
