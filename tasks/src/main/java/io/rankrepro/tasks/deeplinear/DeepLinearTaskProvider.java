package io.rankrepro.tasks.deeplinear;

import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskProvider;

import java.util.List;

/** Paper A's deep linear networks (A-lin): training and the figure. */
public final class DeepLinearTaskProvider implements TaskProvider {
    @Override
    public List<Task> tasks() {
        return List.of(new DeepLinearTrainTask(), new Kobayashi2024LinTask());
    }
}
