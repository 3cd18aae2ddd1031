package io.rankrepro.tests.airflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.pipeline.airflow.AirflowClient;
import io.rankrepro.pipeline.airflow.AirflowPlan;
import io.rankrepro.pipeline.airflow.AirflowPlans;
import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.tests.containers.MlflowContainer;
import io.rankrepro.tests.containers.MlflowRest;
import io.rankrepro.tests.containers.RankreproImages;
import io.rankrepro.tests.containers.RequiresDocker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;

/**
 * The Airflow path end to end, against a real Airflow 3 (one container, reused by every test), a
 * real MLflow server and real task containers: the smoke plan of kobayashi2024/fig1 exported by
 * the Java planner, deployed with the DAG file of pipeline/airflow/dags, triggered and watched
 * from the Java client, its runs and figure checked over MLflow's REST API alone.
 */
@ExtendWith(RequiresDocker.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AirflowPipelineTest {
    static final String SPEC = "pipeline/experiments/kobayashi2024/fig1.yaml";
    static final String EXPERIMENT = "kobayashi2024/fig1";
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    static final ObjectMapper JSON = new ObjectMapper();

    static Path dir;
    static Path plans;
    static Path k8sPlans;
    static Path work;
    static AirflowPlan smoke;
    static Network network;
    static MlflowContainer mlflow;
    static AirflowContainer airflow;
    static AirflowClient client;
    static MlflowRest rest;

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        Path root = RankreproImages.repoRoot();
        dir = Files.createTempDirectory(root.resolve("tests/target"), "airflow-it");
        plans = Files.createDirectories(dir.resolve("plans"));
        k8sPlans = Files.createDirectories(dir.resolve("plans-k8s"));
        work = Files.createDirectories(dir.resolve("work"));
        // Task containers run as our uid, but leave the folder open whatever user the image falls back to.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        String spec = root.resolve(SPEC).toString();
        assertEquals(0, RankreproCli.execute("airflow", "export", "--spec", spec, "--profile", "smoke", "--out", plans.toString()));
        assertEquals(0, RankreproCli.execute("airflow", "export", "--spec", spec, "--profile", "smoke", "--out", k8sPlans.toString()));
        assertEquals(0, RankreproCli.execute("airflow", "export", "--spec", spec, "--profile", "paper", "--out", k8sPlans.toString()));
        smoke = AirflowPlans.read(plans.resolve("kobayashi2024__fig1__smoke.json"));

        RankreproImages.tasks(); // the DAG's tasks run this image: rebuilt if older than the CLI jar
        network = Network.newNetwork();
        String networkName = network.getId(); // Docker accepts a network's id wherever it takes its name
        mlflow = new MlflowContainer(network);
        airflow = new AirflowContainer(network, networkName, plans, k8sPlans, work, MlflowContainer.networkTrackingUri());
        Startables.deepStart(mlflow, airflow).join();
        client = new AirflowClient(airflow.url(), airflow.credentials(), Duration.ofSeconds(60));
        rest = new MlflowRest(mlflow.hostTrackingUri());
        airflow.awaitDag(client, smoke.dagId(), Duration.ofMinutes(3));
        System.out.printf("[airflow] stack up in %.0fs: Airflow %s at %s%n", (System.nanoTime() - t0) / 1e9, client.version(), airflow.url());
    }

    @AfterAll
    static void stop() throws IOException {
        if (airflow != null) {
            airflow.stop();
        }
        if (mlflow != null) {
            mlflow.stop();
        }
        if (network != null) {
            network.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void aSmokeRunTriggeredFromJavaSucceedsAndIsTrackedLikeALocalRun() {
        assertTrue(client.importErrors().isEmpty(), "DAG import errors: " + client.importErrors());
        client.setPaused(smoke.dagId(), false);
        AirflowClient.DagRun run = client.trigger(smoke.dagId(),
                Map.of("experiment", EXPERIMENT, "profile", "smoke", "overrides", List.of()), null, "AirflowPipelineTest");
        AirflowClient.DagRun done = client.waitFor(smoke.dagId(), run.runId(), RUN_TIMEOUT, Duration.ofSeconds(3), this::print);
        assertEquals("success", done.state(), () -> failureReport(done));

        String log = client.taskLog(smoke.dagId(), run.runId(), "train__lambda_0.2", 1);
        assertTrue(log.contains("train[lambda=0.2]"), "task log does not show the rankrepro task:\n" + log);
        assertTrue(log.contains("done in"), "task log does not show the task finishing:\n" + log);

        JsonNode parent = parentRun(run.runId());
        assertEquals("FINISHED", parent.path("info").path("status").asText());
        Map<String, List<JsonNode>> children = childrenByTask(parent);
        assertEquals(taskIds(), children.keySet(), "one child run per planned task");
        children.forEach((task, runs) -> {
            assertEquals(1, runs.size(), task + " has " + runs.size() + " child runs");
            assertEquals("FINISHED", runs.get(0).path("info").path("status").asText(), task);
        });
        String figureRun = children.get("figure").get(0).path("info").path("run_id").asText();
        assertTrue(rest.listArtifactFiles(figureRun).stream().anyMatch(p -> p.endsWith(".png")), "figure run has no PNG");
        assertEquals(figureRun, MlflowRest.keyValues(parent, "tags").get("rankrepro.figure_run"),
                "the parent run points at the figure's run, as after `rankrepro run`");
        assertTrue(MlflowRest.keyValues(parent, "params").containsKey("profile"));
        assertTrue(rest.listArtifactFiles(parent.path("info").path("run_id").asText()).stream()
                .anyMatch(p -> p.endsWith("rankrepro/run.json")), "the parent run holds run.json, as after `rankrepro run`");
    }

    /** One orchestration service: Airflow's end task leaves the run.json and provenance.json a local run does. */
    @Test
    @Order(2)
    void anAirflowRunLeavesTheRunRecordsOfALocalRun() throws Exception {
        Path airflowResults = work.resolve("results").resolve(EXPERIMENT).resolve("smoke");
        Path local = Files.createDirectories(dir.resolve("local"));
        assertEquals(0, RankreproCli.execute("run", "--spec", RankreproImages.repoRoot().resolve(SPEC).toString(), "--profile", "smoke",
                "--no-tracking", "--workdir", local.resolve("work").toString(), "--results", local.resolve("results").toString()));
        Path localResults = local.resolve("results").resolve(EXPERIMENT).resolve("smoke");
        for (String file : List.of("run.json", "provenance.json")) {
            JsonNode fromAirflow = comparable(JSON.readTree(airflowResults.resolve(file).toFile()));
            JsonNode fromLocal = comparable(JSON.readTree(localResults.resolve(file).toFile()));
            assertEquals(fromLocal.toPrettyString(), fromAirflow.toPrettyString(), file + " of the Airflow run vs the local run");
        }
        assertTrue(JSON.readTree(airflowResults.resolve("run.json").toFile()).path("files").size() >= 3, "run.json lists the figure files");
    }

    /**
     * A record without what differs between any two runs of the same plan (run ids, addresses,
     * times, whether a task ran or was cached, where the spec file lay): what is left — tasks,
     * keys, code, files and their hashes, claims and their numbers — must be equal.
     */
    static JsonNode comparable(JsonNode node) {
        Set<String> varying = Set.of("runId", "run_id", "parentRunId", "mlflowRunId", "trackingUri", "experimentId", "mlflowExperimentId",
                "startedAt", "finishedAt", "wallSeconds", "computeSeconds", "status", "reason", "runUrl", "url", "source", "spec_path", "specPath");
        JsonNode copy = node.deepCopy();
        strip(copy, varying);
        return copy;
    }

    private static void strip(JsonNode node, Set<String> varying) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                if (varying.contains(n) || n.toLowerCase().endsWith("url") || n.toLowerCase().endsWith("runid")) {
                    o.remove(n);
                } else {
                    strip(o.get(n), varying);
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(child -> strip(child, varying));
        }
    }

    @Test
    @Order(3)
    void aFailedTaskIsRetriedThroughTheCliAndNoMetricPointIsDuplicated() throws Exception {
        // Other params than test 1, so every task really runs (no cached outputs), training included.
        List<String> overrides = List.of("train.steps=200");
        // The cause: a JVM option the figure task cannot start with, set where operators set task env.
        client.setVariable("rankrepro_task_env", "{\"figure\": {\"JAVA_OPTS\": \"-Xmx1m\"}}");
        AirflowClient.DagRun run;
        try {
            run = client.trigger(smoke.dagId(), Map.of("overrides", overrides), null, "failure on purpose");
            AirflowClient.DagRun failed = client.waitFor(smoke.dagId(), run.runId(), RUN_TIMEOUT, Duration.ofSeconds(3), this::print);
            assertEquals("failed", failed.state());
        } finally {
            client.deleteVariable("rankrepro_task_env"); // the fix
        }
        Map<String, String> states = states(run.runId());
        assertEquals("failed", states.get("figure"));
        assertEquals("upstream_failed", states.get(AirflowPlans.END_RUN_TASK));
        assertEquals("success", states.get(AirflowPlans.MARK_FAILED_TASK));
        assertEquals("FAILED", parentRun(run.runId()).path("info").path("status").asText(), "parent run marked failed");

        Path creds = airflow.credentialsFile(dir);
        int code = RankreproCli.execute("airflow", "retry-failed", "--airflow-url", airflow.url(), "--credentials-file", creds.toString(),
                "--dag-id", smoke.dagId(), "--run-id", run.runId(), "--timeout", "PT6M", "--poll", "PT3S");
        assertEquals(0, code, () -> failureReport(client.dagRun(smoke.dagId(), run.runId())));
        assertEquals("success", client.dagRun(smoke.dagId(), run.runId()).state());
        assertEquals(0, RankreproCli.execute("airflow", "status", "--airflow-url", airflow.url(), "--credentials-file", creds.toString(),
                "--dag-id", smoke.dagId(), "--run-id", run.runId()), "status exits 0 for a successful run");

        JsonNode parent = parentRun(run.runId());
        assertEquals("FINISHED", parent.path("info").path("status").asText());
        Map<String, List<JsonNode>> children = childrenByTask(parent);
        assertEquals(taskIds(), children.keySet());
        int points = 0;
        for (Map.Entry<String, List<JsonNode>> e : children.entrySet()) {
            // The failed try never got a JVM, so it made no run: one finished run per task.
            assertEquals(1, e.getValue().size(), e.getKey() + " child runs");
            JsonNode child = e.getValue().get(0);
            assertEquals("FINISHED", child.path("info").path("status").asText(), e.getKey());
            String runId = child.path("info").path("run_id").asText();
            for (JsonNode m : child.path("data").path("metrics")) {
                String key = m.path("key").asText();
                List<JsonNode> history = rest.metricHistory(runId, key);
                Set<String> seen = new HashSet<>();
                for (JsonNode p : history) {
                    assertTrue(seen.add(p.path("step").asText() + "@" + p.path("timestamp").asText() + "=" + p.path("value").asText()),
                            e.getKey() + ": metric " + key + " has a duplicate point " + p);
                }
                long steps = history.stream().map(p -> p.path("step").asLong()).distinct().count();
                assertEquals(history.size(), steps, e.getKey() + ": metric " + key + " logged twice at some step");
                points += history.size();
            }
        }
        assertTrue(points > 0, "the retried run logged no metric points at all");
    }

    @Test
    @Order(4)
    void theKubernetesVariantImportsCleanlyWithGpuRequestsForPaperPlans() throws Exception {
        // Airflow's own DAG import check (DagBag, as the dag-processor loads files), with the
        // KubernetesPodOperator backend selected by configuration and the paper plan deployed.
        String script = String.join("\n",
                "import json",
                "from airflow.models.dagbag import DagBag",
                "bag = DagBag('/opt/airflow/dags')",
                "out = {'errors': {k: str(v) for k, v in bag.import_errors.items()}, 'dags': {}}",
                "for d in bag.dags.values():",
                "    out['dags'][d.dag_id] = {t.task_id: [type(t).__name__,",
                "        ((t.container_resources.limits or {}).get('nvidia.com/gpu') if getattr(t, 'container_resources', None) else None)]",
                "        for t in d.tasks}",
                "print('RESULT ' + json.dumps(out))");
        Container.ExecResult r = airflow.execInContainer("env", "RANKREPRO_AIRFLOW_EXECUTOR=kubernetes",
                "RANKREPRO_PLANS_DIR=/opt/airflow/plans-k8s", "RANKREPRO_TASK_IMAGE=" + PodSpecs.IMAGE, "python3", "-c", script);
        String line = r.getStdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("import check printed no result:\n" + r.getStdout() + r.getStderr()));
        JsonNode out = JSON.readTree(line.substring("RESULT ".length()));
        assertTrue(out.path("errors").isEmpty(), "import errors: " + out.path("errors"));
        JsonNode paper = out.path("dags").path(AirflowPlans.dagId(EXPERIMENT, "paper"));
        JsonNode smokeDag = out.path("dags").path(AirflowPlans.dagId(EXPERIMENT, "smoke"));
        assertFalse(paper.isMissingNode() || smokeDag.isMissingNode(), "both DAGs parsed: " + out.path("dags").fieldNames());
        int gpuTasks = 0;
        for (var it = paper.fields(); it.hasNext(); ) {
            var t = it.next();
            assertEquals("KubernetesPodOperator", t.getValue().get(0).asText(), t.getKey());
            if (t.getKey().startsWith("train__")) {
                assertEquals("1", t.getValue().get(1).asText(), t.getKey() + " requests nvidia.com/gpu: 1 at profile paper");
                gpuTasks++;
            }
        }
        assertEquals(12, gpuTasks, "every training task of the paper plan (12 lambdas) asks for a GPU");
        smokeDag.fields().forEachRemaining(t -> assertTrue(t.getValue().get(1).isNull(), t.getKey() + " asks for no GPU at smoke"));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private void print(List<AirflowClient.TaskInstance> tis) {
        System.out.println("[airflow] " + io.rankrepro.pipeline.airflow.TaskStateDisplay.tally(tis));
    }

    private static Set<String> taskIds() {
        return smoke.tasks().stream().map(AirflowPlan.Task::id).collect(Collectors.toSet());
    }

    private static Map<String, String> states(String runId) {
        Map<String, String> m = new HashMap<>();
        client.taskInstances(smoke.dagId(), runId).forEach(t -> m.put(t.taskId(), String.valueOf(t.state())));
        return m;
    }

    /** The parent run that mlflow_start_run made for this DAG run (found by its external id tag). */
    private static JsonNode parentRun(String runId) {
        String experimentId = rest.experimentIdByName(EXPERIMENT);
        List<JsonNode> runs = rest.searchRuns(experimentId,
                "tags.`rankrepro.external_id` = 'airflow:" + smoke.dagId() + "/" + runId + "'");
        assertEquals(1, runs.size(), "parent runs of DAG run " + runId);
        return runs.get(0);
    }

    private static Map<String, List<JsonNode>> childrenByTask(JsonNode parent) {
        String parentId = parent.path("info").path("run_id").asText();
        List<JsonNode> children = rest.searchRuns(parent.path("info").path("experiment_id").asText(),
                "tags.mlflow.parentRunId = '" + parentId + "'");
        Map<String, List<JsonNode>> byTask = new HashMap<>();
        for (JsonNode c : children) {
            byTask.computeIfAbsent(MlflowRest.keyValues(c, "tags").get("rankrepro.task"), k -> new ArrayList<>()).add(c);
        }
        return byTask;
    }

    private static String failureReport(AirflowClient.DagRun run) {
        StringBuilder s = new StringBuilder("run " + run.runId() + " ended " + run.state() + "\n");
        for (AirflowClient.TaskInstance t : client.taskInstances(run.dagId(), run.runId())) {
            s.append("  ").append(t.taskId()).append(": ").append(t.state()).append('\n');
            if ("failed".equals(t.state())) {
                s.append(AirflowContainer.tail(client.taskLog(run.dagId(), run.runId(), t.taskId(), Math.max(1, t.tryNumber())), 3000));
            }
        }
        return s.toString();
    }
}
