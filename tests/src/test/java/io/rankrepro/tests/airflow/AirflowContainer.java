package io.rankrepro.tests.airflow;

import io.rankrepro.pipeline.airflow.AirflowClient;
import io.rankrepro.pipeline.airflow.AirflowCredentials;
import io.rankrepro.tests.containers.RankreproImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * A real Airflow 3 from the rankrepro-airflow image, all of it in one container
 * ({@code airflow standalone}: api-server, scheduler, dag-processor, triggerer; SQLite;
 * LocalExecutor), with the repository's DAG file and a folder of exported plans mounted.
 * DAG tasks start rankrepro-tasks containers on the host's Docker engine through its socket, so
 * every path handed to them is a path of this machine (the engine's), never one inside Airflow.
 */
final class AirflowContainer extends GenericContainer<AirflowContainer> {
    static final String IMAGE = "rankrepro-airflow:latest";
    static final int PORT = 8080;
    static final String USER = "admin";
    static final String DOCKER_SOCKET = "/var/run/docker.sock";

    private final String password = HexFormat.of().formatHex(randomBytes(12));

    /**
     * @param plans   host folder of exported plans (the DAG file's RANKREPRO_PLANS_DIR)
     * @param work    host folder for task outputs, bind-mounted into every task container
     * @param network the network the task containers join to reach MLflow as {@code mlflow:5000}
     */
    AirflowContainer(Network network, String networkName, Path plans, Path k8sPlans, Path work, String trackingUri) {
        super(ensureImage());
        Path root = RankreproImages.repoRoot();
        withNetwork(network);
        withExposedPorts(PORT);
        // The three components a DAG run needs, without standalone's triggerer; one api-server
        // worker (Airflow's default is several): a 2-core machine has no CPU to spare.
        withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("/bin/bash", "-c",
                "airflow db migrate && { airflow scheduler & airflow dag-processor & exec airflow api-server --port " + PORT + "; }"));
        withFileSystemBind(DOCKER_SOCKET, DOCKER_SOCKET, BindMode.READ_WRITE);
        withFileSystemBind(root.resolve("pipeline/airflow/dags").toString(), "/opt/airflow/dags", BindMode.READ_ONLY);
        withFileSystemBind(plans.toString(), "/opt/airflow/plans", BindMode.READ_ONLY);
        withFileSystemBind(k8sPlans.toString(), "/opt/airflow/plans-k8s", BindMode.READ_ONLY);
        // The simple auth manager opens its passwords file for append: it must be writable. (A bind,
        // not a copy into the container: that made Testcontainers pull alpine, minutes offline.)
        withFileSystemBind(passwordsFile(plans.getParent()).toString(), "/opt/airflow/passwords.json", BindMode.READ_WRITE);
        withEnv(Map.ofEntries(
                Map.entry("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", USER + ":ADMIN"), // USER:ROLE
                Map.entry("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", "/opt/airflow/passwords.json"),
                Map.entry("AIRFLOW__API_AUTH__JWT_SECRET", HexFormat.of().formatHex(randomBytes(32))),
                // Pick up DAG files and plans within seconds, not Airflow's production minutes.
                Map.entry("AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "5"),
                Map.entry("AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL", "5"),
                Map.entry("AIRFLOW__API__WORKERS", "1"),
                Map.entry("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "http://localhost:" + PORT + "/execution/"),
                Map.entry("MLFLOW_TRACKING_URI", trackingUri),
                Map.entry("RANKREPRO_WORK_SOURCE", work.toString()),
                Map.entry("RANKREPRO_DOCKER_NETWORK", networkName),
                Map.entry("RANKREPRO_TASK_USER", hostIds()),
                Map.entry("RANKREPRO_TASK_RETRIES", "0")));
        // The socket's group, so the non-root airflow user (50000) may use it.
        withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withGroupAdd(List.of(socketGroup())));
        waitingFor(Wait.forHttp("/api/v2/monitor/health").forPort(PORT).forStatusCode(200)
                .withStartupTimeout(Duration.ofMinutes(5)));
    }

    private Path passwordsFile(Path dir) {
        try {
            Path f = dir.resolve("passwords.json");
            Files.writeString(f, "{\"" + USER + "\": \"" + password + "\"}", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://" + getHost() + ":" + getMappedPort(PORT);
    }

    AirflowCredentials credentials() {
        return new AirflowCredentials(USER, password);
    }

    /** A credentials file for the CLI (which reads env or a file, never a command-line password). */
    Path credentialsFile(Path dir) throws IOException {
        Path f = dir.resolve("airflow-credentials.properties");
        Files.writeString(f, "username=" + USER + "\npassword=" + password + "\n", StandardCharsets.UTF_8);
        return f;
    }

    /** Waits until scheduler and dag-processor report healthy and {@code dagId} is parsed. */
    void awaitDag(AirflowClient client, String dagId, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                AirflowClient.Health h = client.health();
                if (h.ready() && client.dagIds("rankrepro").contains(dagId)) {
                    return;
                }
                last = h + ", import errors " + client.importErrors();
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            Thread.sleep(2000);
        }
        throw new IllegalStateException("DAG " + dagId + " not parsed within " + timeout + ": " + last
                + "\n---- airflow logs (tail)\n" + tail(getLogs(), 6000));
    }

    static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }

    private static String ensureImage() {
        try {
            Process p = new ProcessBuilder("docker", "image", "inspect", IMAGE).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() == 0) {
                return IMAGE;
            }
            System.out.println("[images] " + IMAGE + " missing: building with docker/build-image.sh airflow");
            Process b = new ProcessBuilder("docker/build-image.sh", "airflow").directory(RankreproImages.repoRoot().toFile())
                    .inheritIO().start();
            if (!b.waitFor(25, TimeUnit.MINUTES) || b.exitValue() != 0) {
                throw new IllegalStateException("docker/build-image.sh airflow failed");
            }
            return IMAGE;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String socketGroup() {
        try {
            return String.valueOf(Files.getAttribute(Path.of(DOCKER_SOCKET), "unix:gid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "0";
        }
    }

    /** This user's uid:gid, so the files task containers write into the work folder are ours to delete. */
    private static String hostIds() {
        try {
            return run("id", "-u") + ":" + run("id", "-g");
        } catch (IOException e) {
            return "10001:10001";
        }
    }

    private static String run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
