package io.rankrepro.pipeline.exec;

import io.rankrepro.mlflow.LoggedModelRequest;
import io.rankrepro.mlflow.RunTracker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A task's checkpoints uploaded — and, for a training, registered as logged models — while it
 * runs. The task
 * announces each checkpoint once it is closed ({@link RunTracker#checkpointWritten}); one
 * background thread takes every checkpoint announced since its last turn, hashes them, uploads
 * them under the run's {@code outputs/} and registers their models, as one batch (the tracking
 * client keeps several of a batch's requests in flight: a toy training announces ~185 checkpoints
 * in a few seconds, a model being three requests), so that after the last step only what was announced late (or not at all, e.g. checkpoints
 * restored from a resume snapshot) is left for {@link CheckpointModels#register}. Before that
 * happens {@link #finish} waits for the thread and checks that every streamed file still has the
 * hash it was registered with: what MLflow holds is exactly what is published.
 *
 * <p>A task that only copies checkpoints it read ({@code checkpoint/verify}) streams the uploads
 * alone: its stream has no {@code register}, and its {@link Streamed} entries no model.
 *
 * <p>A tracking failure in the background (an outage) neither stops the training nor the task:
 * the stream stops at the first one, warns, and leaves every checkpoint it has not confirmed to
 * the registration after the task ({@link #interrupted}), which first looks up the models the
 * stream did register so that none is registered twice — the same rule as for a run continued
 * from a resume snapshot.
 */
final class CheckpointStream {

    /** A checkpoint already in MLflow: its hash when uploaded and its logged model (null: uploaded only). */
    record Streamed(String sha256, String modelId) { }

    private final Path staged;
    private final RunTracker run;
    private final BiFunction<String, String, LoggedModelRequest> request;
    private final Function<List<LoggedModelRequest>, List<String>> register;
    private final Map<String, Streamed> streamed = new ConcurrentHashMap<>();
    /** Announced, not yet taken by the thread: relative path → file. */
    private final Map<String, Path> pending = new LinkedHashMap<>();
    private final Set<String> announced = ConcurrentHashMap.newKeySet();
    private final ExecutorService thread;
    private final String taskId;
    private volatile RuntimeException failure;

    /**
     * @param taskId   the task, for the warning of an interrupted stream
     * @param staged   the task's output folder; announced files outside its checkpoints are ignored
     * @param run      the task's run, whose {@code outputs/} receive the files
     * @param request  the logged model of (file relative to {@code staged}, its sha256)
     * @param register registers models, returns their ids in order; null for a task whose
     *                 checkpoints are not models of its own (they are uploaded only)
     */
    CheckpointStream(String taskId, Path staged, RunTracker run, BiFunction<String, String, LoggedModelRequest> request,
                     Function<List<LoggedModelRequest>, List<String>> register) {
        this.taskId = taskId;
        this.staged = staged;
        this.run = run;
        this.request = request;
        this.register = register;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "checkpoint-stream");
            t.setDaemon(true); // never keeps a worker alive; finish() waits for it on every path that publishes
            return t;
        });
    }

    /** Queues one closed checkpoint for upload (and registration); returns at once. */
    void written(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path root = staged.toAbsolutePath().normalize();
        if (!abs.startsWith(root)) {
            return;
        }
        String relative = root.relativize(abs).toString().replace(abs.getFileSystem().getSeparator(), "/");
        if (CheckpointModels.checkpoints(List.of(relative)).isEmpty() || !announced.add(relative)) {
            return;
        }
        synchronized (pending) {
            pending.put(relative, abs);
        }
        thread.execute(this::sendPending);
    }

    /** One turn of the thread: everything announced since the last turn, as one batch. */
    private void sendPending() {
        Map<String, Path> batch;
        synchronized (pending) {
            batch = new LinkedHashMap<>(pending);
            pending.clear();
        }
        if (batch.isEmpty() || failure != null) {
            return; // taken by an earlier turn; or the first failure is the news, later files are left for the end
        }
        try {
            Map<String, String> sha = new LinkedHashMap<>();
            Map<String, Path> uploads = new LinkedHashMap<>();
            List<LoggedModelRequest> models = new ArrayList<>();
            for (Map.Entry<String, Path> e : batch.entrySet()) {
                sha.put(e.getKey(), Hashing.sha256(e.getValue()));
                uploads.put("outputs/" + e.getKey(), e.getValue());
                if (register != null) {
                    models.add(request.apply(e.getKey(), sha.get(e.getKey())));
                }
            }
            run.logArtifactFiles(uploads);
            List<String> ids = register == null ? null : register.apply(models);
            int i = 0;
            for (String relative : batch.keySet()) {
                streamed.put(relative, new Streamed(sha.get(relative), ids == null ? null : ids.get(i++)));
            }
        } catch (IOException e) {
            interrupt(new java.io.UncheckedIOException("cannot read checkpoint: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            interrupt(e);
        }
    }

    private void interrupt(RuntimeException e) {
        failure = e;
        System.err.println("  " + taskId + ": uploading checkpoints while it trains stopped (" + TaskRunner.message(e)
                + "); the rest are uploaded and registered after the task");
    }

    /**
     * Whether the stream stopped at a tracking failure: models of its last batch may exist without
     * being listed by {@link #finish}, so the registration after the task must look them up.
     */
    boolean interrupted() {
        return failure != null;
    }

    /**
     * Waits until every announced checkpoint is uploaded (and registered), or the stream stopped at a
     * failure; returns file → what MLflow holds of it, for the checkpoints confirmed.
     *
     * @param files the task's final outputs (relative path → sha256)
     * @throws TaskFailure a streamed file that changed after it was announced (the task broke its
     *                     promise; what MLflow holds would not be the output)
     */
    Map<String, Streamed> finish(String taskId, Map<String, String> files) throws TaskFailure {
        thread.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (thread.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true; // the uploads must end before the caller publishes or cleans up
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Map<String, Streamed> out = new LinkedHashMap<>();
        for (Map.Entry<String, Streamed> e : new java.util.TreeMap<>(streamed).entrySet()) {
            String now = files.get(e.getKey());
            if (!e.getValue().sha256().equals(now)) {
                throw new TaskFailure(taskId + ": checkpoint " + e.getKey() + " was announced as written with sha256 "
                        + e.getValue().sha256() + " but is " + (now == null ? "gone" : "now " + now)
                        + "; a task must not change a checkpoint after announcing it");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Stops the thread without waiting (the task failed: nothing of its run is kept). */
    void abandon() {
        thread.shutdownNow();
    }

    /** The task's tracker, with {@link RunTracker#checkpointWritten} feeding this stream. */
    RunTracker tracker() {
        return new RunTracker() {
            @Override
            public String runId() {
                return run.runId();
            }

            @Override
            public void logParams(Map<String, String> params) {
                run.logParams(params);
            }

            @Override
            public void setTags(Map<String, String> tags) {
                run.setTags(tags);
            }

            @Override
            public void logMetric(String key, double value, long step) {
                run.logMetric(key, value, step);
            }

            @Override
            public void linkModels(Map<Long, String> modelByStep) {
                run.linkModels(modelByStep);
            }

            @Override
            public void logArtifact(Path file, String artifactDir) {
                run.logArtifact(file, artifactDir);
            }

            @Override
            public void logArtifacts(Path dir, String artifactDir) {
                run.logArtifacts(dir, artifactDir);
            }

            @Override
            public void logArtifactFiles(Map<String, Path> fileByArtifactPath) {
                run.logArtifactFiles(fileByArtifactPath);
            }

            @Override
            public void checkpointWritten(Path file) {
                if (Files.isRegularFile(file)) {
                    written(file);
                }
            }

            @Override
            public void flush() {
                run.flush();
            }

            @Override
            public void awaitDelivery() {
                run.awaitDelivery();
            }
        };
    }
}
