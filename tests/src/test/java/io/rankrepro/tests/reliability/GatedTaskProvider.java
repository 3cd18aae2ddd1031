package io.rankrepro.tests.reliability;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskProvider;
import io.rankrepro.tasks.toy.DiagonalToyTrainTask;

import java.util.List;

/**
 * Test-only task kinds (registered in this module's test resources, so only test class paths have
 * them): {@value GatedToyTrain#KIND}, the production {@code diagonal-toy/train} whose progress
 * reports also pass a {@link TrainingGate}, so that a fault test decides at which step a training
 * is when it kills it or cuts it off from MLflow.
 */
public final class GatedTaskProvider implements TaskProvider {

    @Override
    public List<Task> tasks() {
        return List.of(new GatedToyTrain());
    }

    /** {@code diagonal-toy/train} unchanged (same params, outputs, metrics, resume snapshots); only its progress reports may wait at a gate. */
    static final class GatedToyTrain implements Task {
        static final String KIND = "test/gated-diagonal-toy-train";
        private final Task train = new DiagonalToyTrainTask();

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Contract contract() {
            return train.contract();
        }

        @Override
        public void run(TaskContext ctx) throws Exception {
            TrainingGate gate = TrainingGate.configured();
            if (gate == null) {
                train.run(ctx);
                return;
            }
            Progress shown = ctx.progress();
            Progress gated = (done, total, detail) -> {
                shown.update(done, total, detail);
                gate.pass(done); // done = the training step just logged
            };
            train.run(new TaskContext(ctx.taskId(), ctx.stage(), ctx.spec(), ctx.params(), ctx.sweepPoint(), ctx.inputs(),
                    ctx.outputDir(), ctx.tracker(), gated, ctx.resume()));
        }
    }
}
