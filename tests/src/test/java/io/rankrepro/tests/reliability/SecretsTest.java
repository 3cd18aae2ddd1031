package io.rankrepro.tests.reliability;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunView;
import io.rankrepro.tests.mlflow.MlflowServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credentials reach rankrepro through the environment and go nowhere else: not into its output,
 * the work folder, MLflow params or tags, nor (where Docker runs) the task image's layers.
 * The test MLflow server has no auth; it ignores the credentials, which is all this test needs.
 */
class SecretsTest {
    private static final String SPEC = "../pipeline/experiments/boix2023/fig1.yaml";

    @Test
    void secretsFromTheEnvironmentAppearNowhere(@TempDir Path tmp) throws Exception {
        String password = "pw-" + UUID.randomUUID();
        String token = "tok-" + UUID.randomUUID();
        String airflow = "af-" + UUID.randomUUID();
        List<String> secrets = List.of(password, token, airflow);
        try (MlflowServerProcess server = MlflowServerProcess.start()) {
            Path log = tmp.resolve("run.log");
            Process p = ChildJvm.start(log, Map.of("MLFLOW_TRACKING_USERNAME", "rankrepro-test",
                            "MLFLOW_TRACKING_PASSWORD", password, "MLFLOW_TRACKING_TOKEN", token, "AIRFLOW_PASSWORD", airflow),
                    "run", "--spec", SPEC, "--profile", "smoke", "--workers", "1", "--tracking-uri", server.uri(),
                    "--workdir", tmp.resolve("work").toString(), "--results", tmp.resolve("results").toString(),
                    "--set", "prepare.samples=16", "--set", "train.tau_max=1.5",
                    "--set", "train.checkpoints=6", "--set", "train.uniform_checkpoints=6");
            assertTrue(p.waitFor(600, TimeUnit.SECONDS), "run did not finish");
            String out = Files.readString(log);
            assertEquals(0, p.exitValue(), out);

            assertNone(secrets, "the run's output", out);
            assertNone(secrets, "the MLflow server log", server.logTail(100_000));
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    assertNone(secrets, f.toString(), new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
            Matcher m = Pattern.compile("MLflow parent run: ([0-9a-f]{32})").matcher(out);
            assertTrue(m.find(), out);
            try (MlflowTracking mlflow = MlflowTracking.connect(server.uri())) {
                List<RunView> runs = new ArrayList<>(mlflow.childRuns(m.group(1)));
                runs.add(mlflow.getRun(m.group(1)));
                assertEquals(9, runs.size());
                for (RunView r : runs) {
                    assertNone(secrets, "params of " + r.runName(), r.params().toString());
                    assertNone(secrets, "tags of " + r.runName(), r.tags().toString());
                }
            }
        }
        for (String image : List.of("rankrepro-tasks", "rankrepro-mlflow", "rankrepro-airflow")) {
            if (!imageExists(image)) {
                continue;
            }
            // Images are built before this test, so its own values cannot be there; what must not be
            // there is any credential baked in at build time (ENV, ARG, a RUN line that sets one).
            String layers = command("docker", "history", "--no-trunc", image) + command("docker", "inspect", image);
            Matcher baked = CREDENTIAL.matcher(layers);
            assertFalse(baked.find(), () -> image + " carries a credential in its layers: " + baked.group());
        }
    }

    /** An assignment of a value to anything named like a credential. */
    private static final Pattern CREDENTIAL = Pattern.compile("(?i)[A-Z_]*(PASSWORD|TOKEN|SECRET)[A-Z_]*=[^\\s\",]+");

    private static void assertNone(List<String> secrets, String where, String text) {
        for (String s : secrets) {
            assertFalse(text.contains(s), "a secret value appears in " + where);
        }
    }

    private static boolean imageExists(String image) {
        try {
            Process p = new ProcessBuilder("docker", "image", "inspect", image).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static String command(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            return out;
        }
    }
}
