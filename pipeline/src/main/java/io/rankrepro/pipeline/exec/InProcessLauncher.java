package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.util.Map;

/** Runs tasks in the executor's JVM: the embedded default. */
public final class InProcessLauncher implements TaskLauncher {
    private final TaskRunner runner;

    public InProcessLauncher(TaskRunner runner) {
        this.runner = runner;
    }

    @Override
    public boolean launch(Plan plan, PlannedTask task, TaskKeys keys, String parentRunId, boolean force) throws TaskFailure {
        return runner.runLocked(plan, task, keys, parentRunId, null, force).reused();
    }

    @Override
    public String name() {
        return "local";
    }
}
