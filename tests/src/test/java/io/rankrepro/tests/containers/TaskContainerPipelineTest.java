package io.rankrepro.tests.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;

/**
 * The task image against the MLflow image, as a cluster would run them: the `rankrepro` CLI in
 * rankrepro-tasks runs the smoke profile of a real spec (prepare → train → checkpoint → analyze →
 * figure) and logs to MLflow at http://mlflow:5000 (MLFLOW_TRACKING_URI). Everything is then
 * checked over MLflow's REST API alone: the parent run and one child per task, their params,
 * tags, metric histories and artifacts, and that each checkpoint file's SHA-256 is tagged on its run.
 */
@ExtendWith(RequiresDocker.class)
class TaskContainerPipelineTest {

    static final String SPEC_ID = "boix2023/fig1";
    static final String SPEC = "/opt/rankrepro/experiments/" + SPEC_ID + ".yaml";
    static final Pattern PARENT_RUN = Pattern.compile("MLflow parent run: ([0-9a-f]{32})");
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private static Network network;
    private static MlflowContainer mlflow;
    private static MlflowRest rest;

    @BeforeAll
    static void start() {
        network = Network.newNetwork();
        mlflow = new MlflowContainer(network);
        mlflow.start();
        rest = new MlflowRest(mlflow.hostTrackingUri());
    }

    @AfterAll
    static void stop() {
        if (mlflow != null) {
            mlflow.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void smokeRunOfASpecIsFullyTrackedInMlflow() {
        String logs = runTaskContainer("run", "--spec", SPEC, "--profile", "smoke",
                "--workdir", "/workspace/work", "--results", "/workspace/results");
        Matcher m = PARENT_RUN.matcher(logs);
        assertTrue(m.find(), "no 'MLflow parent run: <id>' line in the CLI output:\n" + logs);
        String parentId = m.group(1);

        JsonNode parent = rest.getRun(parentId);
        String experimentId = parent.path("info").path("experiment_id").asText();
        assertEquals(rest.experimentIdByName(SPEC_ID), experimentId, "parent run is not in experiment " + SPEC_ID);
        assertEquals("FINISHED", parent.path("info").path("status").asText());

        List<JsonNode> children = rest.searchRuns(experimentId, "tags.mlflow.parentRunId = '" + parentId + "'");
        Map<String, JsonNode> byName = children.stream().collect(Collectors.toMap(
                r -> r.path("info").path("run_name").asText(), r -> r, (a, b) -> a));
        // smoke profile of boix2023/fig1: one sweep point, so one run per stage.
        for (String stage : List.of("prepare", "train", "checkpoint", "analyze", "figure")) {
            assertTrue(byName.keySet().stream().anyMatch(n -> n.startsWith(stage)),
                    "no child run for stage " + stage + " among " + byName.keySet());
        }
        for (JsonNode child : children) {
            String name = child.path("info").path("run_name").asText();
            String runId = child.path("info").path("run_id").asText();
            assertEquals("FINISHED", child.path("info").path("status").asText(), name);
            assertFalse(MlflowRest.keyValues(child, "tags").isEmpty(), name + " has no tags");
            assertFalse(rest.listArtifactFiles(runId).isEmpty(), name + " has no artifacts");
        }

        JsonNode train = stageRun(byName, "train");
        assertFalse(MlflowRest.keyValues(train, "params").isEmpty(), "train run has no params");
        assertTrue(hasMetricHistory(train), "train run has no metric with a history over several steps");

        JsonNode checkpoint = stageRun(byName, "checkpoint");
        assertCheckpointHashesTagged(checkpoint);

        JsonNode figure = stageRun(byName, "figure");
        assertTrue(rest.listArtifactFiles(figure.path("info").path("run_id").asText()).stream()
                .anyMatch(p -> p.endsWith(".png")), "figure run has no PNG artifact");
    }

    @Test
    void aStageCommandLogsToTheTrackingUriFromTheEnvironment() {
        // `docker run rankrepro-tasks prepare ...` is the same command as a local stage run;
        // the tracking URI comes from MLFLOW_TRACKING_URI, the parent from --parent-run-id.
        String experimentId = rest.createExperiment("containers/stage-command");
        String parentId = rest.createRun(experimentId, "parent").path("info").path("run_id").asText();
        runTaskContainer("prepare", "--spec", SPEC, "--profile", "smoke", "--task", "prepare",
                "--workdir", "/workspace/work", "--parent-run-id", parentId);

        List<JsonNode> children = rest.searchRuns(rest.experimentIdByName(SPEC_ID),
                "tags.mlflow.parentRunId = '" + parentId + "'");
        if (children.isEmpty()) { // the CLI may log the child into the parent's experiment instead
            children = rest.searchRuns(experimentId, "tags.mlflow.parentRunId = '" + parentId + "'");
        }
        assertEquals(1, children.size(), "expected one child run of " + parentId);
        assertEquals("FINISHED", children.get(0).path("info").path("status").asText());
    }

    /** Runs the task image once with the given CLI arguments; returns its output, fails on a non-zero exit. */
    private static String runTaskContainer(String... args) {
        try (GenericContainer<?> task = new GenericContainer<>(RankreproImages.tasks())) {
            task.withNetwork(network)
                    .withEnv("MLFLOW_TRACKING_URI", MlflowContainer.networkTrackingUri())
                    .withCommand(args)
                    .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(15)));
            try {
                task.start();
            } catch (RuntimeException e) {
                throw new AssertionError("rankrepro " + String.join(" ", args) + " failed in the task container:\n"
                        + safeLogs(task), e);
            }
            String logs = task.getLogs();
            System.out.println("---- rankrepro " + String.join(" ", args) + "\n" + logs);
            return logs;
        }
    }

    private static String safeLogs(GenericContainer<?> c) {
        try {
            return c.getLogs();
        } catch (RuntimeException e) {
            return "(no logs: " + e.getMessage() + ")";
        }
    }

    private static JsonNode stageRun(Map<String, JsonNode> byName, String stage) {
        return byName.entrySet().stream().filter(e -> e.getKey().startsWith(stage)).map(Map.Entry::getValue)
                .findFirst().orElseThrow();
    }

    private static boolean hasMetricHistory(JsonNode run) {
        String runId = run.path("info").path("run_id").asText();
        Set<String> keys = new HashSet<>();
        run.path("data").path("metrics").forEach(x -> keys.add(x.path("key").asText()));
        for (String key : keys) {
            if (key.startsWith("system/")) {
                continue;
            }
            if (rest.metricHistory(runId, key).stream().map(p -> p.path("step").asLong()).distinct().count() > 1) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every checkpoint file uploaded by the checkpoint run (.safetensors / .npz) hashes to a SHA-256
     * that is tagged on that run. (Checked by value, so the tag naming can evolve.)
     */
    private static void assertCheckpointHashesTagged(JsonNode run) {
        String runId = run.path("info").path("run_id").asText();
        Set<String> taggedHashes = MlflowRest.keyValues(run, "tags").values().stream()
                .map(v -> v.replaceFirst("^sha256:", "")).filter(v -> SHA256.matcher(v).matches())
                .collect(Collectors.toSet());
        List<String> checkpoints = rest.listArtifactFiles(runId).stream()
                .filter(p -> p.endsWith(".safetensors") || p.endsWith(".npz")).toList();
        assertFalse(checkpoints.isEmpty(), "checkpoint run has no .safetensors/.npz artifact");
        for (String path : checkpoints) {
            String sha = MlflowRest.sha256(rest.downloadArtifact(runId, path));
            assertNotNull(sha);
            assertTrue(taggedHashes.contains(sha), "artifact " + path + " has sha256 " + sha
                    + ", not among the hashes tagged on its run: " + taggedHashes);
        }
    }

    /** Skips the class, saying why on stdout too (surefire shows a skipped class only as "Tests run: 0"). */
}
