package io.rankrepro.tasks.task;

import java.nio.file.Path;
import java.util.Map;

/**
 * The verified output of one upstream task.
 *
 * @param taskId     upstream task id, e.g. {@code train[alpha=0.01]}
 * @param stage      upstream stage name, e.g. {@code train}
 * @param sweepPoint the sweep values the upstream task ran at (empty when not swept)
 * @param dir        folder holding its outputs (read-only by convention)
 */
public record TaskInput(String taskId, String stage, Map<String, Object> sweepPoint, Path dir) {
    public TaskInput {
        sweepPoint = Map.copyOf(sweepPoint);
    }
}
