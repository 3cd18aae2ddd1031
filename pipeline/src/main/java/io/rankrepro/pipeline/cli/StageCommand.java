package io.rankrepro.pipeline.cli;

import io.rankrepro.pipeline.exec.CodeVersion;
import io.rankrepro.pipeline.exec.ConsoleProgress;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.ParentWatch;
import io.rankrepro.pipeline.exec.TaskKeys;
import io.rankrepro.pipeline.exec.TaskRunner;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.track.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs one task of one stage exactly as the executor would: what a container or an Airflow task
 * runs. Registered once per standard stage name (prepare, train, checkpoint, analyze, figure), and
 * as {@code task}, which runs a task of any stage.
 */
@Command(mixinStandardHelpOptions = true,
        description = {"Run one task of the '${COMMAND-NAME}' stage of a spec, as the DAG executor would:",
                "upstream outputs must already be in --workdir (or, with --shared-store mlflow, on the tracking server);",
                "the output is published there, verified and tracked.",
                "Task ids are printed by `rankrepro plan` (e.g. train[alpha=0.01])."})
class StageCommand implements Callable<Integer> {
    private final String stage;

    @Mixin SpecOptions specOptions;
    @Mixin WorkOptions work;
    @Mixin TrackingOptions trackingOptions;
    @Mixin DeviceOption device;
    @Mixin SharedStoreOption sharedStore;

    @Option(names = "--task", paramLabel = "ID", description = "Task id; may be omitted when the stage has exactly one task")
    String taskId;

    @Option(names = "--run-id", paramLabel = "ID", description = "Log into this existing MLflow run (made by the executor or Airflow)")
    String runId;

    @Option(names = "--parent-run-id", paramLabel = "ID", description = "Start this task's MLflow run as a child of this run")
    String parentRunId;

    @Option(names = "--force", description = "Run even if the task's outputs are cached")
    boolean force;

    /** @param stage the stage this command runs, or null for any stage ({@code rankrepro task}) */
    StageCommand(String stage) {
        this.stage = stage;
    }

    @Override
    public Integer call() throws Exception {
        ParentWatch.startIfChild();
        try (OneShot session = new OneShot()) {
            runTask(session);
        }
        return 0;
    }

    /**
     * Where a task gets its tracking session and its work folder's store: opened for one command, or
     * kept by a warm worker across tasks (the store remembers which outputs it verified, so a worker
     * re-hashes an input only when its files changed).
     */
    interface Sessions {
        Tracking open(TrackingOptions options, java.nio.file.Path workdir);

        default OutputStore store(java.nio.file.Path workdir) {
            return new OutputStore(workdir);
        }
    }

    /** The session of one command: opened on first use, closed with the command. */
    private static final class OneShot implements Sessions, AutoCloseable {
        private Tracking tracking;

        @Override
        public Tracking open(TrackingOptions options, java.nio.file.Path workdir) {
            if (tracking == null) {
                tracking = Commands.tracking(options, workdir);
            }
            return tracking;
        }

        @Override
        public void close() {
            if (tracking != null) {
                tracking.close();
            }
        }
    }

    /**
     * Runs the task to a verified output under its key's lock (a concurrent run's output is reused;
     * with the shared store on, a published one is fetched); a cached output is seen before any
     * tracking session is opened.
     */
    TaskRunner.Result runTask(Sessions sessions) throws Exception {
        device.resolve();
        WorkspacePaths.writable("--workdir", work.workdir);
        boolean shared = sharedStore.on(trackingOptions);
        Plan plan = Commands.plan(specOptions);
        PlannedTask task = resolveTask(plan);
        TaskKeys keys = Commands.keys(plan);
        OutputStore store = sessions.store(work.workdir);
        OutputStore.Verification existing = store.verify(keys.key(task.id()));
        if (existing.ok() && !force) {
            System.out.printf("≡ %s skipped: %s (key %s)%n", task.id(), existing.reason(), keys.key(task.id()).substring(0, 12));
            return new TaskRunner.Result(existing, true);
        }
        Tracking tracking = sessions.open(trackingOptions, work.workdir);
        System.out.printf("▶ %s running: %s%s%n", task.id(), existing.reason(), shared && !force ? " (first looking in the shared store)" : "");
        long start = System.nanoTime();
        TaskRunner runner = new TaskRunner(Commands.kinds(), sharedStore.open(trackingOptions, store, tracking), tracking, Commands.code(),
                Commands.runTags(), ConsoleProgress::forTask);
        TaskRunner.Result r = runner.runLocked(plan, task, keys, parentRunId, runId, force);
        if (r.fetched() != null) {
            System.out.printf("⇣ %s %s (key %s) → %s%n", task.id(), r.fetched().summary(), keys.key(task.id()).substring(0, 12), r.output().dir());
        } else if (r.reused()) {
            System.out.printf("≡ %s reused: published meanwhile by another run (key %s)%n", task.id(), keys.key(task.id()).substring(0, 12));
        } else {
            System.out.printf("✔ %s done in %.1fs → %s%n", task.id(), (System.nanoTime() - start) / 1e9, r.output().dir());
        }
        return r;
    }

    private PlannedTask resolveTask(Plan plan) {
        if (taskId != null) {
            PlannedTask t;
            try {
                t = plan.task(taskId);
            } catch (java.util.NoSuchElementException e) {
                throw new UsageError(e.getMessage());
            }
            if (stage != null && !t.stage().equals(stage)) {
                throw new UsageError("task " + taskId + " belongs to stage '" + t.stage() + "', not '" + stage
                        + "'; run it with `rankrepro " + t.stage() + "`");
            }
            return t;
        }
        if (stage == null) {
            throw new UsageError("--task ID is required; `rankrepro plan` lists the task ids");
        }
        var ofStage = plan.tasks().stream().filter(t -> t.stage().equals(stage)).toList();
        if (ofStage.size() != 1) {
            throw new UsageError("stage '" + stage + "' has " + ofStage.size() + " tasks at profile " + plan.info().profile()
                    + "; choose one with --task: " + ofStage.stream().map(PlannedTask::id).toList());
        }
        return ofStage.get(0);
    }
}
