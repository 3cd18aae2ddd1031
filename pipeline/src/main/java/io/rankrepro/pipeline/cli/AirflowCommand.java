package io.rankrepro.pipeline.cli;

import io.rankrepro.pipeline.airflow.AirflowClient;
import io.rankrepro.pipeline.airflow.AirflowCredentials;
import io.rankrepro.pipeline.airflow.AirflowException;
import io.rankrepro.pipeline.airflow.AirflowPlan;
import io.rankrepro.pipeline.airflow.AirflowPlans;
import io.rankrepro.pipeline.airflow.TaskResources;
import io.rankrepro.pipeline.airflow.TaskStateDisplay;
import io.rankrepro.pipeline.exec.CodeVersion;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.spec.SpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code rankrepro airflow ...}: export plans for the DAG file, and drive DAG runs over Airflow's REST API. */
@Command(name = "airflow", mixinStandardHelpOptions = true,
        description = {"Run the pipeline as Airflow DAG runs: export a plan for the DAG file in pipeline/airflow/dags/,",
                "then trigger, watch, read logs and retry over Airflow's REST API (/api/v2).",
                "Credentials: AIRFLOW_PASSWORD (user AIRFLOW_USERNAME, default admin), AIRFLOW_CREDENTIALS_FILE,",
                "or the local stack's docker/.build/airflow.env (make up writes it); address: AIRFLOW_URL."},
        subcommands = {AirflowCommand.Export.class, AirflowCommand.Trigger.class, AirflowCommand.Status.class,
                AirflowCommand.Logs.class, AirflowCommand.RetryFailed.class},
        exitCodeListHeading = "%nExit codes (trigger, status, retry-failed):%n",
        exitCodeList = {"0:the DAG run succeeded (or was triggered, with --no-wait)", "1:the DAG run failed, or Airflow refused a call",
                "2:bad arguments or a bad spec", "3:the DAG run is still queued or running (status, or --timeout passed)"})
final class AirflowCommand {
    static final int STILL_RUNNING = 3;

    // ---- export -------------------------------------------------------------------------------

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write the plan of a spec at a profile as JSON for the Airflow DAG file:",
                    "tasks, the exact rankrepro args of each, dependencies and resources (CPUs, memory; GPUs at profile paper).",
                    "File: <out>/<experiment with / as __>__<profile>.json"})
    static final class Export implements Callable<Integer> {
        @Mixin SpecOptions specOptions;

        @Option(names = "--out", defaultValue = "pipeline/airflow/plans", paramLabel = "DIR",
                description = "Folder the DAG file reads plans from (default: ${DEFAULT-VALUE})")
        Path out;

        @Option(names = "--gpus", paramLabel = "STAGE=N",
                description = "GPUs per task of a stage, overriding the default (1 for training stages at profile paper, else 0)")
        Map<String, Integer> gpus = new LinkedHashMap<>();

        @Option(names = "--cpus", paramLabel = "STAGE=N",
                description = "Cores (and PyTorch threads) per task of a stage (default: 2 for training stages, else 1)")
        Map<String, Integer> cpus = new LinkedHashMap<>();

        @Option(names = "--memory-mib", paramLabel = "STAGE=MIB",
                description = "Memory per task of a stage, in MiB (default: 2048 + twice the task's own estimate)")
        Map<String, Long> memoryMib = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            Plan plan = Commands.plan(specOptions);
            TaskResources resources = new TaskResources(Commands.kinds(), plan.info().profile(), perStage(plan));
            AirflowPlan exported;
            try {
                exported = AirflowPlans.of(plan, AirflowPlans.specRelative(specOptions.requireSpec()),
                        specOptions.set, CodeVersion.current(), resources);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
            Path file = AirflowPlans.write(exported, out);
            long withGpu = exported.tasks().stream().filter(t -> t.resources().gpus() > 0).count();
            System.out.printf("%s: DAG %s, %d tasks (%d with GPUs) → %s%n", plan.spec().id(), exported.dagId(),
                    exported.tasks().size(), withGpu, file);
            return 0;
        }

        /** The per-stage choices, each naming a stage of this plan (a typo would silently change nothing). */
        private TaskResources.PerStage perStage(Plan plan) {
            Set<String> stages = plan.tasks().stream().map(PlannedTask::stage)
                    .collect(Collectors.toSet());
            for (Map<String, ?> choice : List.of(gpus, cpus, memoryMib)) {
                for (String stage : choice.keySet()) {
                    if (!stages.contains(stage)) {
                        throw new UsageError("no stage '" + stage + "' in " + plan.spec().id() + "; its stages: " + new TreeSet<>(stages));
                    }
                }
            }
            return new TaskResources.PerStage(gpus, cpus, memoryMib);
        }
    }

    // ---- shared options -------------------------------------------------------------------------

    /** Where Airflow is and who we are. */
    static final class Connection {
        @Option(names = "--airflow-url", paramLabel = "URL", description = "Airflow API server (default: $AIRFLOW_URL, else "
                + AirflowClient.DEFAULT_URL + ")")
        String url;

        @Option(names = "--credentials-file", paramLabel = "FILE",
                description = "username=/password= lines, the simple auth manager's passwords JSON, or docker/.build/airflow.env (default: env, then that file)")
        Path credentialsFile;

        AirflowClient client() throws Exception {
            AirflowCredentials creds;
            try {
                creds = AirflowCredentials.resolve(credentialsFile, System.getenv(), Path.of(""));
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
            return new AirflowClient(AirflowClient.resolveUrl(url, System.getenv()), creds);
        }
    }

    /** Which DAG: by id, or by the spec and profile it was exported from. */
    static final class Which {
        @Option(names = "--dag-id", paramLabel = "ID", description = "The DAG, e.g. rankrepro__kobayashi2024__fig1__smoke")
        String dagId;

        @Mixin SpecOptions specOptions;

        String dagId() throws Exception {
            if (dagId != null) {
                return dagId;
            }
            if (specOptions.spec == null) {
                throw new UsageError("say which DAG: --dag-id ID, or --spec FILE [--profile P]");
            }
            return AirflowPlans.dagId(SpecLoader.load(specOptions.spec).id(), specOptions.profile);
        }
    }

    static final class Waiting {
        @Option(names = "--no-wait", description = "Return once Airflow has accepted the request")
        boolean noWait;

        @Option(names = "--timeout", defaultValue = "PT2H", paramLabel = "DURATION",
                description = "Give up waiting after this long (ISO-8601, default: ${DEFAULT-VALUE}); exit code 3")
        Duration timeout;

        @Option(names = "--poll", defaultValue = "PT3S", paramLabel = "DURATION", description = "Poll interval (default: ${DEFAULT-VALUE})")
        Duration poll;
    }

    /** Waits for the run, showing task states as they change; the exit code says how it ended. */
    static int await(AirflowClient client, String dagId, String runId, Waiting w) {
        if (w.noWait) {
            return 0;
        }
        TaskStateDisplay display = new TaskStateDisplay(System.out);
        AirflowClient.DagRun run;
        try {
            run = client.waitFor(dagId, runId, w.timeout, w.poll, display::update);
        } catch (AirflowException e) {
            if (e.status() == 0 && e.getCause() == null) {
                System.out.println(e.getMessage());
                return STILL_RUNNING;
            }
            throw e;
        }
        return finish(client, run, display);
    }

    static int finish(AirflowClient client, AirflowClient.DagRun run, TaskStateDisplay display) {
        System.out.printf("%nDAG run %s of %s: %s%n", run.runId(), run.dagId(), run.state());
        List<AirflowClient.TaskInstance> tis = client.taskInstances(run.dagId(), run.runId());
        display.summary(tis);
        if ("failed".equals(run.state())) {
            tis.stream().filter(t -> "failed".equals(t.state())).forEach(t -> System.out.printf(
                    "  log: rankrepro airflow logs --dag-id %s --run-id '%s' --task %s%n", run.dagId(), run.runId(), t.taskId()));
            System.out.printf("  after fixing the cause: rankrepro airflow retry-failed --dag-id %s --run-id '%s'%n",
                    run.dagId(), run.runId());
        }
        return "success".equals(run.state()) ? 0 : "failed".equals(run.state()) ? 1 : STILL_RUNNING;
    }

    // ---- trigger ----------------------------------------------------------------------------------

    @Command(name = "trigger", mixinStandardHelpOptions = true,
            description = {"Trigger a DAG run (unpausing the DAG if needed) with the --set overrides as its conf,",
                    "then show task states until it ends. The DAG must have been exported and deployed."})
    static final class Trigger implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin Which which;
        @Mixin Waiting waiting;

        @Option(names = "--run-id", paramLabel = "ID", description = "The DAG run id to use (default: Airflow's manual__<time>)")
        String runId;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> conf = new LinkedHashMap<>();
            if (which.specOptions.spec != null) {
                Plan plan = Commands.plan(which.specOptions); // bad overrides: exit 2 here, not a failed run later
                conf.put("experiment", plan.spec().id());
                conf.put("profile", plan.info().profile());
            }
            conf.put("overrides", which.specOptions.set);
            String dagId = which.dagId();
            AirflowClient client = connection.client();
            AirflowClient.Dag dag = deployed(client, dagId);
            if (dag.paused()) {
                client.setPaused(dagId, false);
                System.out.println("unpaused " + dagId);
            }
            AirflowClient.DagRun run = client.trigger(dagId, conf, runId, "rankrepro airflow trigger");
            System.out.printf("triggered %s run %s (%s)%n  conf %s%n  UI: %s/dags/%s/runs/%s%n", dagId, run.runId(), run.state(),
                    conf, client.baseUrl(), dagId, run.runId());
            return await(client, dagId, run.runId(), waiting);
        }

        /** The DAG, or an error that says why Airflow may not have it: not parsed yet, or a DAG file that fails. */
        private static AirflowClient.Dag deployed(AirflowClient client, String dagId) {
            try {
                return client.dag(dagId);
            } catch (AirflowException e) {
                if (e.status() != 404) {
                    throw e;
                }
                List<String> failing = client.importErrors().stream().map(AirflowClient.ImportError::filename).toList();
                throw new AirflowException(404, "Airflow has no DAG " + dagId + ". Exported just now? The dag-processor re-reads "
                        + "the DAG file about every 30 s; try again then. Not exported? `rankrepro airflow export` with the same "
                        + "--spec and --profile." + (failing.isEmpty() ? "" : " DAG files that fail to import: " + failing));
            }
        }
    }

    // ---- status -----------------------------------------------------------------------------------

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a DAG run's state and its tasks' states (the latest run unless --run-id); --wait waits for it to end.")
    static final class Status implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin Which which;

        @Option(names = "--run-id", paramLabel = "ID", description = "The DAG run (default: the latest)")
        String runId;

        @Option(names = "--wait", description = "Wait for the run to end, showing task states as they change")
        boolean wait;

        @Option(names = "--timeout", defaultValue = "PT2H", paramLabel = "DURATION", description = "With --wait (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            String dagId = which.dagId();
            AirflowClient client = connection.client();
            String id = runId != null ? runId : client.latestRun(dagId)
                    .orElseThrow(() -> new UsageError("DAG " + dagId + " has no runs yet; start one with `rankrepro airflow trigger`")).runId();
            if (wait) {
                Waiting w = new Waiting();
                w.timeout = timeout;
                w.poll = Duration.ofSeconds(3);
                return await(client, dagId, id, w);
            }
            return finish(client, client.dagRun(dagId, id), new TaskStateDisplay(System.out));
        }
    }

    // ---- logs -------------------------------------------------------------------------------------

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print the log of one task of a DAG run (its latest try unless --try).")
    static final class Logs implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin Which which;

        @Option(names = "--run-id", paramLabel = "ID", description = "The DAG run (default: the latest)")
        String runId;

        @Option(names = "--task", required = true, paramLabel = "ID",
                description = "The task: its rankrepro id (train[lambda=0.2]) or its Airflow id (train__lambda_0.2)")
        String task;

        @Option(names = "--try", paramLabel = "N", description = "Which try (default: the latest)")
        Integer tryNumber;

        @Override
        public Integer call() throws Exception {
            String dagId = which.dagId();
            AirflowClient client = connection.client();
            String id = runId != null ? runId : client.latestRun(dagId)
                    .orElseThrow(() -> new UsageError("DAG " + dagId + " has no runs yet")).runId();
            String taskId = AirflowPlans.taskId(task);
            AirflowClient.TaskInstance ti = client.taskInstances(dagId, id).stream().filter(t -> t.taskId().equals(taskId))
                    .findFirst().orElseThrow(() -> new UsageError("no task " + taskId + " in run " + id + " of " + dagId));
            int n = tryNumber != null ? tryNumber : Math.max(1, ti.tryNumber());
            System.out.print(client.taskLog(dagId, id, taskId, n));
            return 0;
        }
    }

    // ---- retry-failed -----------------------------------------------------------------------------

    @Command(name = "retry-failed", mixinStandardHelpOptions = true,
            description = {"Clear the failed tasks of a DAG run and everything downstream of them, so Airflow runs them again,",
                    "then wait for the run. Safe to repeat: a task whose outputs verify is skipped, and a rerun task",
                    "logs to a fresh MLflow child run, so no metric point is ever logged twice into one run."})
    static final class RetryFailed implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin Which which;
        @Mixin Waiting waiting;

        @Option(names = "--run-id", paramLabel = "ID", description = "The DAG run (default: the latest)")
        String runId;

        @Override
        public Integer call() throws Exception {
            String dagId = which.dagId();
            AirflowClient client = connection.client();
            String id = runId != null ? runId : client.latestRun(dagId)
                    .orElseThrow(() -> new UsageError("DAG " + dagId + " has no runs yet")).runId();
            List<String> cleared = client.clearFailed(dagId, id);
            if (cleared.isEmpty()) {
                System.out.println("nothing to retry: run " + id + " of " + dagId + " has no failed tasks");
                return finish(client, client.dagRun(dagId, id), new TaskStateDisplay(System.out));
            }
            System.out.printf("cleared %d task(s) of run %s: %s%n", cleared.size(), id, String.join(", ", cleared));
            return await(client, dagId, id, waiting);
        }
    }

    AirflowCommand() { }
}
