package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskProvider;

import java.util.List;

/** Paper A's toys: the 5×5 factorized toy (Fig. 1) and the two-parameter toy (Fig. A1). */
public final class FactorizedTaskProvider implements TaskProvider {
    @Override
    public List<Task> tasks() {
        return List.of(new FactorizedToyTrainTask(), new FactorizedToyAnalyzeTask(), new Kobayashi2024Fig1Task(),
                new TwoParameterTrainTask(), new Kobayashi2024FigA1Task());
    }
}
