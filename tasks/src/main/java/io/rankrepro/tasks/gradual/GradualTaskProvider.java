package io.rankrepro.tasks.gradual;

import io.rankrepro.tasks.data.PrepareTask;
import io.rankrepro.tasks.rank.AnalyzeTask;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskProvider;
import io.rankrepro.tasks.train.TrainTask;

import java.util.List;

/** Paper B's transformer pipeline: data, training, per-head rank analysis and figures 3, 4, 5, rank-vs-scale and the per-layer appendix figure. */
public final class GradualTaskProvider implements TaskProvider {
    @Override
    public List<Task> tasks() {
        return List.of(new PrepareTask(), new TrainTask(), new AnalyzeTask(), new StableRankCurvesFigure(),
                new InitVersusLearnedSpectrumFigure(), new InitScaleTrajectoriesFigure(), new RankVersusInitScaleFigure(),
                new PerLayerStableRankFigure());
    }
}
