package io.rankrepro.tasks.checkpoint;

import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskProvider;

import java.util.List;

/** Registers {@code checkpoint/verify}. */
public final class CheckpointTaskProvider implements TaskProvider {
    @Override
    public List<Task> tasks() {
        return List.of(new CheckpointVerifyTask());
    }
}
