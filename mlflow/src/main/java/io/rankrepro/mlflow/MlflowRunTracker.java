package io.rankrepro.mlflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunTag;

/**
 * The {@link RunTracker} of one MLflow run. Metrics are buffered and sent in {@code log-batch}
 * calls of at most 1000 — when the buffer is full, when the oldest buffered point is
 * {@value #MAX_BUFFER_AGE_MILLIS} ms old (so the UI follows a long training), on {@link #flush()}
 * and on {@link #close()}. Params and tags go out at once in batches of at most 100. Keys are
 * checked and values truncated per {@link MlflowLimits}. Thread-safe; calls are serialized.
 * Closing flushes but does not end the run: {@link MlflowTracking#endRun} does.
 */
public final class MlflowRunTracker implements RunTracker, AutoCloseable {

    static final long MAX_BUFFER_AGE_MILLIS = 10_000;

    private final String runId;
    private final RunBackend backend;
    private final LongSupplier clock;
    private final List<Metric> buffer = new ArrayList<>();
    private long oldestBuffered;

    MlflowRunTracker(String runId, RunBackend backend, LongSupplier clock) {
        this.runId = runId;
        this.backend = backend;
        this.clock = clock;
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public synchronized void logParams(Map<String, String> params) {
        List<Param> out = new ArrayList<>();
        new TreeMap<>(params).forEach((k, v) -> out.add(Param.newBuilder()
                .setKey(MlflowLimits.checkKey("param", k))
                .setValue(MlflowLimits.truncate(v, MlflowLimits.MAX_PARAM_VALUE_LENGTH)).build()));
        for (List<Param> chunk : MlflowLimits.chunks(out, MlflowLimits.MAX_PARAMS_TAGS_PER_BATCH)) {
            backend.logBatch(runId, List.of(), chunk, List.of());
        }
    }

    @Override
    public synchronized void setTags(Map<String, String> tags) {
        List<RunTag> out = new ArrayList<>();
        new TreeMap<>(tags).forEach((k, v) -> out.add(RunTag.newBuilder()
                .setKey(MlflowLimits.checkKey("tag", k))
                .setValue(MlflowLimits.truncate(v, MlflowLimits.MAX_TAG_VALUE_LENGTH)).build()));
        for (List<RunTag> chunk : MlflowLimits.chunks(out, MlflowLimits.MAX_PARAMS_TAGS_PER_BATCH)) {
            backend.logBatch(runId, List.of(), List.of(), chunk);
        }
    }

    @Override
    public synchronized void logMetric(String key, double value, long step) {
        long now = clock.getAsLong();
        Metric m = Metric.newBuilder().setKey(MlflowLimits.checkKey("metric", key))
                .setValue(value).setStep(step).setTimestamp(now).build();
        if (buffer.isEmpty()) {
            oldestBuffered = now;
        }
        buffer.add(m);
        if (buffer.size() >= MlflowLimits.MAX_METRICS_PER_BATCH || now - oldestBuffered >= MAX_BUFFER_AGE_MILLIS) {
            flush();
        }
    }

    /** Sends every buffered metric. A failed batch stays buffered, to be sent by the next flush. */
    @Override
    public synchronized void flush() {
        while (!buffer.isEmpty()) {
            List<Metric> batch = buffer.subList(0, Math.min(buffer.size(), MlflowLimits.MAX_METRICS_PER_BATCH));
            backend.logBatch(runId, List.copyOf(batch), List.of(), List.of());
            batch.clear();
        }
    }

    @Override
    public void logArtifact(Path file, String artifactDir) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a regular file: " + file);
        }
        backend.uploadArtifact(runId, file, ArtifactStore.join(artifactDir, file.getFileName().toString()));
    }

    @Override
    public void logArtifacts(Path dir, String artifactDir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a directory: " + dir);
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        for (Path f : files) {
            String relative = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
            backend.uploadArtifact(runId, f, ArtifactStore.join(artifactDir, relative));
        }
    }

    @Override
    public void close() {
        flush();
    }
}
