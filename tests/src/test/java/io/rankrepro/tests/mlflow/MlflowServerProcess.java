package io.rankrepro.tests.mlflow;

import io.rankrepro.tests.containers.Prerequisites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real MLflow tracking server for a test: the repo's {@code .venv-mlflow/bin/mlflow} (made by
 * {@code make mlflow-venv}), on a free localhost port, SQLite and artifacts in a temporary folder,
 * served the way {@code make mlflow-up} serves it. Without the venv the test is skipped, loudly;
 * with {@code RANKREPRO_REQUIRE_MLFLOW=1} (CI) it fails instead.
 *
 * <pre>
 * try (MlflowServerProcess server = MlflowServerProcess.start()) {
 *     MlflowTracking tracking = MlflowTracking.connect(server.uri());
 * }
 * </pre>
 */
public final class MlflowServerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private Process process;
    private final Path home;
    private final Path log;
    private final String uri;
    private final int port;
    private final Thread reaper;

    private MlflowServerProcess(Process process, Path home, Path log, String uri, int port) {
        this.process = process;
        this.home = home;
        this.log = log;
        this.uri = uri;
        this.port = port;
        // If the test JVM dies without stop(), the server must not outlive it.
        this.reaper = new Thread(this::killTree, "mlflow-server-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts a server on a free port and waits until it answers /health. */
    public static MlflowServerProcess start() {
        return start(freePort());
    }

    /** Starts a server on {@code port} and waits until it answers /health. */
    public static MlflowServerProcess start(int port) {
        Path mlflow = mlflowExecutable();
        Path home;
        try {
            home = Files.createTempDirectory("mlflow-server-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = home.resolve("server.log");
        MlflowServerProcess server = new MlflowServerProcess(launch(mlflow, home, log, port), home, log, "http://127.0.0.1:" + port, port);
        server.awaitHealthy();
        return server;
    }

    private static Process launch(Path mlflow, Path home, Path log, int port) {
        // one worker, not server.sh's two: a test's few runs do not need the second core's process
        ProcessBuilder pb = new ProcessBuilder(mlflow.toString(), "server",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--workers", "1",
                "--backend-store-uri", "sqlite:///" + home.resolve("mlflow.db"),
                "--serve-artifacts", "--artifacts-destination", home.resolve("artifacts").toString())
                .directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // As in mlflow/server/server.sh: no GenAI job runner (a handful of extra processes).
        pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
        pb.environment().remove("MLFLOW_TRACKING_URI");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mlflow, e);
        }
    }

    /** An outage: stops the server and its workers, keeping its database and artifacts for {@link #restart()}. */
    public void stopServer() {
        killTree();
    }

    /** Starts the server again on the same port with the same database and artifacts, and waits until it answers. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("the MLflow server at " + uri + " is still running");
        }
        process = launch(mlflowExecutable(), home, log, port);
        awaitHealthy();
    }

    /** The tracking URI, e.g. {@code http://127.0.0.1:41234}. */
    public String uri() {
        return uri;
    }

    /** The folder with the server's database, artifacts and log. */
    public Path home() {
        return home;
    }

    /** The last {@code lines} lines of the server log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server and every process it forked, then deletes its folder. */
    public void stop() {
        killTree();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        deleteTree(home);
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitHealthy() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(uri + "/health")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = logTail(40);
                stop();
                throw new IllegalStateException("MLflow server exited with " + process.exitValue()
                        + " during start-up; log tail:\n" + tail);
            }
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IllegalStateException("interrupted while waiting for MLflow", e);
            }
            sleep(500);
        }
        String tail = logTail(40);
        stop();
        throw new IllegalStateException("MLflow server did not answer " + uri + "/health within "
                + START_TIMEOUT.toSeconds() + " s; log tail:\n" + tail);
    }

    private void killTree() {
        // uvicorn runs as a child of the `mlflow server` launcher: stop the children too.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** {@code .venv-mlflow/bin/mlflow} of the repository (or $RANKREPRO_MLFLOW_VENV); skips the test when missing. */
    static Path mlflowExecutable() {
        return Prerequisites.venvExecutable("RANKREPRO_MLFLOW_VENV", ".venv-mlflow", "mlflow", "MLflow server tests", "make mlflow-venv",
                "RANKREPRO_REQUIRE_MLFLOW");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp folder is harmless
        }
    }
}
