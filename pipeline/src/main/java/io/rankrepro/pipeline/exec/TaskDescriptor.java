package io.rankrepro.pipeline.exec;

import io.rankrepro.tasks.task.SpecInfo;

import java.util.List;
import java.util.Map;

/**
 * Everything needed to run a task again from tracked artifacts alone: logged as {@code task.json}
 * on the task's run, next to {@code inputs/<upstream id>/} (for gather tasks) and {@code outputs/}.
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
        List<Upstream> upstream) {

    public static final String FILE_NAME = "task.json";

    /** One direct upstream task, as the downstream task sees it. */
    public record Upstream(String taskId, String stage, Map<String, Object> sweepPoint, String key) { }
}
