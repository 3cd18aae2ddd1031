package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.util.Map;

/** Where the executor runs a task: in its own JVM, or in a container of the task image. */
public interface TaskLauncher {

    /** Runs {@code task} to a published output, or throws with a message for the user. */
    void launch(Plan plan, PlannedTask task, TaskKeys keys, String parentRunId) throws TaskFailure;

    /** A short name for logs: local, docker. */
    String name();
}
