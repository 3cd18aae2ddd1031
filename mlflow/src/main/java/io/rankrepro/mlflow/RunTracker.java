package io.rankrepro.mlflow;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything one task logs to its own tracking run. Implementations buffer metrics and send them
 * in batches; {@link #flush()} forces out what is buffered. Thread-safe.
 */
public interface RunTracker {

    /** The tracking run id, or {@code null} when nothing is tracked. */
    String runId();

    void logParams(Map<String, String> params);

    void setTags(Map<String, String> tags);

    /** One metric point; {@code step} is the training step (or checkpoint step). */
    void logMetric(String key, double value, long step);

    /**
     * From now on, a metric under {@code rank/} or {@code balance/} logged at a step in
     * {@code modelByStep} is linked to that MLflow 3 logged model (the checkpoint of that step), so
     * the model's page shows the metrics measured on it. A tracker without a server ignores it.
     */
    default void linkModels(Map<Long, String> modelByStep) {
    }

    /** Uploads one file under {@code artifactDir} ("" for the run's artifact root). */
    void logArtifact(Path file, String artifactDir);

    /** Uploads every regular file under {@code dir}, keeping relative paths, under {@code artifactDir}. */
    void logArtifacts(Path dir, String artifactDir);

    /**
     * As {@link #logArtifacts(Path, String)}, leaving out the files whose path relative to
     * {@code dir} ('/'-separated) is in {@code except}: they were uploaded already.
     */
    default void logArtifacts(Path dir, String artifactDir, java.util.Set<String> except) {
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a directory: " + dir);
        }
        java.util.Map<String, Path> byPath = new java.util.LinkedHashMap<>();
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
            for (Path f : s.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                String relative = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
                if (!except.contains(relative)) {
                    byPath.put(ArtifactStore.join(artifactDir, relative), f);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir, e);
        }
        logArtifactFiles(byPath);
    }

    /**
     * Uploads each file to its artifact path (the map's key, '/'-separated, relative to the run's
     * root; its last part is the file's name there). All are uploaded when this returns; a tracker
     * may keep several in flight.
     */
    default void logArtifactFiles(java.util.Map<String, Path> fileByArtifactPath) {
        fileByArtifactPath.forEach((path, file) -> {
            int slash = path.lastIndexOf('/');
            if (!path.substring(slash + 1).equals(file.getFileName().toString())) {
                throw new IllegalArgumentException("artifact path " + path + " must end in the file's name " + file.getFileName());
            }
            logArtifact(file, slash < 0 ? "" : path.substring(0, slash));
        });
    }

    /**
     * The task has finished writing this checkpoint: it is closed and will not change again. The
     * runner may upload it now (and register it as a model, when the task trained it), while the
     * task goes on, instead of after the task;
     * a tracker without a runner behind it ignores it.
     */
    default void checkpointWritten(Path file) {
    }

    /**
     * Sends buffered metrics now. Never blocks training on an outage: a tracker with a local spool
     * keeps what the server cannot take on disk, to be sent by a later flush.
     */
    void flush();

    /**
     * Returns once every metric logged so far, spooled ones included, has reached the server; waits
     * out an outage up to the tracker's grace period, then throws {@link TrackingException} naming
     * the spool file that keeps the points for {@code rankrepro tracking replay}.
     */
    default void awaitDelivery() {
        flush();
    }

    /** A tracker that records nothing: for unit tests and {@code --no-tracking}. */
    static RunTracker none() {
        return NoRunTracker.INSTANCE;
    }
}
