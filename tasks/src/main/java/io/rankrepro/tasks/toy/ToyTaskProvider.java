package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskProvider;

import java.util.List;

/** Paper B's toy diagonal head: prepare, train, analyze and Figure 1; the perturbation experiment and Figure 2. */
public final class ToyTaskProvider implements TaskProvider {
    @Override
    public List<Task> tasks() {
        return List.of(new DiagonalToyPrepareTask(), new DiagonalToyTrainTask(), new DiagonalToyAnalyzeTask(),
                new Boix2023Fig1Task(), new DiagonalToyPerturbTask(), new Boix2023Fig2Task());
    }
}
