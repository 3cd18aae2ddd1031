package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a plan on this machine: tasks in dependency order, independent ones in parallel up to
 * {@code workers}, the ready task with the longest chain of expected costs first ({@link TaskCosts});
 * a task whose outputs verify is skipped; a failed task blocks its dependents but not unrelated
 * branches. Says why each task ran or was skipped. Another run on the same work folder may be
 * computing a task at the same time: the launch then waits for its lock and reuses its output.
 */
public final class LocalExecutor {
    private final OutputStore store;
    private final TaskLauncher launcher;
    private final int workers;
    private final boolean force;
    private final PrintStream out;

    public LocalExecutor(OutputStore store, TaskLauncher launcher, int workers, boolean force, PrintStream out) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        this.store = store;
        this.launcher = launcher;
        this.workers = workers;
        this.force = force;
        this.out = out;
    }

    /** Outcomes in plan order. */
    public Map<String, TaskOutcome> execute(Plan plan, TaskKeys keys, RunReason reasons, String parentRunId) {
        return execute(plan, keys, reasons, parentRunId, TaskCosts.of(plan, store));
    }

    public Map<String, TaskOutcome> execute(Plan plan, TaskKeys keys, RunReason reasons, String parentRunId, TaskCosts costs) {
        Map<String, TaskOutcome> outcomes = new LinkedHashMap<>();
        plan.tasks().forEach(t -> outcomes.put(t.id(), null));
        List<PlannedTask> pending = new ArrayList<>(plan.tasks());
        // longest chain first; plan order among equals (a stable sort)
        pending.sort(java.util.Comparator.comparingDouble((PlannedTask t) -> -costs.chain(t.id())));
        Map<Future<TaskOutcome>, String> running = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "rankrepro-worker");
            t.setDaemon(true);
            return t;
        });
        CompletionService<TaskOutcome> done = new ExecutorCompletionService<>(pool);
        try {
            while (!pending.isEmpty() || !running.isEmpty()) {
                for (var it = pending.iterator(); it.hasNext(); ) {
                    PlannedTask t = it.next();
                    String blocker = t.upstream().stream()
                            .filter(u -> outcomes.get(u) != null && !outcomes.get(u).ok()).findFirst().orElse(null);
                    if (blocker != null) {
                        TaskOutcome o = new TaskOutcome(t.id(), TaskOutcome.Status.BLOCKED,
                                "not run: upstream " + blocker + " did not succeed", keys.key(t.id()), null, 0, null);
                        outcomes.put(t.id(), o);
                        report(o, dagProgress(outcomes, running.size()));
                        it.remove();
                        continue;
                    }
                    boolean ready = t.upstream().stream().allMatch(u -> outcomes.get(u) != null);
                    if (!ready || running.size() >= workers) {
                        continue;
                    }
                    it.remove();
                    OutputStore.Verification v = store.verify(keys.key(t.id()));
                    if (v.ok() && !force) {
                        TaskOutcome o = new TaskOutcome(t.id(), TaskOutcome.Status.CACHED,
                                "skipped: " + v.reason() + " (key " + keys.key(t.id()).substring(0, 12)
                                        + (v.record().mlflowRunId() == null ? "" : ", run " + v.record().mlflowRunId()) + ")",
                                keys.key(t.id()), v.record().mlflowRunId(), 0, v.dir());
                        outcomes.put(t.id(), o);
                        report(o, dagProgress(outcomes, running.size()));
                        continue;
                    }
                    String why = force ? "forced (--force)" : reasons.why(t, v);
                    out.printf("▶ %-28s running: %s [%s]  %s%n", t.id(), why, launcher.name(), dagProgress(outcomes, running.size() + 1));
                    running.put(done.submit(() -> runOne(plan, t, keys, parentRunId, why)), t.id());
                }
                if (running.isEmpty()) {
                    continue;
                }
                Future<TaskOutcome> f = done.take();
                String id = running.remove(f);
                TaskOutcome o;
                try {
                    o = f.get();
                } catch (ExecutionException e) {
                    o = new TaskOutcome(id, TaskOutcome.Status.FAILED, TaskRunner.message(e.getCause()), keys.key(id), null, 0, null);
                }
                outcomes.put(id, o);
                report(o, dagProgress(outcomes, running.size()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + running.values(), e);
        } finally {
            pool.shutdownNow();
        }
        return outcomes;
    }

    private TaskOutcome runOne(Plan plan, PlannedTask t, TaskKeys keys, String parentRunId, String why) {
        long start = System.nanoTime();
        String key = keys.key(t.id());
        try {
            boolean reused = launcher.launch(plan, t, keys, parentRunId, force);
            OutputStore.Verification v = store.verify(key);
            double wall = (System.nanoTime() - start) / 1e9;
            if (!v.ok()) {
                return new TaskOutcome(t.id(), TaskOutcome.Status.FAILED, "finished but its output does not verify: " + v.reason(), key, null, wall, null);
            }
            if (reused) {
                return new TaskOutcome(t.id(), TaskOutcome.Status.CACHED, "reused: another run on this work folder computed it meanwhile (key "
                        + key.substring(0, 12) + (v.record().mlflowRunId() == null ? "" : ", run " + v.record().mlflowRunId()) + ")",
                        key, v.record().mlflowRunId(), 0, v.dir());
            }
            return new TaskOutcome(t.id(), TaskOutcome.Status.RAN, "ran (" + why + ")", key, v.record().mlflowRunId(), wall, v.dir());
        } catch (TaskFailure e) {
            return new TaskOutcome(t.id(), TaskOutcome.Status.FAILED, e.getMessage(), key, null, (System.nanoTime() - start) / 1e9, null);
        } catch (RuntimeException e) {
            return new TaskOutcome(t.id(), TaskOutcome.Status.FAILED, t.id() + " crashed: " + TaskRunner.message(e), key, null, (System.nanoTime() - start) / 1e9, null);
        }
    }

    /** Where the whole DAG stands, e.g. {@code [3/12 done, 2 running]}: plain text, fit for CI logs. */
    static String dagProgress(Map<String, TaskOutcome> outcomes, int running) {
        long done = outcomes.values().stream().filter(java.util.Objects::nonNull).count();
        return "[" + done + "/" + outcomes.size() + " done, " + running + " running]";
    }

    private void report(TaskOutcome o, String progress) {
        String mark = switch (o.status()) {
            case RAN -> "✔";
            case CACHED -> "≡";
            case FAILED -> "✘";
            case BLOCKED -> "⊘";
        };
        String time = o.status() == TaskOutcome.Status.RAN || o.status() == TaskOutcome.Status.FAILED
                ? String.format(" in %.1fs", o.wallSeconds()) : "";
        out.printf("%s %-28s %s%s  %s%n", mark, o.taskId(), o.reason(), time, progress);
        out.flush();
    }
}
