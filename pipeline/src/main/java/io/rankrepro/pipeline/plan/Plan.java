package io.rankrepro.pipeline.plan;

import io.rankrepro.pipeline.spec.ExperimentSpec;
import io.rankrepro.tasks.task.SpecInfo;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/**
 * A spec expanded at one profile: tasks in a valid execution order (every task after its upstream).
 */
public record Plan(ExperimentSpec spec, SpecInfo info, List<PlannedTask> tasks) {

    public Plan {
        tasks = List.copyOf(tasks);
    }

    public PlannedTask task(String id) {
        return tasks.stream().filter(t -> t.id().equals(id)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no task '" + id + "' in the plan of " + spec.id()
                        + " at profile " + info.profile() + "; tasks: " + tasks.stream().map(PlannedTask::id).toList()));
    }

    /** Tasks that nothing depends on: the plan's final products. */
    public List<PlannedTask> sinks() {
        java.util.Set<String> used = tasks.stream().flatMap(t -> t.upstream().stream()).collect(Collectors.toSet());
        return tasks.stream().filter(t -> !used.contains(t.id())).toList();
    }
}
