package io.rankrepro.pipeline.cli;

import io.rankrepro.mlflow.MlflowLimits;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.pipeline.exec.CodeVersion;
import io.rankrepro.pipeline.exec.ConsoleProgress;
import io.rankrepro.pipeline.exec.DeviceMemory;
import io.rankrepro.pipeline.exec.DockerLauncher;
import io.rankrepro.tasks.task.ComputeDevice;
import io.rankrepro.pipeline.exec.InProcessLauncher;
import io.rankrepro.pipeline.exec.LocalExecutor;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.WarmWorkers;
import io.rankrepro.pipeline.exec.WorkerSlots;
import io.rankrepro.pipeline.exec.RunReason;
import io.rankrepro.pipeline.exec.SharedStore;
import io.rankrepro.pipeline.exec.TaskKeys;
import io.rankrepro.pipeline.exec.TaskLauncher;
import io.rankrepro.pipeline.exec.TaskOutcome;
import io.rankrepro.pipeline.exec.TaskRunner;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.report.DagRunResults;
import io.rankrepro.pipeline.report.DagRunStart;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.pipeline.track.TrackingQueue;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Plan a spec at a profile and run every task, skipping those whose outputs are cached and verify.",
                "Logs one MLflow parent run for the DAG run and a child run per task; copies the figures to --results."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every task succeeded (ran, cached, or fetched from the shared store)", "1:a task failed, or tracking is unreachable",
                "2:bad spec or bad arguments (nothing ran)"})
final class RunCommand implements Callable<Integer> {
    @Mixin SpecOptions specOptions;
    @Mixin WorkOptions work;
    @Mixin TrackingOptions trackingOptions;
    @Mixin DeviceOption device;
    @Mixin SharedStoreOption sharedStore;

    @Option(names = "--results", defaultValue = "results", paramLabel = "DIR",
            description = "Where figures and tables are copied: DIR/<experiment id>/<profile>/ (default: ${DEFAULT-VALUE})")
    Path results;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N",
            description = "Tasks run in parallel at most (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--force", description = "Run every task even if its outputs are cached")
    boolean force;

    @Option(names = "--runner", defaultValue = "local", paramLabel = "local|docker",
            description = "local: tasks run on warm worker JVMs, one per --workers (default; in this JVM with one worker);"
                    + " docker: each task runs in the task image")
    String runner;

    @Option(names = "--image", defaultValue = "rankrepro-tasks", paramLabel = "IMAGE",
            description = "With --runner docker: the task image (default: ${DEFAULT-VALUE}; `make images` builds it)")
    String image;

    @Option(names = "--docker-network", defaultValue = "host", paramLabel = "NET",
            description = "With --runner docker: the containers' network (default: ${DEFAULT-VALUE}, so a tracking server"
                    + " on this machine's loopback is reachable; use the compose network with --container-tracking-uri)")
    String dockerNetwork;

    @Option(names = "--container-tracking-uri", paramLabel = "URI",
            description = "With --runner docker: the tracking URI as seen from inside a container (default: the same as ours)")
    String containerTrackingUri;

    @Parameters(paramLabel = "SPEC", arity = "0..*",
            description = "More specs to run after --spec, each its own DAG run, all checked before any runs")
    List<Path> moreSpecs = List.of();

    @Override
    public Integer call() throws Exception {
        if (workers < 1 || workers > 256) {
            throw new UsageError("--workers must be between 1 and 256, got " + workers);
        }
        if (!runner.equals("local") && !runner.equals("docker")) {
            throw new UsageError("--runner must be local or docker, got '" + runner + "'");
        }
        WorkspacePaths.writable("--workdir", work.workdir);
        WorkspacePaths.writable("--results", results);
        sharedStore.on(trackingOptions); // a bad setting is refused before anything runs
        List<Plan> plans = new ArrayList<>();
        plans.add(Commands.plan(specOptions));
        for (Path more : moreSpecs) {
            plans.add(Commands.plan(more, specOptions));
        }
        ComputeDevice chosen = device.resolve();
        OutputStore store = new OutputStore(work.workdir);
        refuseWhatCannotFit(plans, store, chosen);
        store.cleanAbandoned();
        try (Tracking tracking = Commands.tracking(trackingOptions, work.workdir);
             TrackingQueue queue = new TrackingQueue();
             WarmWorkers warm = runner.equals("local") && workers > 1 ? warmWorkers(tracking) : null) {
            Map<String, String> tags = Commands.runTags();
            WorkerSlots slots = new WorkerSlots(workers);
            SharedStore shared = sharedStore.open(trackingOptions, store, tracking);
            boolean ok = true;
            if (plans.size() == 1) {
                ok = runPlan(plans.get(0), shared, tracking, tags, queue, warm, slots, null);
            } else {
                // every spec's DAG at once over the shared slots: no worker idles while one spec finishes its last task
                System.out.printf("%d specs side by side on %d workers; each line starts with its spec%n", plans.size(), workers);
                java.util.concurrent.ExecutorService dags = java.util.concurrent.Executors.newFixedThreadPool(plans.size());
                try {
                    List<java.util.concurrent.Future<Boolean>> runs = new ArrayList<>();
                    for (Plan plan : plans) {
                        runs.add(dags.submit(() -> runPlan(plan, shared, tracking, tags, queue, warm, slots, plan.spec().id())));
                    }
                    for (var r : runs) {
                        ok &= r.get();
                    }
                } finally {
                    dags.shutdownNow();
                }
            }
            ok &= queue.awaitAll(System.err);
            return ok ? 0 : 1;
        }
    }

    /**
     * Every task that would run must fit the chosen device's memory (its kind's estimate), checked
     * for all specs before any runs: a paper-scale training fails now, not after the hours before it.
     */
    private void refuseWhatCannotFit(List<Plan> plans, OutputStore store, ComputeDevice chosen) {
        List<String> problems = new ArrayList<>();
        long available = chosen.memoryBytes();
        for (Plan plan : plans) {
            TaskKeys keys = Commands.keys(plan);
            problems.addAll(DeviceMemory.problems(plan, Commands.kinds(), chosen, available,
                    t -> force || !store.verify(keys.key(t.id())).ok()));
        }
        if (!problems.isEmpty()) {
            throw new UsageError(String.join("\n  ", problems) + "\n  (nothing ran; choose a smaller profile, or --device with more memory)");
        }
    }

    /** One DAG run: a parent run, the tasks, results, claims; true when every task succeeded. */
    /** @param label said before each line when several DAGs share the console (the spec id), else null */
    private boolean runPlan(Plan plan, SharedStore shared, Tracking tracking, Map<String, String> tags, TrackingQueue queue,
                            WarmWorkers warm, WorkerSlots slots, String label) throws Exception {
        OutputStore store = shared.local();
        String code = CodeVersion.current();
        TaskKeys planKeys = Commands.keys(plan);
        Map<String, String> keys = planKeys.keys();
        long start = System.nanoTime();
        System.out.printf("rankrepro run: %s — %s%n  profile %s, %d tasks, %d workers, code %s, work %s%n",
                plan.spec().id(), plan.spec().title(), plan.info().profile(), plan.tasks().size(), workers, code,
                work.workdir.toAbsolutePath());
        Map<String, String> parentTags = DagRunStart.tags(plan, tags);
        String runName = plan.info().profile() + " " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        RunTracker parent = tracking.startRun(plan.spec().id(), runName, null, parentTags);
        String parentId = parent.runId();
        if (parentId != null) {
            System.out.println("  MLflow parent run: " + parentId + "  " + tracking.runUrl(parentId));
            Path tmp = Files.createTempDirectory("rankrepro-plan");
            Path planFile = Files.writeString(tmp.resolve("plan.json"), Commands.planJson(plan, keys));
            queue.submit("the start of " + plan.spec().id() + " (run " + parentId + ")", () -> {
                try {
                    Map<String, String> params = new LinkedHashMap<>(DagRunStart.params(plan, specOptions.set, specOptions.overrides()));
                    params.put("workers", Integer.toString(workers));
                    parent.logParams(params);
                    parent.logArtifact(Path.of(plan.spec().source()), "spec");
                    parent.logArtifact(planFile, "spec");
                } finally {
                    OutputStore.deleteTree(tmp);
                }
            });
        }
        // the executor fetches from the shared store before it launches a task: what it launches is to be computed
        TaskRunner taskRunner = new TaskRunner(Commands.kinds(), store, tracking, Commands.code(), tags, ConsoleProgress::forTask);
        TaskLauncher launcher = warm != null ? warm : launcher(plan, tracking, taskRunner);
        Map<String, TaskOutcome> outcomes = new LocalExecutor(shared, launcher, slots, force, System.out, label)
                .execute(plan, planKeys, new RunReason(store, plan, planKeys, Commands.code()), parentId);

        double wall = (System.nanoTime() - start) / 1e9;
        DagRunResults results = DagRunResults.publish(plan, keys, outcomes, store, code, this.results, wall,
                parentId == null ? null : tracking.runUrl(parentId));
        boolean ok = results.ok();
        if (ok) {
            System.out.println("  results: " + results.resultDir().toAbsolutePath());
        }
        results.print(plan, System.out);
        long ran = results.ran();
        long cached = results.cached();
        long fetched = results.fetched();
        long failed = outcomes.size() - ran - cached - fetched;
        queue.submit("the end of " + plan.spec().id() + (parentId == null ? "" : " (run " + parentId + ")"), () -> {
            results.logTo(parent, java.util.Set.of());
            results.linkCachedTasks(tracking, plan.spec().id(), parentId, java.util.Set.of());
            parent.awaitDelivery();
            if (parentId != null) {
                tracking.endRun(parentId, ok);
            }
        });
        System.out.printf("%n%s%s: %d ran, %d cached, %d fetched, %d failed or blocked, %.1fs%n", label == null ? "" : label + " ",
                ok ? "done" : "FAILED", ran, cached, fetched, failed, wall);
        if (parentId != null) {
            System.out.println("  MLflow: " + tracking.runUrl(parentId));
        }
        return ok;
    }

    /** docker: a container per task; local with one worker: this JVM, which runs tasks one at a time anyway. */
    private TaskLauncher launcher(Plan plan, Tracking tracking, TaskRunner taskRunner) {
        String uri = tracking.enabled() ? tracking.uri() : null;
        if (runner.equals("docker")) {
            return new DockerLauncher(new DockerLauncher.Settings(image, work.workdir, Path.of(plan.spec().source()),
                    plan.info().profile(), specOptions.overrides(),
                    uri != null && containerTrackingUri != null ? containerTrackingUri : uri, dockerNetwork, System.out));
        }
        return new InProcessLauncher(taskRunner);
    }

    /** local with more workers: a warm worker JVM per slot (PyTorch state is per process), shared by every spec of the run. */
    private WarmWorkers warmWorkers(Tracking tracking) {
        return new WarmWorkers(new WarmWorkers.Settings(specOptions.profile, specOptions.overrides(), work.workdir,
                tracking.enabled() ? tracking.uri() : null, RankreproCli.class.getName(), workers,
                WarmWorkers.defaultMaxRssBytes(workers), System.out));
    }
}
