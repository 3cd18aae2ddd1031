package io.rankrepro.tests.cluster;

import io.rankrepro.pipeline.airflow.AirflowClient;
import io.rankrepro.pipeline.airflow.AirflowCredentials;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The distributed stack of {@code docker/cluster/compose.yaml}, driven through the same compose
 * file and secrets generator as {@code make up-cluster}: a project of its own (name, secrets, free
 * loopback ports, plans folder), so it runs beside a developer's stack and leaves nothing behind.
 */
final class ClusterStack implements AutoCloseable {
    static final List<String> WORKERS = List.of("worker-a", "worker-b");
    static final List<String> IMAGES = List.of("rankrepro-airflow-cluster:latest", "rankrepro-mlflow-cluster:latest",
            "rankrepro-postgres-cluster:latest", "rankrepro-redis-cluster:latest");

    final Path root;
    final Path envFile;
    final String project;
    final int airflowPort;
    final int mlflowPort;
    private final List<String> compose;
    private final Map<String, String> env = new LinkedHashMap<>();

    ClusterStack(Path root, Path dir, Path plans, Map<String, String> settings) throws IOException, InterruptedException {
        this.root = root;
        this.compose = composeCommand();
        for (String image : IMAGES) {
            if (run(List.of("docker", "image", "inspect", image), Duration.ofSeconds(30)).code() != 0) {
                throw new IllegalStateException(image + " is missing: run `make images-cluster` (make test-cluster does)");
            }
        }
        this.project = "rrcluster-it-" + HexFormat.of().formatHex(randomBytes(3));
        this.envFile = dir.resolve("cluster.env");
        Result gen = run(List.of(root.resolve("docker/cluster/cluster-env.sh").toString(), envFile.toString()), Duration.ofSeconds(30));
        check(gen, "cluster-env.sh");
        this.airflowPort = freePort();
        this.mlflowPort = freePort();
        env.put("CLUSTER_PLANS_DIR", plans.toAbsolutePath().toString());
        env.put("CLUSTER_AIRFLOW_PORT", Integer.toString(airflowPort));
        env.put("CLUSTER_MLFLOW_PORT", Integer.toString(mlflowPort));
        env.put("CLUSTER_REDIS_PORT", Integer.toString(freePort()));
        env.putAll(settings);
    }

    /** {@code up -d} of every service; returns when the api-server answers (its healthcheck passed). */
    void up(Duration timeout) throws IOException, InterruptedException {
        check(compose(timeout, "up", "-d"), "compose up");
    }

    /** The generated secrets (what a user reads from docker/.build/cluster.env). */
    Map<String, String> secrets() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(envFile, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    AirflowCredentials credentials() throws IOException {
        Map<String, String> s = secrets();
        return new AirflowCredentials(s.get("AIRFLOW_ADMIN_USER"), s.get("AIRFLOW_ADMIN_PASSWORD"));
    }

    String airflowUrl() {
        return "http://127.0.0.1:" + airflowPort;
    }

    String mlflowUrl() {
        return "http://127.0.0.1:" + mlflowPort;
    }

    /** The container id of a service, or empty when it has none (removed). */
    String containerId(String service) throws IOException, InterruptedException {
        return compose(Duration.ofSeconds(60), "ps", "-q", service).out().strip();
    }

    /** Waits until a worker's Celery consumer says it is ready (its log), so tasks can go to it. */
    void awaitWorkerReady(String service, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String logs = "";
        while (Instant.now().isBefore(deadline)) {
            logs = logs(service);
            if (logs.contains("@" + service + " ready.")) {
                return;
            }
            Thread.sleep(2000);
        }
        throw new IllegalStateException(service + " not ready within " + timeout + "; its log:\n" + tail(logs, 4000));
    }

    /** A host that dies: its container is killed (SIGKILL, its running task with it) and removed. */
    void killHost(String service) throws IOException, InterruptedException {
        String id = containerId(service);
        if (id.isEmpty()) {
            throw new IllegalStateException(service + " has no container to kill");
        }
        check(run(List.of("docker", "rm", "-f", id), Duration.ofSeconds(60)), "docker rm -f " + service);
    }

    /** A host whose disk is wiped: its container and work volume removed, then a new one started. */
    void wipeHostDisk(String service, String volume) throws IOException, InterruptedException {
        check(compose(Duration.ofMinutes(2), "rm", "-s", "-f", service), "compose rm " + service);
        check(run(List.of("docker", "volume", "rm", project + "_" + volume), Duration.ofSeconds(60)), "docker volume rm " + volume);
        // --no-deps: only this service (compose v1 cannot recreate containers on newer engines).
        check(compose(Duration.ofMinutes(2), "up", "-d", "--no-deps", service), "compose up " + service);
    }

    /** Files under a folder of a worker's own disk, relative to it (empty if the folder is absent). */
    List<String> filesOnHost(String service, String dir) throws IOException, InterruptedException {
        Result r = run(List.of("docker", "exec", containerId(service), "sh", "-c",
                "test -d '" + dir + "' && cd '" + dir + "' && find . -type f | sort || true"), Duration.ofSeconds(60));
        check(r, "docker exec " + service);
        return r.out().lines().filter(l -> !l.isBlank()).toList();
    }

    String logs(String service) throws IOException, InterruptedException {
        Result r = compose(Duration.ofSeconds(60), "logs", "--no-color", service);
        return r.out() + r.err();
    }

    /** The last lines of every service's log: printed when a test fails. */
    String diagnostics() {
        StringBuilder s = new StringBuilder();
        try {
            s.append(compose(Duration.ofSeconds(60), "ps").out());
            for (String service : List.of("airflow-scheduler", "airflow-apiserver", "worker-a", "worker-b", "mlflow")) {
                s.append("\n---- ").append(service).append(" (tail)\n").append(tail(logs(service), 3000));
            }
        } catch (IOException | InterruptedException e) {
            s.append("(diagnostics failed: ").append(e).append(')');
        }
        return s.toString();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (System.getenv("RANKREPRO_CLUSTER_KEEP") != null) {
            System.out.println("[cluster] RANKREPRO_CLUSTER_KEEP set: leaving project " + project + " running (" + airflowUrl() + ")");
            return;
        }
        Result r = compose(Duration.ofMinutes(5), "down", "-v", "--remove-orphans");
        if (r.code() != 0) {
            System.err.println("[cluster] compose down failed: " + r.err());
        }
    }

    // ---- processes ----------------------------------------------------------------------------------

    record Result(int code, String out, String err) { }

    Result compose(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(compose);
        cmd.addAll(List.of("-p", project, "--env-file", envFile.toString(), "-f", root.resolve("docker/cluster/compose.yaml").toString()));
        cmd.addAll(List.of(args));
        return run(cmd, timeout);
    }

    private Result run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("cluster", ".out");
        Path err = Files.createTempFile("cluster", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " still running after " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void check(Result r, String what) {
        if (r.code() != 0) {
            throw new IllegalStateException(what + " failed (exit " + r.code() + "):\n" + tail(r.out() + r.err(), 6000));
        }
    }

    /** {@code docker compose} (v2) where it answers, else Debian's {@code docker-compose} (v1). */
    private static List<String> composeCommand() throws InterruptedException {
        for (List<String> c : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
            try {
                List<String> cmd = new ArrayList<>(c);
                cmd.add("version");
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return c;
                }
            } catch (IOException e) {
                // not installed: try the next one
            }
        }
        throw new IllegalStateException("neither `docker compose` nor `docker-compose` works: `make compose-cli` installs Debian's");
    }

    static AirflowClient client(ClusterStack stack) throws IOException {
        return new AirflowClient(stack.airflowUrl(), stack.credentials(), Duration.ofSeconds(60));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
