package io.rankrepro.pipeline.cli;

import io.rankrepro.mlflow.MlflowLimits;
import io.rankrepro.mlflow.MlflowRunTracker;
import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunView;
import io.rankrepro.pipeline.exec.CodeVersion;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.TaskKeys;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.exec.TaskOutcome;
import io.rankrepro.pipeline.report.DagRunResults;
import io.rankrepro.pipeline.report.DagRunStart;
import io.rankrepro.pipeline.track.MlflowSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The parent MLflow run of a DAG run that someone else orchestrates (Airflow): {@code start-run}
 * opens it the way {@code rankrepro run} does and prints its id as the last line (an XCom for
 * Airflow), {@code end-run} closes it. Each task then runs with {@code --parent-run-id}.
 */
@Command(name = "mlflow", mixinStandardHelpOptions = true,
        description = "Open and close the MLflow parent run of an externally orchestrated DAG run (what the Airflow DAG runs).",
        subcommands = {MlflowCommand.StartRun.class, MlflowCommand.EndRun.class})
final class MlflowCommand {
    static final String EXTERNAL_ID_TAG = "rankrepro.external_id";

    @Command(name = "start-run", mixinStandardHelpOptions = true,
            description = {"Create the MLflow parent run of a DAG run and print its id as the last line of stdout.",
                    "With --external-id, a run already started with that id is reused, so a retried start task",
                    "never makes a second parent."})
    static final class StartRun implements Callable<Integer> {
        @Mixin SpecOptions specOptions;
        @Mixin TrackingOptions trackingOptions;

        @Option(names = "--external-id", paramLabel = "ID",
                description = "The orchestrator's id of the DAG run (e.g. airflow:DAG/RUN), tagged " + EXTERNAL_ID_TAG)
        String externalId;

        @Option(names = "--xcom-file", paramLabel = "FILE",
                description = "Also write the run id as a JSON string here (KubernetesPodOperator: /airflow/xcom/return.json)")
        Path xcomFile;

        @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Extra tag on the parent run (repeatable)")
        List<String> extraTags = List.of();

        @Override
        public Integer call() throws Exception {
            if (trackingOptions.noTracking) {
                throw new UsageError("start-run needs a tracking server; drop --no-tracking");
            }
            Plan plan = Commands.plan(specOptions); // bad overrides fail here, before any task starts
            String runId;
            try (MlflowTracking mlflow = MlflowTracking.connect(MlflowTracking.resolveUri(trackingOptions.trackingUri))) {
                String experimentId = mlflow.getOrCreateExperiment(plan.spec().id());
                RunView existing = externalId == null ? null : mlflow.searchRuns(experimentId,
                        "tags.`" + EXTERNAL_ID_TAG + "` = '" + externalId.replace("'", "") + "'").stream().findFirst().orElse(null);
                if (existing != null) {
                    runId = existing.runId();
                    System.out.println("reusing MLflow parent run " + runId + " of " + externalId);
                } else {
                    runId = start(mlflow, experimentId, plan);
                    System.out.println("MLflow parent run: " + runId + "  " + mlflow.runUrl(runId));
                }
            }
            if (xcomFile != null) {
                Files.createDirectories(xcomFile.toAbsolutePath().getParent());
                Files.writeString(xcomFile, "\"" + runId + "\"", StandardCharsets.UTF_8);
            }
            // Last line, on stdout like every line before it (stderr may interleave out of order in
            // a container's log): DockerOperator pushes it as the task's XCom.
            System.out.println(runId);
            System.out.flush();
            return 0;
        }

        private String start(MlflowTracking mlflow, String experimentId, Plan plan) throws Exception {
            Map<String, String> tags = DagRunStart.tags(plan, Commands.runTags());
            tags.put("rankrepro.orchestrator", externalId != null && externalId.startsWith("airflow:") ? "airflow" : "external");
            tags.put(MlflowTracking.TAG_SOURCE_TYPE, "JOB"); // orchestrated elsewhere, not a user's local command
            if (externalId != null) {
                tags.put(EXTERNAL_ID_TAG, externalId);
            }
            for (String t : extraTags) {
                int eq = t.indexOf('=');
                if (eq <= 0) {
                    throw new UsageError("--tag " + t + ": expected KEY=VALUE");
                }
                tags.put(MlflowLimits.safeKey(t.substring(0, eq)), t.substring(eq + 1));
            }
            String runName = plan.info().profile() + " " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
            MlflowRunTracker parent = mlflow.startRun(experimentId, runName, null, tags);
            parent.logParams(DagRunStart.params(plan, specOptions.set, specOptions.overrides()));
            parent.logArtifact(Path.of(plan.spec().source()), "spec");
            Path tmp = Files.createTempDirectory("rankrepro-plan");
            try {
                Path planFile = Files.writeString(tmp.resolve("plan.json"),
                        Commands.planJson(plan, Commands.keys(plan).keys()));
                parent.logArtifact(planFile, "spec");
            } finally {
                OutputStore.deleteTree(tmp);
            }
            parent.flush();
            return parent.runId();
        }
    }

    @Command(name = "end-run", mixinStandardHelpOptions = true,
            description = {"Close the MLflow parent run of a DAG run. With --spec, as `rankrepro run` does at the end:",
                    "tag the figure task's run on the parent and log each paper claim's check (once, even when retried)."})
    static final class EndRun implements Callable<Integer> {
        @Mixin SpecOptions specOptions;
        @Mixin WorkOptions work;
        @Mixin TrackingOptions trackingOptions;
        @Mixin SharedStoreOption sharedStore;

        @Option(names = "--run-id", required = true, paramLabel = "ID", description = "The parent run (from start-run)")
        String runId;

        @Option(names = "--results", defaultValue = "results", paramLabel = "DIR",
                description = "With --spec: where figures, run.json and provenance.json go, as for `rankrepro run` (default: ${DEFAULT-VALUE})")
        Path results;

        @Option(names = "--status", defaultValue = "FINISHED", paramLabel = "FINISHED|FAILED",
                description = "Final status (default: ${DEFAULT-VALUE})")
        String status;

        @Override
        public Integer call() throws Exception {
            if (!status.equals("FINISHED") && !status.equals("FAILED")) {
                throw new UsageError("--status must be FINISHED or FAILED, got " + status);
            }
            try (MlflowTracking mlflow = MlflowTracking.connect(MlflowTracking.resolveUri(trackingOptions.trackingUri))) {
                RunView parentView = mlflow.getRun(runId);
                if (specOptions.spec != null && status.equals("FINISHED")) {
                    summarize(mlflow, parentView);
                }
                mlflow.endRun(runId, status.equals("FINISHED"));
                System.out.println("MLflow parent run " + runId + " " + status);
            }
            return 0;
        }

        /**
         * What `rankrepro run` does at the end of a DAG run (DagRunResults), from what the store holds:
         * a task whose output was made by a child run of this parent ran in it, any other was cached.
         */
        private void summarize(MlflowTracking mlflow, RunView parentView) throws Exception {
            Plan plan = Commands.plan(specOptions);
            Map<String, String> keys = Commands.keys(plan).keys();
            OutputStore store = new OutputStore(work.workdir);
            // on a cluster the tasks' outputs may be on other machines: with the shared store on, they are fetched here
            io.rankrepro.pipeline.exec.SharedStore shared = sharedStore.open(trackingOptions, store, MlflowSession.over(mlflow));
            Set<String> children = new HashSet<>();
            Set<String> tasksWithChild = new HashSet<>();
            mlflow.childRuns(runId).forEach(child -> {
                children.add(child.runId());
                tasksWithChild.add(child.tags().getOrDefault("rankrepro.task", child.runName()));
            });
            Map<String, TaskOutcome> outcomes = new LinkedHashMap<>();
            for (PlannedTask t : plan.tasks()) {
                OutputStore.Verification v = shared.verifyOrFetch(keys.get(t.id()), t.id(), msg -> System.out.println("  " + t.id() + ": " + msg));
                if (!v.ok()) {
                    throw new IllegalStateException(t.id() + " has no verified output in " + work.workdir
                            + (shared.enabled() ? " nor in the shared store" : "") + ": " + v.reason());
                }
                boolean ran = children.contains(v.record().mlflowRunId());
                outcomes.put(t.id(), new TaskOutcome(t.id(), ran ? TaskOutcome.Status.RAN : TaskOutcome.Status.CACHED,
                        ran ? "ran" : "skipped: " + v.reason(), keys.get(t.id()), v.record().mlflowRunId(),
                        ran ? v.record().wallSeconds() : 0, v.dir()));
            }
            double wall = parentView.startTimeMillis() > 0 ? (System.currentTimeMillis() - parentView.startTimeMillis()) / 1e3 : 0;
            DagRunResults done = DagRunResults.publish(plan, keys, outcomes, store, CodeVersion.current(), results, wall, mlflow.runUrl(runId));
            done.print(plan, System.out);
            MlflowRunTracker parent = mlflow.attachRun(runId);
            done.logTo(parent, parentView.metrics().keySet()); // a retried end task logs nothing twice
            done.linkCachedTasks(MlflowSession.over(mlflow), plan.spec().id(), runId, tasksWithChild);
            parent.flush();
            System.out.println("  results: " + done.resultDir().toAbsolutePath());
        }
    }
}
