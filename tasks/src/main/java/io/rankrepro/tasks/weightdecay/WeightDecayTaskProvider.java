package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskProvider;

import java.util.List;

/** Paper A's weight-decay experiments on transformers: balance analysis, held-out perplexity and figures. */
public final class WeightDecayTaskProvider implements TaskProvider {
    @Override
    public List<Task> tasks() {
        return List.of(new BalanceAnalyzeTask(), new Kobayashi2024Fig4Task(), new HeldOutPerplexityTask(),
                new Kobayashi2024Fig3Task(), new Kobayashi2024Tab1Task());
    }
}
