package io.rankrepro.pipeline.plan;

import io.rankrepro.tasks.task.Params;

import java.util.List;
import java.util.Map;

/**
 * One task invocation in a plan.
 *
 * @param id         unique within the plan, e.g. {@code train[alpha=0.01]}
 * @param stage      the stage it belongs to
 * @param kind       the task kind that runs it
 * @param params     resolved params (base, profile, overrides, sweep values)
 * @param sweepPoint the sweep values of its branch (empty before the sweep and after a gather)
 * @param upstream   ids of the tasks it directly depends on
 * @param ancestors  ids of every task it transitively depends on, in plan order
 * @param gather     whether it gathers the sweep
 * @param inputs     what it reads, wired to the tasks that produce it (its declared contract)
 */
public record PlannedTask(
        String id,
        String stage,
        String kind,
        Params params,
        Map<String, Object> sweepPoint,
        List<String> upstream,
        List<String> ancestors,
        boolean gather,
        List<PlannedInput> inputs) {

    public PlannedTask {
        sweepPoint = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sweepPoint));
        upstream = List.copyOf(upstream);
        ancestors = List.copyOf(ancestors);
        inputs = List.copyOf(inputs);
    }

    /** Every task whose output it reads, in plan order. */
    public List<String> producers() {
        return inputs.stream().flatMap(i -> i.producers().stream()).distinct().toList();
    }
}
