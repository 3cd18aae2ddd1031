package io.rankrepro.tests.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;

/**
 * The project's images, built by the same script as {@code make images}
 * ({@code docker/build-image.sh}) when they are missing or older than what they are built from.
 * Docker's layer cache makes a rebuild after a code change take seconds; a first build on a
 * clean machine takes minutes (apt and pip inside), so tests share one image per run.
 */
public final class RankreproImages {

    public static final String TASKS = "rankrepro-tasks:latest";
    public static final String MLFLOW = "rankrepro-mlflow:latest";

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(25);

    private RankreproImages() {}

    /** The repository root: the first folder above the working directory holding docker/. */
    public static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docker/build-image.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("docker/build-image.sh not found above " + dir);
    }

    /** The MLflow server image, built if missing or stale. */
    public static synchronized String mlflow() {
        Path root = repoRoot();
        ensure("mlflow", MLFLOW, List.of(root.resolve("mlflow/server/requirements.txt"), root.resolve("docker/mlflow")));
        return MLFLOW;
    }

    /** The task image, built if missing or older than the CLI jar (pipeline/target). */
    public static synchronized String tasks() {
        Path root = repoRoot();
        Path jar = root.resolve("pipeline/target/rankrepro.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `make images` (or `mvn -B package -DskipTests`) first");
        }
        ensure("tasks", TASKS, List.of(jar, root.resolve("pipeline/target/lib"),
                root.resolve("pipeline/experiments"), root.resolve("docker/tasks")));
        return TASKS;
    }

    private static void ensure(String name, String image, List<Path> inputs) {
        Instant built = created(image);
        Instant newest = newestModification(inputs);
        if (built != null && !newest.isAfter(built)) {
            return;
        }
        System.out.printf("[images] %s %s: building with docker/build-image.sh %s%n",
                image, built == null ? "missing" : "older than its inputs", name);
        run(repoRoot(), "docker/build-image.sh", name);
    }

    private static Instant created(String image) {
        try {
            String created = DockerClientFactory.instance().client().inspectImageCmd(image).exec().getCreated();
            return created == null ? null : Instant.parse(created);
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return null;
        }
    }

    private static Instant newestModification(List<Path> inputs) {
        Instant newest = Instant.EPOCH;
        for (Path input : inputs) {
            if (!Files.exists(input)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(input)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    Instant t = Files.getLastModifiedTime(f).toInstant();
                    if (t.isAfter(newest)) {
                        newest = t;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return newest;
    }

    private static void run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
            if (!p.waitFor(BUILD_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " timed out after " + BUILD_TIMEOUT);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + p.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
