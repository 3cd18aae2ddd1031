package io.rankrepro.tests.containers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.Network;

/**
 * The MLflow server image (docker/mlflow) as the pipeline uses it: health, experiments, runs,
 * batched params/tags/metrics, metric history, and proxied artifact upload/download, both
 * through a mapped port (Host: localhost:NNNN) and from another container on the network
 * (Host: mlflow:5000), which MLflow 3's host check would refuse without the image's settings.
 */
@ExtendWith(RequiresDocker.class)
class MlflowServerContainerTest {

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
    void healthEndpointAnswersThroughTheMappedPort() {
        assertEquals("OK", rest.health().trim());
    }

    @Test
    void runsOneByOneParamsTagsMetricHistoryAndArtifactsRoundTrip() {
        String experimentId = rest.createExperiment("containers/mlflow-roundtrip");
        JsonNode run = rest.createRun(experimentId, "roundtrip");
        String runId = run.path("info").path("run_id").asText();

        rest.post("runs/log-batch", Map.of("run_id", runId,
                "params", List.of(Map.of("key", "train.steps", "value", "100")),
                "tags", List.of(Map.of("key", "rankrepro.profile", "value", "smoke")),
                "metrics", List.of(
                        Map.of("key", "loss", "value", 1.0, "timestamp", 1L, "step", 0),
                        Map.of("key", "loss", "value", 0.5, "timestamp", 2L, "step", 10),
                        Map.of("key", "loss", "value", 0.25, "timestamp", 3L, "step", 20))));

        byte[] content = "checkpoint bytes".getBytes(StandardCharsets.UTF_8);
        rest.uploadArtifact(run.path("info").path("artifact_uri").asText(), "checkpoints/step-20.bin", content);
        rest.post("runs/update", Map.of("run_id", runId, "status", "FINISHED", "end_time", System.currentTimeMillis()));

        JsonNode got = rest.getRun(runId);
        assertEquals("FINISHED", got.path("info").path("status").asText());
        assertEquals("100", MlflowRest.keyValues(got, "params").get("train.steps"));
        assertEquals("smoke", MlflowRest.keyValues(got, "tags").get("rankrepro.profile"));
        List<JsonNode> loss = rest.metricHistory(runId, "loss");
        assertEquals(List.of(0L, 10L, 20L), loss.stream().map(m -> m.path("step").asLong()).sorted().toList());
        assertEquals(List.of("checkpoints/step-20.bin"), rest.listArtifactFiles(runId));
        assertArrayEquals(content, rest.downloadArtifact(runId, "checkpoints/step-20.bin"));
    }

    @Test
    void otherContainersReachItAsMlflowOnTheNetwork() throws Exception {
        // Run the request from inside a container on the network: Host header "mlflow:5000".
        ExecResult r = mlflow.execInContainer("python3", "-c",
                "import urllib.request;"
                        + "print(urllib.request.urlopen('" + MlflowContainer.networkTrackingUri()
                        + "/api/2.0/mlflow/experiments/search?max_results=5', timeout=10).status)");
        assertEquals(0, r.getExitCode(), r.getStderr());
        assertEquals("200", r.getStdout().trim());
    }

    @Test
    void serverRunsAsNonRootUser() throws Exception {
        ExecResult r = mlflow.execInContainer("id", "-u");
        assertTrue(Integer.parseInt(r.getStdout().trim()) != 0, "MLflow runs as root: " + r.getStdout());
    }
}
