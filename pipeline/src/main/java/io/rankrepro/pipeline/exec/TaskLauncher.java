package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.util.Map;

/** Where the executor runs a task: in this JVM, on a warm worker JVM, or in a container of the task image. */
public interface TaskLauncher {

    /**
     * Runs {@code task} to a published output, or throws with a message for the user.
     *
     * @param force run it even if its output is published
     * @return true when nothing was computed: another run on the same work folder published the
     *         output while this one waited for the task's lock (false where a launcher cannot tell)
     */
    boolean launch(Plan plan, PlannedTask task, TaskKeys keys, String parentRunId, boolean force) throws TaskFailure;

    /** A short name for logs: local, docker. */
    String name();
}
