package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskProvider;

import java.util.List;

/** {@code inspect}: any Hugging Face checkpoint's attention, head by head. */
public final class InspectTaskProvider implements TaskProvider {
    @Override
    public List<Task> tasks() {
        return List.of(new InspectTask());
    }
}
