package io.rankrepro.tests.airflow;

import io.rankrepro.tests.containers.Prerequisites;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.tests.containers.RankreproImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pods the kubernetes variant of the DAG file would submit, rendered without a cluster by
 * {@code tests/src/test/python/podspec_check.py} in {@code .venv-podspec} (made by {@code make
 * podspec-venv}: the Airflow image's own packages plus Kubernetes' schemas). Without the venv a
 * test is skipped, loudly, unless {@code RANKREPRO_REQUIRE_PODSPEC=1} ({@code make test}) makes it fail.
 */
public final class PodSpecs {
    /** A well-formed digest: the check renders pods, it never pulls the image. */
    public static final String IMAGE = "registry.example.org/rankrepro-tasks@sha256:" + "0123456789abcdef".repeat(4);
    public static final String SECRET = "rankrepro-mlflow";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run of the checker gave: its exit code, its stderr, and (exit 0) the rendered pods. */
    public record Result(int exitCode, String stderr, JsonNode report) {
        /** dag id → task id → {operator, pod, schema_error}. */
        public JsonNode dags() {
            return report.path("dags");
        }
    }

    private PodSpecs() { }

    /** Exports {@code spec} at each profile into {@code plans}, as a user would with `rankrepro airflow export`. */
    public static void export(Path plans, String spec, String... profiles) {
        Path file = RankreproImages.repoRoot().resolve(spec);
        for (String profile : profiles) {
            int rc = RankreproCli.execute("airflow", "export", "--spec", file.toString(), "--profile", profile, "--out", plans.toString());
            if (rc != 0) {
                throw new IllegalStateException("airflow export of " + spec + " at " + profile + " exited " + rc);
            }
        }
    }

    /**
     * Renders every task's pod of the plans in {@code plans} with the kubernetes variant.
     *
     * @param settings the Airflow components' environment for the DAG file (image, secret, volume, ...)
     */
    public static Result render(Path plans, Path scratch, Map<String, String> settings) throws IOException, InterruptedException {
        Path root = RankreproImages.repoRoot();
        Path out = scratch.resolve("pods.json");
        Path err = scratch.resolve("checker.err");
        ProcessBuilder pb = new ProcessBuilder(python().toString(), root.resolve("tests/src/test/python/podspec_check.py").toString(),
                root.resolve("pipeline/airflow/dags/rankrepro_dag.py").toString(), out.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        // Nothing of this JVM's environment decides what the DAG file sees: only the settings given here.
        env.keySet().removeIf(k -> k.startsWith("RANKREPRO_") || k.startsWith("MLFLOW_") || k.startsWith("AIRFLOW"));
        env.putAll(Map.of("AIRFLOW_HOME", Files.createDirectories(scratch.resolve("airflow-home")).toString(),
                "RANKREPRO_AIRFLOW_EXECUTOR", "kubernetes", "RANKREPRO_PLANS_DIR", plans.toString(),
                // What a deployment has in its metadata DB, given here as Airflow's env-var variable and connection.
                "AIRFLOW_VAR_RANKREPRO_TASK_ENV", "{}", "AIRFLOW_CONN_KUBERNETES_DEFAULT", "{\"conn_type\": \"kubernetes\"}"));
        env.putAll(settings);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("podspec_check.py did not finish within 5 minutes");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        JsonNode report = p.exitValue() == 0 ? JSON.readTree(out.toFile()) : null;
        return new Result(p.exitValue(), stderr, report);
    }

    /** The default settings of a deployment: the image by digest and the MLflow credentials' Secret. */
    public static Map<String, String> deployment(Map<String, String> more) {
        Map<String, String> s = new HashMap<>(Map.of("RANKREPRO_TASK_IMAGE", IMAGE, "RANKREPRO_K8S_MLFLOW_SECRET", SECRET));
        s.putAll(more);
        return s;
    }

    /** {@code .venv-podspec/bin/python} of the repository (or $RANKREPRO_PODSPEC_VENV); skips the test when missing. */
    static Path python() {
        return Prerequisites.venvExecutable("RANKREPRO_PODSPEC_VENV", ".venv-podspec", "python", "pod-spec tests", "make podspec-venv",
                "RANKREPRO_REQUIRE_PODSPEC");
    }

    /** The task's main container (the provider names it "base"; the XCom sidecar is another). */
    public static JsonNode container(JsonNode pod) {
        for (JsonNode c : pod.path("spec").path("containers")) {
            if ("base".equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no container named base in " + pod);
    }

    /** name → env entry of the container. */
    public static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> m = new HashMap<>();
        container.path("env").forEach(e -> m.put(e.path("name").asText(), e));
        return m;
    }

    public static List<String> names(JsonNode object) {
        List<String> out = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
