package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each task of a plan is expected to cost (seconds) and the longest chain of costs it starts:
 * the executor starts the ready task with the longest chain first, so that the last long training
 * is not begun when the other workers are already idle. A task's cost is its own wall time the
 * last time it was published at this profile ({@code _task.json}'s {@code wallSeconds}, found
 * through the index); never run, the mean of its kind's known costs in the plan scaled by its
 * {@code steps} where both have one; else a guess from its params (a millisecond per step, or one
 * second). Only the order depends on it, never what a task computes.
 */
public final class TaskCosts {
    static final double UNKNOWN_SECONDS = 1.0;
    static final double SECONDS_PER_STEP = 1e-3;

    private final Map<String, Double> cost;
    private final Map<String, Double> chain;

    TaskCosts(Plan plan, Map<String, Double> cost) {
        this.cost = Map.copyOf(cost);
        this.chain = chains(plan, this.cost);
    }

    /** Costs from the last published run of each task in {@code store}. */
    public static TaskCosts of(Plan plan, OutputStore store) {
        Map<String, Double> known = new LinkedHashMap<>();
        for (PlannedTask t : plan.tasks()) {
            store.latest(plan.spec().id(), plan.info().profile(), t.id())
                    .flatMap(store::record)
                    .filter(r -> r.wallSeconds() > 0)
                    .ifPresent(r -> known.put(t.id(), r.wallSeconds()));
        }
        return new TaskCosts(plan, estimate(plan, known));
    }

    /** Fills in the tasks without a known cost. */
    static Map<String, Double> estimate(Plan plan, Map<String, Double> known) {
        Map<String, List<Double>> perStepByKind = new HashMap<>();
        Map<String, List<Double>> byKind = new HashMap<>();
        for (PlannedTask t : plan.tasks()) {
            Double c = known.get(t.id());
            if (c != null) {
                byKind.computeIfAbsent(t.kind(), k -> new ArrayList<>()).add(c);
                Double steps = steps(t);
                if (steps != null) {
                    perStepByKind.computeIfAbsent(t.kind(), k -> new ArrayList<>()).add(c / steps);
                }
            }
        }
        Map<String, Double> out = new HashMap<>();
        for (PlannedTask t : plan.tasks()) {
            Double c = known.get(t.id());
            Double steps = steps(t);
            if (c == null && steps != null && perStepByKind.containsKey(t.kind())) {
                c = mean(perStepByKind.get(t.kind())) * steps;
            }
            if (c == null && byKind.containsKey(t.kind())) {
                c = mean(byKind.get(t.kind()));
            }
            if (c == null) {
                c = steps != null ? steps * SECONDS_PER_STEP : UNKNOWN_SECONDS;
            }
            out.put(t.id(), c);
        }
        return out;
    }

    private static Double steps(PlannedTask t) {
        Object s = t.params().asMap().get("steps");
        return s instanceof Number n && n.doubleValue() > 0 ? n.doubleValue() : null;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(UNKNOWN_SECONDS);
    }

    /** A task's cost plus the longest chain among the tasks that depend on it. */
    private static Map<String, Double> chains(Plan plan, Map<String, Double> cost) {
        Map<String, List<String>> dependents = new HashMap<>();
        for (PlannedTask t : plan.tasks()) {
            for (String u : t.upstream()) {
                dependents.computeIfAbsent(u, k -> new ArrayList<>()).add(t.id());
            }
        }
        Map<String, Double> chain = new HashMap<>();
        List<PlannedTask> reversed = new ArrayList<>(plan.tasks());
        java.util.Collections.reverse(reversed); // plan order puts every task after its upstream
        for (PlannedTask t : reversed) {
            double longest = dependents.getOrDefault(t.id(), List.of()).stream().mapToDouble(chain::get).max().orElse(0);
            chain.put(t.id(), cost.get(t.id()) + longest);
        }
        return chain;
    }

    public double cost(String taskId) {
        return cost.get(taskId);
    }

    /** The task's cost plus the longest chain of its dependents' costs. */
    public double chain(String taskId) {
        return chain.get(taskId);
    }
}
