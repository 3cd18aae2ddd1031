package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a plan on this machine: tasks in dependency order, at most as many at once as there are
 * worker slots ({@link WorkerSlots}, which the DAGs of one run share), a free slot going to the
 * ready task with the longest chain of expected costs ({@link TaskCosts}); a task whose outputs
 * verify is skipped; a failed task blocks its dependents but not unrelated branches. Says why each
 * task ran or was skipped. A task another DAG of this run is computing is waited for, then reused;
 * one another run on the same work folder is computing is reused after its lock ({@link TaskLock}).
 * With a shared store on, a task not verified locally is first fetched from it ({@link SharedStore}),
 * in its own thread and before it takes a slot, and only computed when no published copy verifies.
 */
public final class LocalExecutor {
    private final OutputStore store;
    private final SharedStore shared;
    private final TaskLauncher launcher;
    private final WorkerSlots slots;
    private final boolean force;
    private final PrintStream out;
    /** Put before each line when several DAGs share the console (their spec id), else empty. */
    private final String label;

    public LocalExecutor(OutputStore store, TaskLauncher launcher, int workers, boolean force, PrintStream out) {
        this(store, launcher, new WorkerSlots(workers), force, out, null);
    }

    /** @param label said before each line (e.g. the spec id when DAGs run side by side), or null */
    public LocalExecutor(OutputStore store, TaskLauncher launcher, WorkerSlots slots, boolean force, PrintStream out, String label) {
        this(SharedStore.off(store), launcher, slots, force, out, label);
    }

    /** @param shared the work folder's store, backed by the shared store when that is on */
    public LocalExecutor(SharedStore shared, TaskLauncher launcher, WorkerSlots slots, boolean force, PrintStream out, String label) {
        this.store = shared.local();
        this.shared = shared;
        this.launcher = launcher;
        this.slots = slots;
        this.force = force;
        this.out = out;
        this.label = label == null ? "" : label + " ";
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
        pending.sort(Comparator.comparingDouble((PlannedTask t) -> -costs.chain(t.id())));
        Map<Future<TaskOutcome>, String> running = new HashMap<>();
        // for the task threads' lines: they must not read outcomes, which this thread writes
        java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger launched = new java.util.concurrent.atomic.AtomicInteger();
        // a thread per ready task, each waiting for a slot: the slots, not this pool, bound the work
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "rankrepro-task");
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
                        finished.incrementAndGet();
                        report(o, dagProgress(outcomes, running.size()));
                        it.remove();
                        continue;
                    }
                    boolean ready = t.upstream().stream().allMatch(u -> outcomes.get(u) != null);
                    if (!ready) {
                        continue;
                    }
                    it.remove();
                    OutputStore.Verification v = store.verify(keys.key(t.id()));
                    if (v.ok() && !force) {
                        TaskOutcome o = cached(t, keys.key(t.id()), v, "skipped: " + v.reason());
                        outcomes.put(t.id(), o);
                        finished.incrementAndGet();
                        report(o, dagProgress(outcomes, running.size()));
                        continue;
                    }
                    String why = force ? "forced (--force)" : reasons.why(t, v);
                    // claimed and queued here, in chain order; a task another DAG computes waits without a place in the queue
                    CompletableFuture<Void> mine = new CompletableFuture<>();
                    CompletableFuture<Void> other = slots.claim(keys.key(t.id()), mine);
                    WorkerSlots.Ticket ticket = other == null ? slots.enqueue(costs.chain(t.id())) : null;
                    double chain = costs.chain(t.id());
                    running.put(done.submit(() -> runOne(plan, t, keys, parentRunId, why, new Claim(mine, other, ticket, chain),
                            () -> "[" + finished.get() + "/" + outcomes.size() + " done, " + launched.incrementAndGet() + " running]",
                            launched::decrementAndGet)), t.id());
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
                finished.incrementAndGet();
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

    private TaskOutcome cached(PlannedTask t, String key, OutputStore.Verification v, String reason) {
        return new TaskOutcome(t.id(), TaskOutcome.Status.CACHED, reason + " (key " + key.substring(0, 12)
                + (v.record().mlflowRunId() == null ? "" : ", run " + v.record().mlflowRunId()) + ")",
                key, v.record().mlflowRunId(), 0, v.dir());
    }

    /** A task's claim on its key in this run and its place in the slot queue (null while another DAG computes the key). */
    private record Claim(CompletableFuture<Void> mine, CompletableFuture<Void> other, WorkerSlots.Ticket ticket, double chain) { }

    /** Waits for a task another DAG of this run computes, else for a slot, then launches it. */
    private TaskOutcome runOne(Plan plan, PlannedTask t, TaskKeys keys, String parentRunId, String why, Claim claim,
                               java.util.function.Supplier<String> started, Runnable end) throws InterruptedException {
        String key = keys.key(t.id());
        CompletableFuture<Void> mine = claim.mine();
        for (CompletableFuture<Void> other = claim.other(); other != null; other = slots.claim(key, mine)) {
            try {
                other.get();
            } catch (ExecutionException e) {
                // it ended one way or another: look at the store
            }
            OutputStore.Verification v = store.verify(key);
            if (v.ok()) {
                return cached(t, key, v, "reused: another spec of this run computed it");
            }
        }
        WorkerSlots.Ticket ticket = claim.ticket();
        try {
            if (!force && shared.enabled()) {
                // a fetch takes no slot, and must not hold the head of the queue while it downloads
                if (ticket != null) {
                    slots.cancel(ticket);
                    ticket = null;
                }
                TaskOutcome fetched = fetch(t, key);
                if (fetched != null) {
                    return fetched;
                }
            }
            if (ticket == null) {
                ticket = slots.enqueue(claim.chain());
            }
            slots.await(ticket);
            long start = System.nanoTime();
            try {
                out.printf("%s▶ %-28s running: %s [%s]  %s%n", label, t.id(), why, launcher.name(), started.get());
                boolean reused = launcher.launch(plan, t, keys, parentRunId, force);
                OutputStore.Verification v = store.verify(key);
                double wall = (System.nanoTime() - start) / 1e9;
                if (!v.ok()) {
                    return new TaskOutcome(t.id(), TaskOutcome.Status.FAILED, "finished but its output does not verify: " + v.reason(), key, null, wall, null);
                }
                if (reused) {
                    return cached(t, key, v, "reused: another run on this work folder computed it meanwhile");
                }
                return new TaskOutcome(t.id(), TaskOutcome.Status.RAN, "ran (" + why + ")", key, v.record().mlflowRunId(), wall, v.dir());
            } catch (TaskFailure e) {
                return new TaskOutcome(t.id(), TaskOutcome.Status.FAILED, e.getMessage(), key, null, (System.nanoTime() - start) / 1e9, null);
            } catch (RuntimeException e) {
                return new TaskOutcome(t.id(), TaskOutcome.Status.FAILED, t.id() + " crashed: " + TaskRunner.message(e), key, null, (System.nanoTime() - start) / 1e9, null);
            } finally {
                end.run();
                slots.release();
            }
        } finally {
            slots.done(key, mine);
        }
    }

    /** {@code t}'s output fetched from the shared store, verified; null when it must be computed (or another run published it meanwhile). */
    private TaskOutcome fetch(PlannedTask t, String key) throws InterruptedException {
        long start = System.nanoTime();
        try {
            var f = shared.fetchLocked(key, t.id(), msg -> out.printf("%s  %s: %s%n", label, t.id(), msg));
            if (f.isEmpty()) {
                return null;
            }
            return new TaskOutcome(t.id(), TaskOutcome.Status.FETCHED, f.get().summary() + " (key " + key.substring(0, 12) + ")",
                    key, f.get().runId(), (System.nanoTime() - start) / 1e9, f.get().output().dir());
        } catch (java.io.IOException e) {
            out.printf("%s  %s: shared store: cannot lock %s: %s; computing it%n", label, t.id(), store.lockFile(key), e.getMessage());
            return null;
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
            case FETCHED -> "⇣";
            case FAILED -> "✘";
            case BLOCKED -> "⊘";
        };
        String time = o.status() == TaskOutcome.Status.RAN || o.status() == TaskOutcome.Status.FAILED || o.status() == TaskOutcome.Status.FETCHED
                ? String.format(" in %.1fs", o.wallSeconds()) : "";
        out.printf("%s%s %-28s %s%s  %s%n", label, mark, o.taskId(), o.reason(), time, progress);
        out.flush();
    }
}
