package io.rankrepro.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.pipeline.airflow.AirflowClient;
import io.rankrepro.pipeline.airflow.AirflowPlan;
import io.rankrepro.pipeline.airflow.AirflowPlans;
import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.pipeline.exec.Hashing;
import io.rankrepro.tests.containers.MlflowRest;
import io.rankrepro.tests.containers.RankreproImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Issue 19's acceptance test: the distributed stack of {@code docker/cluster/compose.yaml}
 * (Airflow 3, CeleryExecutor on Redis, PostgreSQL, FAB auth with generated credentials, MLflow on
 * PostgreSQL, two Celery workers as two hosts with their own disks) started as {@code make
 * up-cluster} starts it, then:
 * <ol>
 *   <li>a smoke run of boix2023/fig1 whose tasks land on both workers (Airflow's task-instance
 *       hostnames) succeeds;</li>
 *   <li>the same run again, after worker-a's disk was wiped, computes nothing: every task's output
 *       is verified from the shared store (MLflow) or the surviving disk;</li>
 *   <li>a worker killed while it runs a training: Airflow fails that try when its heartbeats stop
 *       and retries it on the other worker; the run succeeds, and every task's output hashes equal
 *       those of a single-host {@code rankrepro run} of the same spec, profile and overrides.</li>
 * </ol>
 * Slow (six containers and more, a 2-core machine): JUnit tag {@code cluster}, left out of
 * {@code make test}; run it with {@code make test-cluster}. Fails (never skips) without Docker.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ClusterStackTest.Diagnostics.class)
class ClusterStackTest {
    static final String SPEC = "pipeline/experiments/boix2023/fig1.yaml";
    static final String EXPERIMENT = "boix2023/fig1";
    static final String PROFILE = "smoke";
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);
    /** Seconds without heartbeats before the scheduler fails a try (the stack's default is 120). */
    static final int HEARTBEAT_TIMEOUT = 30;
    /**
     * The run of test 3: new keys (nothing to reuse) and trainings long enough that the one it
     * kills is still running when the kill lands; whether it was is checked, not assumed.
     */
    static final List<String> KILL_OVERRIDES = List.of("train.learning_rate=0.001");
    static final ObjectMapper JSON = new ObjectMapper();

    static Path dir;
    static AirflowPlan plan;
    static ClusterStack stack;
    static AirflowClient client;
    static MlflowRest rest;
    static String firstRunId;
    static Instant t0;

    @BeforeAll
    static void start() throws Exception {
        t0 = Instant.now();
        Path root = RankreproImages.repoRoot();
        dir = Files.createTempDirectory(Files.createDirectories(root.resolve("tests/target")), "cluster-it");
        Path plans = Files.createDirectories(dir.resolve("plans"));
        Files.setPosixFilePermissions(plans, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(0, RankreproCli.execute("airflow", "export", "--spec", root.resolve(SPEC).toString(), "--profile", PROFILE,
                "--out", plans.toString()));
        plan = AirflowPlans.read(plans.resolve("boix2023__fig1__smoke.json"));

        stack = new ClusterStack(root, dir, plans, Map.of(
                "CLUSTER_TI_HEARTBEAT_TIMEOUT", Integer.toString(HEARTBEAT_TIMEOUT),
                "CLUSTER_DAG_REFRESH_SECONDS", "5"));
        stack.up(Duration.ofMinutes(15));
        client = ClusterStack.client(stack);
        rest = new MlflowRest(stack.mlflowUrl());
        awaitDag(Duration.ofMinutes(5));
        for (String w : ClusterStack.WORKERS) {
            stack.awaitWorkerReady(w, Duration.ofMinutes(5));
        }
        System.out.printf("[cluster] stack %s up in %ds: Airflow %s at %s (FAB auth, user %s), MLflow at %s%n", stack.project,
                Duration.between(t0, Instant.now()).toSeconds(), client.version(), stack.airflowUrl(),
                stack.credentials().username(), stack.mlflowUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        System.out.printf("[cluster] whole test: %ds%n", Duration.between(t0, Instant.now()).toSeconds());
        if (stack != null) {
            stack.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(0)
    void theStackHasNoDefaultPasswordAndOnlyLoopbackPorts() throws Exception {
        // The generated admin password logs in; the well-known defaults do not.
        Map<String, String> secrets = stack.secrets();
        assertTrue(secrets.get("AIRFLOW_ADMIN_PASSWORD").matches("[0-9a-f]{32}"), "a generated admin password");
        for (String guess : List.of("admin", "airflow")) {
            AirflowClient wrong = new AirflowClient(stack.airflowUrl(),
                    new io.rankrepro.pipeline.airflow.AirflowCredentials("admin", guess), Duration.ofSeconds(30));
            try {
                wrong.version();
                fail("Airflow accepted admin/" + guess);
            } catch (io.rankrepro.pipeline.airflow.AirflowException e) {
                assertTrue(e.status() == 401 || e.status() == 403, "admin/" + guess + " refused: " + e.getMessage());
            }
        }
        assertEquals(0600, posixMode(stack.envFile), "the secrets file is private");
        // Every published port of every container is bound to loopback.
        ClusterStack.Result ps = stack.compose(Duration.ofSeconds(60), "ps", "-q");
        List<String> ids = List.of(ps.out().strip().split("\\s+"));
        assertTrue(ids.size() >= 8, "postgres, redis, mlflow, api-server, scheduler, dag-processor, two workers: " + ids);
        for (String id : ids) {
            String bindings = docker("inspect", "-f", "{{json .HostConfig.PortBindings}}", id).strip();
            JsonNode b = JSON.readTree(bindings.equals("null") ? "{}" : bindings);
            b.fields().forEachRemaining(e -> e.getValue().forEach(h ->
                    assertEquals("127.0.0.1", h.path("HostIp").asText(), id + " publishes " + e.getKey() + " on " + h)));
        }
    }

    @Test
    @Order(1)
    void aRunSpreadsOverBothWorkersAndSucceeds() throws Exception {
        Instant start = Instant.now();
        client.setPaused(plan.dagId(), false);
        AirflowClient.DagRun run = client.trigger(plan.dagId(), Map.of("overrides", List.of()), null, "ClusterStackTest: two hosts");
        AirflowClient.DagRun done = client.waitFor(plan.dagId(), run.runId(), RUN_TIMEOUT, Duration.ofSeconds(5), ClusterStackTest::print);
        assertEquals("success", done.state(), () -> failureReport(done));
        firstRunId = run.runId();
        Map<String, String> hosts = hostTable(run.runId(), "run 1 (" + Duration.between(start, Instant.now()).toSeconds() + " s)");
        Set<String> used = planTasks().stream().map(hosts::get).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(ClusterStack.WORKERS), used, "the plan's tasks ran on both workers: " + hosts);

        JsonNode parent = parentRun(run.runId());
        assertEquals("FINISHED", parent.path("info").path("status").asText());
        Map<String, List<JsonNode>> children = childrenByTask(parent);
        assertEquals(new TreeSet<>(rankreproIds()), new TreeSet<>(children.keySet()), "one child run per planned task");
        // Each host's disk holds the outputs of the tasks it ran, published there by the task itself.
        for (String w : ClusterStack.WORKERS) {
            List<String> files = stack.filesOnHost(w, "/workspace/work/tasks");
            assertTrue(files.stream().anyMatch(f -> f.endsWith("/_task.json")), w + " has published outputs on its own disk");
        }
    }

    @Test
    @Order(2)
    void aSecondRunWithOneWorkersDiskWipedComputesNothing() throws Exception {
        assertNotEquals(null, firstRunId, "needs the run of the test before");
        stack.wipeHostDisk("worker-a", "work-a");
        assertTrue(stack.filesOnHost("worker-a", "/workspace/work").isEmpty(), "worker-a's disk is empty after the wipe");
        stack.awaitWorkerReady("worker-a", Duration.ofMinutes(5));

        Instant start = Instant.now();
        AirflowClient.DagRun run = client.trigger(plan.dagId(), Map.of("overrides", List.of()), null, "ClusterStackTest: wiped disk");
        AirflowClient.DagRun done = client.waitFor(plan.dagId(), run.runId(), RUN_TIMEOUT, Duration.ofSeconds(5), ClusterStackTest::print);
        assertEquals("success", done.state(), () -> failureReport(done));
        Map<String, String> hosts = hostTable(run.runId(), "run 2, worker-a wiped (" + Duration.between(start, Instant.now()).toSeconds() + " s)");
        assertTrue(planTasks().stream().anyMatch(t -> "worker-a".equals(hosts.get(t))), "some task ran on the wiped worker: " + hosts);

        // Computed nothing: no task of this run has a child run of its own; the end task linked
        // each one to the run of DAG run 1 that computed it (rankrepro.cached).
        Set<String> computedInRun1 = childrenByTask(parentRun(firstRunId)).values().stream().flatMap(List::stream)
                .map(c -> c.path("info").path("run_id").asText()).collect(Collectors.toSet());
        Map<String, List<JsonNode>> children = childrenByTask(parentRun(run.runId()));
        assertEquals(new TreeSet<>(rankreproIds()), new TreeSet<>(children.keySet()));
        children.forEach((task, runs) -> {
            assertEquals(1, runs.size(), task);
            Map<String, String> tags = MlflowRest.keyValues(runs.get(0), "tags");
            assertEquals("true", tags.get("rankrepro.cached"), task + " computed again: " + tags);
            assertTrue(computedInRun1.contains(tags.get("rankrepro.computed_by")), task + " reused a run of DAG run 1: " + tags);
        });
        // ...and each task says why (its log): its output verified on this host's disk (≡ skipped),
        // or fetched from the shared store and verified (⇣): on the wiped host, or on the other one
        // when run 1 computed that task on the wiped host.
        int fetched = 0;
        for (AirflowPlan.Task t : plan.tasks()) {
            String log = client.taskLog(plan.dagId(), run.runId(), t.taskId(), 1);
            boolean fromStore = log.contains("⇣ " + t.id() + " ");
            assertTrue(fromStore || log.contains("≡ " + t.id() + " skipped"), t.id() + " on " + hosts.get(t.taskId())
                    + " neither skipped nor fetched:\n" + log);
            assertFalse(log.contains("✔ " + t.id() + " done"), t.id() + " computed again:\n" + log);
            if (fromStore && "worker-a".equals(hosts.get(t.taskId()))) {
                fetched++;
            }
            System.out.printf("[cluster]   %-28s %-9s %s%n", t.id(), hosts.get(t.taskId()), fromStore ? "fetched from the shared store, verified" : "verified on its own disk");
        }
        assertTrue(fetched > 0, "no task on the wiped worker-a fetched from the shared store");
    }

    @Test
    @Order(3)
    void aWorkerKilledMidTaskIsRetriedOnTheOtherAndTheOutputsEqualASingleHostRun() throws Exception {
        String victimTask = longestTraining();
        Instant start = Instant.now();
        AirflowClient.DagRun run = client.trigger(plan.dagId(), Map.of("overrides", KILL_OVERRIDES), null, "ClusterStackTest: killed worker");

        // The training is running on some worker (Airflow says so, and its JVM has begun training).
        String host = awaitRunning(run.runId(), victimTask, Duration.ofMinutes(10));
        String survivor = ClusterStack.WORKERS.stream().filter(w -> !w.equals(host)).findFirst().orElseThrow();
        if (stack.containerId(survivor).isEmpty()) {
            fail(survivor + " is not running");
        }
        Instant killed = Instant.now();
        stack.killHost(host);
        System.out.printf("[cluster] killed %s while it ran %s (%ds into the run)%n", host, victimTask,
                Duration.between(start, killed).toSeconds());

        AirflowClient.DagRun done = client.waitFor(plan.dagId(), run.runId(), RUN_TIMEOUT, Duration.ofSeconds(5), ClusterStackTest::print);
        assertEquals("success", done.state(), () -> failureReport(done));
        hostTable(run.runId(), "run 3, " + host + " killed (" + Duration.between(start, Instant.now()).toSeconds() + " s)");
        List<AirflowClient.TaskInstance> tries = client.taskTries(plan.dagId(), run.runId(), victimTask);
        tries.forEach(t -> System.out.printf("[cluster]   %s try %d: %s on %s%n", victimTask, t.tryNumber(), t.state(), t.hostname()));
        assertEquals(2, tries.size(), victimTask + " tries: " + tries);
        assertEquals(host, tries.get(0).hostname(), "try 1 ran on the killed worker");
        assertEquals("failed", tries.get(0).state(), "try 1 was cut off by the kill (had it finished, the kill came too late)");
        assertEquals(survivor, tries.get(1).hostname(), "the retry ran on the other worker");
        assertEquals("success", tries.get(1).state());
        System.out.printf("[cluster] kill to retry success: %ds%n", Duration.between(killed, Instant.now()).toSeconds());

        // Byte-identical to one host: the same spec, profile and overrides run locally by `rankrepro run`.
        Path local = Files.createDirectories(dir.resolve("local"));
        List<String> args = new ArrayList<>(List.of("run", "--spec", RankreproImages.repoRoot().resolve(SPEC).toString(),
                "--profile", PROFILE, "--no-tracking", "--workdir", local.resolve("work").toString(),
                "--results", local.resolve("results").toString()));
        KILL_OVERRIDES.forEach(o -> args.addAll(List.of("--set", o)));
        assertEquals(0, RankreproCli.execute(args.toArray(String[]::new)), "the single-host run");
        Map<String, String[]> single = localOutputs(local.resolve("work"));

        Map<String, List<JsonNode>> children = childrenByTask(parentRun(run.runId()));
        Map<String, String[]> cluster = new TreeMap<>();
        children.forEach((task, runs) -> runs.stream()
                .filter(c -> "FINISHED".equals(c.path("info").path("status").asText()))
                .map(c -> MlflowRest.keyValues(c, "tags"))
                .filter(tags -> tags.containsKey("rankrepro.outputs_sha256"))
                .findFirst()
                .ifPresent(tags -> cluster.put(task, new String[] {tags.get("rankrepro.key"), tags.get("rankrepro.outputs_sha256")})));
        assertEquals(new TreeSet<>(rankreproIds()), cluster.keySet(), "every task of the cluster run has its output hash (computed, or linked to the run that computed it)");
        for (String task : rankreproIds()) {
            String[] s = single.get(task);
            assertNotEquals(null, s, task + " missing from the single-host run");
            assertEquals(s[0], cluster.get(task)[0], task + ": task key");
            assertEquals(s[1], cluster.get(task)[1], task + ": hash of its output files");
        }
        System.out.printf("[cluster] %d task outputs identical to the single-host run%n", single.size());
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** task id → (key, sha256 of the canonical {file: sha256} map), from the local run's manifests. */
    private static Map<String, String[]> localOutputs(Path work) throws IOException {
        Map<String, String[]> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(work.resolve("tasks"))) {
            for (Path m : files.filter(p -> p.getFileName().toString().equals("_task.json")).toList()) {
                JsonNode r = JSON.readTree(m.toFile());
                Map<String, String> hashes = new TreeMap<>();
                r.path("files").fields().forEachRemaining(f -> hashes.put(f.getKey(), f.getValue().asText()));
                out.put(r.path("taskId").asText(), new String[] {r.path("key").asText(),
                        Hashing.sha256(Hashing.canonicalJson(hashes).getBytes(StandardCharsets.UTF_8))});
            }
        }
        return out;
    }

    /** The training with the most steps (smallest alpha): the one a kill is surest to catch running. */
    private static String longestTraining() {
        Pattern alpha = Pattern.compile("alpha=([^,\\]]+)");
        return plan.tasks().stream().filter(t -> t.stage().equals("train"))
                .min(Comparator.comparingDouble(t -> {
                    Matcher m = alpha.matcher(t.id());
                    return m.find() ? Double.parseDouble(m.group(1)) : Double.MAX_VALUE;
                })).orElseThrow().taskId();
    }

    /** Polls Airflow until the task's try is running on a worker and its log shows the training going. */
    private static String awaitRunning(String runId, String taskId, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            for (AirflowClient.TaskInstance t : client.taskInstances(plan.dagId(), runId)) {
                if (t.taskId().equals(taskId)) {
                    last = t.state() + " on " + t.hostname();
                    if (t.tryNumber() > 1 || "success".equals(t.state()) || "failed".equals(t.state())) {
                        fail(taskId + " ended before it could be killed: " + last + "; make KILL_OVERRIDES' trainings longer");
                    }
                    if ("running".equals(t.state()) && t.hostname() != null
                            && client.taskLog(plan.dagId(), runId, taskId, 1).contains("running:")) {
                        return ClusterStack.WORKERS.stream().filter(w -> t.hostname().startsWith(w)).findFirst()
                                .orElseThrow(() -> new AssertionError("unknown worker host " + t.hostname()));
                    }
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(taskId + " not running within " + timeout + ": " + last);
    }

    /** Prints and returns Airflow task id → worker (short hostname) for one DAG run. */
    private static Map<String, String> hostTable(String runId, String title) {
        Map<String, String> hosts = new TreeMap<>();
        StringBuilder s = new StringBuilder("[cluster] " + title + ": task → host (Airflow task-instance hostname)\n");
        for (AirflowClient.TaskInstance t : client.taskInstances(plan.dagId(), runId)) {
            String h = t.hostname() == null ? "-" : t.hostname().split("\\.")[0];
            hosts.put(t.taskId(), h);
            s.append(String.format("[cluster]   %-34s %-10s try %d  %-8s %6.1f s%n", t.taskId(), h, t.tryNumber(), t.state(),
                    t.duration() == null ? 0.0 : t.duration()));
        }
        System.out.print(s);
        return hosts;
    }

    private static List<String> planTasks() {
        return plan.tasks().stream().map(AirflowPlan.Task::taskId).toList();
    }

    private static List<String> rankreproIds() {
        return plan.tasks().stream().map(AirflowPlan.Task::id).toList();
    }

    private static void awaitDag(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                if (client.health().ready() && client.dagIds("rankrepro").contains(plan.dagId())) {
                    assertTrue(client.importErrors().isEmpty(), "DAG import errors: " + client.importErrors());
                    return;
                }
                last = client.health() + ", import errors " + client.importErrors();
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            Thread.sleep(2000);
        }
        throw new IllegalStateException("DAG " + plan.dagId() + " not parsed within " + timeout + ": " + last);
    }

    private static void print(List<AirflowClient.TaskInstance> tis) {
        System.out.println("[cluster] " + io.rankrepro.pipeline.airflow.TaskStateDisplay.tally(tis));
    }

    /** The parent run that mlflow_start_run made for this DAG run (found by its external id tag). */
    private static JsonNode parentRun(String runId) {
        String experimentId = rest.experimentIdByName(EXPERIMENT);
        List<JsonNode> runs = rest.searchRuns(experimentId, "tags.`rankrepro.external_id` = 'airflow:" + plan.dagId() + "/" + runId + "'");
        assertEquals(1, runs.size(), "parent runs of DAG run " + runId);
        return runs.get(0);
    }

    private static Map<String, List<JsonNode>> childrenByTask(JsonNode parent) {
        String parentId = parent.path("info").path("run_id").asText();
        Map<String, List<JsonNode>> byTask = new TreeMap<>();
        for (JsonNode c : rest.searchRuns(parent.path("info").path("experiment_id").asText(), "tags.mlflow.parentRunId = '" + parentId + "'")) {
            byTask.computeIfAbsent(MlflowRest.keyValues(c, "tags").get("rankrepro.task"), k -> new ArrayList<>()).add(c);
        }
        return byTask;
    }

    private static String failureReport(AirflowClient.DagRun run) {
        StringBuilder s = new StringBuilder("run " + run.runId() + " ended " + run.state() + "\n");
        for (AirflowClient.TaskInstance t : client.taskInstances(run.dagId(), run.runId())) {
            s.append("  ").append(t.taskId()).append(": ").append(t.state()).append(" on ").append(t.hostname()).append('\n');
            if ("failed".equals(t.state())) {
                try {
                    s.append(ClusterStack.tail(client.taskLog(run.dagId(), run.runId(), t.taskId(), Math.max(1, t.tryNumber())), 8000));
                } catch (RuntimeException e) {
                    s.append("  (log: ").append(e.getMessage()).append(")\n");
                }
            }
        }
        return s.toString();
    }

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    private static int posixMode(Path f) throws IOException {
        int mode = 0;
        for (var p : Files.getPosixFilePermissions(f)) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    /** On a failed test: every service's state and log tail, before the stack is removed. */
    static final class Diagnostics implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (stack != null) {
                System.out.println("[cluster] " + context.getDisplayName() + " failed; the stack:\n" + stack.diagnostics());
            }
        }
    }
}
