package io.rankrepro.tests.pipeline;

import io.rankrepro.mlflow.MetricPoint;
import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunView;
import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.tests.mlflow.MlflowServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton against a real MLflow server: paper B's toy figure at a tiny size through
 * `rankrepro run`, read back over MLflow's REST API, then rebuilt from the tracked run alone.
 */
class PipelineTrackingTest {
    private static final Path SPEC = Path.of("../pipeline/experiments/boix2023/fig1.yaml");
    /** Smaller than smoke: this test is about tracking, not about the science. */
    private static final String[] TINY = {"--set", "prepare.samples=16", "--set", "train.tau_max=1.5",
            "--set", "train.checkpoints=6", "--set", "train.uniform_checkpoints=6"};

    private static MlflowServerProcess server;
    private static MlflowTracking mlflow;
    private static Path tmp;
    private static String parentRunId;
    private static String output;

    @BeforeAll
    static void runTheToyFigure() throws Exception {
        server = MlflowServerProcess.start();
        mlflow = MlflowTracking.connect(server.uri());
        tmp = Files.createTempDirectory("pipeline-tracking");
        List<String> args = new java.util.ArrayList<>(List.of("run", "--spec", SPEC.toString(), "--profile", "smoke",
                "--workers", "1", "--tracking-uri", server.uri(),
                "--workdir", tmp.resolve("work").toString(), "--results", tmp.resolve("results").toString()));
        args.addAll(List.of(TINY));
        output = captured(() -> assertEquals(0, RankreproCli.execute(args.toArray(String[]::new))));
        Matcher m = Pattern.compile("MLflow parent run: ([0-9a-f]{32})").matcher(output);
        assertTrue(m.find(), output);
        parentRunId = m.group(1);
    }

    @AfterAll
    static void stop() {
        if (mlflow != null) {
            mlflow.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void parentAndChildRunsCarryParamsTagsMetricsAndArtifacts() throws Exception {
        RunView parent = mlflow.getRun(parentRunId);
        assertEquals("FINISHED", parent.status());
        assertEquals("smoke", parent.params().get("profile"));
        assertEquals("smoke", parent.tags().get("rankrepro.profile"));
        assertNotNull(parent.tags().get("system.cpu"));
        assertEquals("none", parent.tags().get("system.gpu"));
        assertNotNull(parent.tags().get("rankrepro.code_version"));
        assertNotNull(parent.tags().get("rankrepro.djl_version"));
        assertTrue(mlflow.listArtifacts(parentRunId).contains("spec/fig1.yaml"), mlflow.listArtifacts(parentRunId).toString());

        List<RunView> children = mlflow.childRuns(parentRunId);
        assertEquals(8, children.size(), "prepare, 2 × (train, checkpoint, analyze), figure");
        RunView train = children.stream().filter(r -> "train[alpha=1e-8]".equals(r.tags().get("rankrepro.task"))).findFirst().orElseThrow();
        assertEquals("FINISHED", train.status());
        assertEquals("1.0E-8", train.params().get("train.alpha"));
        assertEquals("1.5", train.params().get("train.tau_max"));
        assertEquals("diagonal-toy/train", train.tags().get("rankrepro.kind"));
        List<MetricPoint> loss = mlflow.metricHistory(train.runId(), "train/loss");
        assertTrue(loss.size() > 10, "loss history: " + loss.size());
        assertTrue(loss.get(loss.size() - 1).value() < loss.get(0).value(), "loss falls");
        assertEquals(loss.size(), loss.stream().map(MetricPoint::step).distinct().count(), "no duplicate steps");

        // The checkpoint artifacts are the published files, byte for byte: compare with the work folder.
        RunView checkpoint = children.stream().filter(r -> "checkpoint[alpha=1e-8]".equals(r.tags().get("rankrepro.task"))).findFirst().orElseThrow();
        String key = checkpoint.tags().get("rankrepro.key");
        Path published = tmp.resolve("work/tasks").resolve(key);
        List<String> artifacts = mlflow.listArtifacts(checkpoint.runId());
        // every copy is there, those uploaded while the task ran (checkpointWritten) and any after it
        try (var copies = Files.list(published.resolve("checkpoints"))) {
            assertEquals(copies.map(f -> "outputs/checkpoints/" + f.getFileName()).sorted().toList(),
                    artifacts.stream().filter(a -> a.startsWith("outputs/checkpoints/")).sorted().toList());
        }
        String first = artifacts.stream().filter(a -> a.startsWith("outputs/checkpoints/step_") && a.endsWith(".npz")).findFirst().orElseThrow();
        byte[] tracked = mlflow.readArtifact(checkpoint.runId(), first);
        assertArrayEquals(Files.readAllBytes(published.resolve(first.substring("outputs/".length()))), tracked);
        String tag = checkpoint.tags().get("checkpoint." + Path.of(first).getFileName() + ".sha256");
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tracked)), tag);

        RunView analyze = children.stream().filter(r -> "analyze[alpha=1e-8]".equals(r.tags().get("rankrepro.task"))).findFirst().orElseThrow();
        assertTrue(mlflow.listArtifacts(analyze.runId()).contains("outputs/metrics.csv"));
        assertTrue(analyze.metrics().keySet().stream().anyMatch(k -> k.contains("stable_rank")), analyze.metrics().toString());
    }

    @Test
    void figureFromRunIsByteIdenticalToThePipelines() throws Exception {
        Path rebuilt = tmp.resolve("rebuilt");
        String out = captured(() -> assertEquals(0, RankreproCli.execute("figure", "--from-run", parentRunId,
                "--tracking-uri", server.uri(), "--out", rebuilt.toString())));
        Path original = tmp.resolve("results/boix2023/fig1/smoke");
        for (String f : List.of("fig1.png", "fig1.svg", "figure-data.csv", "checks.json")) {
            assertArrayEquals(Files.readAllBytes(original.resolve(f)), Files.readAllBytes(rebuilt.resolve(f)), f + "\n" + out);
        }
    }

    @Test
    void aRerunSkipsEveryTaskWithReasons() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--spec", SPEC.toString(), "--profile", "smoke",
                "--workers", "1", "--tracking-uri", server.uri(),
                "--workdir", tmp.resolve("work").toString(), "--results", tmp.resolve("results").toString()));
        args.addAll(List.of(TINY));
        String out = captured(() -> assertEquals(0, RankreproCli.execute(args.toArray(String[]::new))));
        assertTrue(out.contains("done: 0 ran, 8 cached"), out);
        assertEquals(8, out.lines().filter(l -> l.contains("skipped: outputs verified")).count(), out);
    }

    private static String captured(Runnable action) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            action.run();
        } finally {
            System.setOut(old);
        }
        System.out.print(buf);
        return buf.toString();
    }
}
