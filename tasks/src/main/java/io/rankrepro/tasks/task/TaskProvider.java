package io.rankrepro.tasks.task;

import java.util.List;

/**
 * Contributes task kinds; listed in {@code META-INF/services/io.rankrepro.tasks.task.TaskProvider}
 * so each science package registers its own kinds.
 */
public interface TaskProvider {
    List<Task> tasks();
}
