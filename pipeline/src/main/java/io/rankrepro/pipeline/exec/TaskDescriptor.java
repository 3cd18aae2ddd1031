package io.rankrepro.pipeline.exec;

import io.rankrepro.tasks.task.SpecInfo;

import java.util.List;
import java.util.Map;

/**
 * Everything needed to run a task again from tracked artifacts alone, logged as {@code task.json}
 * on the task's run next to its {@code outputs/}: its params, and for every declared input the run
 * that computed it (the original one, also when this DAG run reused it from another) with the
 * hash of each file read, so {@code figure --from-run} fetches exactly those, verified.
 *
 * @param outputs what the task wrote: file → SHA-256, so a rebuild can show it is byte-identical
 */
public record TaskDescriptor(
        String taskId,
        String stage,
        String kind,
        Map<String, Object> params,
        Map<String, Object> sweepPoint,
        SpecInfo spec,
        String key,
        String codeVersion,
        List<Input> inputs,
        Map<String, String> outputs) {

    public static final String FILE_NAME = "task.json";

    public TaskDescriptor {
        inputs = List.copyOf(inputs);
        outputs = Map.copyOf(outputs);
    }

    /**
     * One upstream task's output as this task read it.
     *
     * @param runId the tracking run that computed it (its {@code outputs/} hold the files)
     * @param files the files read, relative to that output → SHA-256
     */
    public record Input(String stage, String taskId, Map<String, Object> sweepPoint, String key, String runId,
                        Map<String, String> files) { }
}
