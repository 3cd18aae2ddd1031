package io.rankrepro.tests.mlflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankrepro.mlflow.MetricPoint;
import io.rankrepro.mlflow.MlflowLimits;
import io.rankrepro.mlflow.MlflowRunTracker;
import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunView;
import io.rankrepro.mlflow.SystemInfo;
import io.rankrepro.mlflow.TrackingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracking layout against a real MLflow 3.x server: experiment, parent and child run, params,
 * tags, 2500 metric points and a folder of artifacts, all read back over the REST API and
 * compared exactly.
 */
class MlflowTrackingServerTest {

    private static MlflowServerProcess server;
    private static MlflowTracking tracking;

    @BeforeAll
    static void startServer() {
        server = MlflowServerProcess.start();
        tracking = MlflowTracking.connect(server.uri());
    }

    @AfterAll
    static void stopServer() {
        if (tracking != null) {
            tracking.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void logsAParentAndChildRunAndReadsEverythingBack(@TempDir Path tmp) throws Exception {
        String experimentId = tracking.getOrCreateExperiment("boix2023/fig1");
        assertEquals(experimentId, tracking.getOrCreateExperiment("boix2023/fig1"), "found, not created twice");

        MlflowRunTracker parent = tracking.startRun(experimentId, "dag-run", null, Map.of("profile", "smoke"));
        Map<String, String> childTags = new TreeMap<>(SystemInfo.tags());
        childTags.put("upstream.prepare", "abc123");
        MlflowRunTracker child = tracking.startRun(experimentId, "train[alpha=0.01]", parent.runId(), childTags);

        // Params: more than one batch, one value over MLflow's limit.
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < 150; i++) {
            params.put("train.p" + i, Integer.toString(i * 7));
        }
        params.put("train.alpha", "0.01");
        params.put("spec", "s".repeat(7000));
        child.logParams(params);
        // Tags: more than one batch.
        Map<String, String> moreTags = new LinkedHashMap<>();
        for (int i = 0; i < 120; i++) {
            moreTags.put("hash.file" + i, "sha256:" + i);
        }
        child.setTags(moreTags);
        // Metrics: 2500 loss points (three batches), a rank metric, a non-finite value.
        for (int step = 0; step < 2500; step++) {
            child.logMetric("loss", 1.0 / (step + 1), step);
        }
        for (int step = 0; step < 10; step++) {
            child.logMetric("rank/stable", 0.5 * step + 0.25, step * 100L);
        }
        child.logMetric("grad_norm", Double.NaN, 0);
        child.flush();

        // Artifacts: a nested folder with a binary file, and a single file at the root.
        Path out = tmp.resolve("out");
        Files.createDirectories(out.resolve("nested/deeper"));
        Files.writeString(out.resolve("table.csv"), "step,rank\n0,1.5\n");
        byte[] binary = new byte[300_000];
        new Random(42).nextBytes(binary);
        Files.write(out.resolve("nested/deeper/weights.bin"), binary);
        Files.writeString(out.resolve("nested/name with space.txt"), "spaced é");
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, "id: boix2023/fig1\n");
        child.logArtifacts(out, "outputs");
        child.logArtifact(spec, "");
        child.close();
        tracking.endRun(child.runId(), true);
        tracking.endRun(parent.runId(), false);

        // --- read back ---
        RunView run = tracking.getRun(child.runId());
        assertEquals(experimentId, run.experimentId());
        assertEquals("train[alpha=0.01]", run.runName());
        assertEquals("FINISHED", run.status());
        assertTrue(run.endTimeMillis() >= run.startTimeMillis() && run.startTimeMillis() > 0);
        assertEquals(parent.runId(), run.parentRunId());
        assertEquals("rankrepro", run.tags().get(MlflowTracking.TAG_SOURCE_NAME));

        Map<String, String> expectedParams = new TreeMap<>(params);
        expectedParams.put("spec", MlflowLimits.truncate(params.get("spec"), MlflowLimits.MAX_PARAM_VALUE_LENGTH));
        assertEquals(expectedParams, run.params());
        for (Map.Entry<String, String> t : childTags.entrySet()) {
            assertEquals(t.getValue(), run.tags().get(t.getKey()), t.getKey());
        }
        for (Map.Entry<String, String> t : moreTags.entrySet()) {
            assertEquals(t.getValue(), run.tags().get(t.getKey()), t.getKey());
        }
        assertEquals(1.0 / 2500, run.metrics().get("loss"));
        assertEquals(4.75, run.metrics().get("rank/stable"));
        assertTrue(run.metrics().get("grad_norm").isNaN());

        List<MetricPoint> loss = tracking.metricHistory(child.runId(), "loss");
        assertEquals(2500, loss.size());
        for (int step = 0; step < 2500; step++) {
            assertEquals(step, loss.get(step).step());
            assertEquals(1.0 / (step + 1), loss.get(step).value(), 0.0, "exact double round trip");
            assertEquals("loss", loss.get(step).key());
        }
        assertEquals(List.of(0L, 100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L),
                tracking.metricHistory(child.runId(), "rank/stable").stream().map(MetricPoint::step).toList());

        RunView parentView = tracking.getRun(parent.runId());
        assertEquals("FAILED", parentView.status());
        assertNull(parentView.parentRunId());
        assertEquals("smoke", parentView.tags().get("profile"));
        assertEquals(List.of(child.runId()), tracking.childRuns(parent.runId()).stream().map(RunView::runId).toList());
        assertEquals(Set.of(parent.runId(), child.runId()),
                tracking.searchRuns(experimentId, null).stream().map(RunView::runId).collect(Collectors.toSet()));
        assertEquals(server.uri() + "/#/experiments/" + experimentId + "/runs/" + child.runId(),
                tracking.runUrl(child.runId()));

        // Artifacts: listing, single reads, and downloads compared byte for byte.
        assertEquals(List.of("outputs/nested/deeper/weights.bin", "outputs/nested/name with space.txt",
                "outputs/table.csv", "spec.yaml"), tracking.listArtifacts(child.runId()));
        assertArrayEquals(binary, tracking.readArtifact(child.runId(), "outputs/nested/deeper/weights.bin"));
        assertEquals("spaced é", new String(tracking.readArtifact(child.runId(), "outputs/nested/name with space.txt"),
                java.nio.charset.StandardCharsets.UTF_8));

        Path all = tmp.resolve("download/all");
        tracking.downloadArtifacts(child.runId(), "", all);
        assertEquals(treeHashes(out, "outputs/"), withoutSpec(treeHashes(all, "")));
        assertEquals(sha256(Files.readAllBytes(spec)), treeHashes(all, "").get("spec.yaml"));

        Path outputs = tmp.resolve("download/outputs");
        tracking.downloadArtifacts(child.runId(), "outputs", outputs);
        assertEquals(treeHashes(out, ""), treeHashes(outputs, ""));
        assertEquals(sha256(binary), sha256(Files.readAllBytes(outputs.resolve("nested/deeper/weights.bin"))));

        Path single = tmp.resolve("download/single");
        tracking.downloadArtifacts(child.runId(), "outputs/nested/deeper/weights.bin", single);
        assertArrayEquals(binary, Files.readAllBytes(single.resolve("weights.bin")));
        assertEquals(List.of("single"), listNames(tmp.resolve("download")).stream().filter(n -> n.startsWith("single")).toList(),
                "no temporary folder left behind");
        assertThrows(IllegalArgumentException.class, () -> tracking.downloadArtifacts(child.runId(), "", outputs),
                "a non-empty target is refused");
        assertThrows(TrackingException.class,
                () -> tracking.downloadArtifacts(child.runId(), "outputs/missing.txt", tmp.resolve("download/missing")));

        // A second tracker on the same run (as a stage command would get) adds to it.
        MlflowRunTracker attached = tracking.attachRun(child.runId());
        attached.logMetric("loss", 0.0, 2500);
        attached.close();
        assertEquals(2501, tracking.metricHistory(child.runId(), "loss").size());
    }

    @Test
    void concurrentGetOrCreateAgreesOnOneExperiment() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Callable<String> create = () -> tracking.getOrCreateExperiment("race/fig" + 2);
            List<Future<String>> ids = pool.invokeAll(List.of(create, create, create, create));
            Set<String> distinct = ids.stream().map(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).collect(Collectors.toSet());
            assertEquals(1, distinct.size(), distinct.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingRunsAndEscapingPathsFailClearly() {
        TrackingException e = assertThrows(TrackingException.class, () -> tracking.getRun("0123456789abcdef0123456789abcdef"));
        assertTrue(e.getMessage().contains("reading run"), e.getMessage());
        assertThrows(TrackingException.class, () -> tracking.attachRun("0123456789abcdef0123456789abcdef"));
    }

    private static Map<String, String> treeHashes(Path root, String prefix) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(prefix + root.relativize(p).toString().replace('\\', '/'), sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private static Map<String, String> withoutSpec(Map<String, String> hashes) {
        Map<String, String> out = new TreeMap<>(hashes);
        out.remove("spec.yaml");
        return out;
    }

    private static List<String> listNames(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

}
