package io.rankrepro.mlflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RunTracker} of one MLflow run. Metrics are buffered and sent in {@code log-batch}
 * calls of at most 1000 — when the buffer is full, when the oldest buffered point is
 * {@value #MAX_BUFFER_AGE_MILLIS} ms old (so the UI follows a long training), on {@link #flush()}
 * and on {@link #close()}. Params and tags go out at once in batches of at most 100. Keys are
 * checked and values truncated per {@link MlflowLimits}. Thread-safe; calls are serialized.
 * Closing flushes but does not end the run: {@link MlflowTracking#endRun} does.
 *
 * <p>With a {@link MetricSpool}, an unreachable server does not stop training: a batch that fails
 * goes to the spool (fsync'd), so do all later points until the spool has been replayed in order
 * (tried at most every {@value #RETRY_MILLIS} ms). {@link #awaitDelivery()} waits out an outage up
 * to the grace period. Points whose (key, step) the run already holds on the server are dropped —
 * when resuming a run, and when replaying — so a history never gets a step twice.
 */
public final class MlflowRunTracker implements RunTracker, AutoCloseable {

    static final long MAX_BUFFER_AGE_MILLIS = 10_000;
    static final long RETRY_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(MlflowRunTracker.class);

    private final String runId;
    private final RunBackend backend;
    private final LongSupplier clock;
    private final MetricSpool spool;
    private final long graceMillis;
    private final List<Metric> buffer = new ArrayList<>();
    private final Map<String, Set<Long>> logged = new HashMap<>();
    private Map<Long, String> modelByStep = Map.of();
    private long oldestBuffered;
    private long outageSince = -1;
    private long lastReplay = Long.MIN_VALUE / 2;

    MlflowRunTracker(String runId, RunBackend backend, LongSupplier clock) {
        this(runId, backend, clock, null, 0);
    }

    /** @param spool where undeliverable points wait (null: a failed batch stays buffered and the call throws) */
    MlflowRunTracker(String runId, RunBackend backend, LongSupplier clock, MetricSpool spool, long graceMillis) {
        this.runId = runId;
        this.backend = backend;
        this.clock = clock;
        this.spool = spool;
        this.graceMillis = graceMillis;
    }

    /** Learns which (key, step) the run already holds, so that a resumed task does not log them again. */
    synchronized void skipLogged() {
        backend.loggedSteps(runId).forEach((k, steps) -> logged.computeIfAbsent(k, x -> new HashSet<>()).addAll(steps));
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public synchronized void linkModels(Map<Long, String> modelByStep) {
        this.modelByStep = Map.copyOf(modelByStep);
    }

    /** The logged model a point belongs to, or null (only checkpoint measurements are linked). */
    private String modelOf(Metric m) {
        return m.getKey().startsWith("rank/") || m.getKey().startsWith("balance/") ? modelByStep.get(m.getStep()) : null;
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
        Set<Long> done = logged.get(key);
        if (done != null && done.contains(step)) {
            return;
        }
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

    /**
     * Sends every buffered metric. Without a spool a failed batch stays buffered, to be sent by the
     * next flush; with one it goes to the spool, and so does everything after it until replayed.
     */
    @Override
    public synchronized void flush() {
        if (spool != null && (outageSince >= 0 || spool.exists())) {
            spool.append(buffer); // behind what is already spooled: order is kept
            buffer.clear();
            replay(false);
            return;
        }
        try {
            if (!modelByStep.isEmpty()) {
                sendLinked();
            }
            while (!buffer.isEmpty()) {
                List<Metric> batch = buffer.subList(0, Math.min(buffer.size(), MlflowLimits.MAX_METRICS_PER_BATCH));
                backend.logBatch(runId, List.copyOf(batch), List.of(), List.of());
                batch.clear();
            }
        } catch (TrackingException e) {
            if (spool == null) {
                throw e;
            }
            outageSince = clock.getAsLong();
            lastReplay = outageSince;
            spool.append(buffer);
            LOG.warn("tracking unreachable ({}); {} metric points of run {} spooled to {}, training goes on",
                    e.getMessage(), buffer.size(), runId, spool.file());
            buffer.clear();
        }
    }

    /** Sends the buffered points that belong to logged models, every model's in the same batches; they leave the buffer once sent. */
    private void sendLinked() {
        Map<String, List<Metric>> byModel = new TreeMap<>();
        for (Metric m : buffer) {
            String model = modelOf(m);
            if (model != null) {
                byModel.computeIfAbsent(model, k -> new ArrayList<>()).add(m);
            }
        }
        if (byModel.isEmpty()) {
            return;
        }
        backend.logModelMetrics(runId, byModel);
        Set<Metric> sent = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        byModel.values().forEach(sent::addAll);
        buffer.removeIf(sent::contains);
    }

    @Override
    public synchronized void awaitDelivery() {
        flush();
        while (spool != null && spool.exists()) {
            if (replay(true)) {
                return;
            }
            long now = clock.getAsLong();
            if (outageSince < 0) {
                outageSince = now;
            }
            if (now - outageSince >= graceMillis) {
                throw new TrackingException(backend.where() + " has been unreachable for " + (now - outageSince) / 1000
                        + " s; " + spool.pending().size() + " metric points of run " + runId + " are kept in " + spool.file()
                        + "; once the server is back, send them with `rankrepro tracking replay --spool-dir "
                        + spool.file().getParent() + "`");
            }
            try {
                Thread.sleep(Math.min(RETRY_MILLIS, Math.max(1, graceMillis - (now - outageSince))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrackingException("interrupted while waiting for the tracking server; points kept in " + spool.file(), e);
            }
        }
    }

    /**
     * Sends the spool in order, skipping (key, step) the server already has (a batch whose answer was
     * lost may have landed). Rate-limited unless {@code force}. True when the spool is empty.
     */
    private boolean replay(boolean force) {
        long now = clock.getAsLong();
        if (!force && now - lastReplay < RETRY_MILLIS) {
            return false;
        }
        lastReplay = now;
        try {
            List<Metric> pending = spool.pending();
            Map<String, Set<Long>> onServer = pending.isEmpty() ? Map.of() : backend.loggedSteps(runId);
            for (List<Metric> chunk : MlflowLimits.chunks(pending, MlflowLimits.MAX_METRICS_PER_BATCH)) {
                List<Metric> fresh = chunk.stream()
                        .filter(m -> !onServer.getOrDefault(m.getKey(), Set.of()).contains(m.getStep())).toList();
                if (!fresh.isEmpty()) {
                    backend.logBatch(runId, fresh, List.of(), List.of());
                }
                spool.delivered(chunk.size());
            }
            if (outageSince >= 0) {
                LOG.warn("tracking reachable again: replayed {} spooled metric points of run {}", pending.size(), runId);
            }
            outageSince = -1;
            return true;
        } catch (TrackingException e) {
            if (outageSince < 0) {
                outageSince = now;
            }
            return false;
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
        logArtifacts(dir, artifactDir, Set.of());
    }

    @Override
    public void logArtifactFiles(Map<String, Path> fileByArtifactPath) {
        fileByArtifactPath.values().forEach(f -> {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("not a regular file: " + f);
            }
        });
        backend.uploadArtifacts(runId, fileByArtifactPath); // several in flight at once against a server
    }

    @Override
    public void close() {
        flush();
    }
}
