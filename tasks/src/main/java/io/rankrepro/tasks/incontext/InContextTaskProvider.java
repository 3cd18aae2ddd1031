package io.rankrepro.tasks.incontext;

import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskProvider;

import java.util.List;

/** Paper A's Fig. 2: the in-context-regression transformer and its figure. */
public final class InContextTaskProvider implements TaskProvider {
    @Override
    public List<Task> tasks() {
        return List.of(new InContextTrainTask(), new Kobayashi2024Fig2Task());
    }
}
