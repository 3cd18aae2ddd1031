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
