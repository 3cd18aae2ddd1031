package io.rankrepro.pipeline.exec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rankrepro.mlflow.MlflowLimits;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.mlflow.SystemMetrics;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedInput;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.ResumeFolder;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.task.TaskKinds;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs one planned task the same way wherever it runs (in the executor's JVM, in a container, under
 * Airflow): checks its upstream outputs, runs it in a staging folder under its own tracking run,
 * hashes and uploads what it wrote, then publishes the folder atomically.
 */
public final class TaskRunner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final TaskKinds kinds;
    private final OutputStore store;
    private final SharedStore shared;
    private final Tracking tracking;
    private final KindCodeSource code;
    private final Map<String, String> systemTags;
    private final Function<String, Progress> progress;

    public TaskRunner(TaskKinds kinds, OutputStore store, Tracking tracking, KindCodeSource code,
                      Map<String, String> systemTags, Function<String, Progress> progress) {
        this(kinds, SharedStore.off(store), tracking, code, systemTags, progress);
    }

    /** @param shared the work folder's store, backed by the shared store when that is on */
    public TaskRunner(TaskKinds kinds, SharedStore shared, Tracking tracking, KindCodeSource code,
                      Map<String, String> systemTags, Function<String, Progress> progress) {
        this.kinds = kinds;
        this.store = shared.local();
        this.shared = shared;
        this.tracking = tracking;
        this.code = code;
        this.systemTags = Map.copyOf(systemTags);
        this.progress = progress;
    }

    /**
     * A task's output after {@link #runLocked}: computed here, published meanwhile by another run
     * ({@code reused}), or fetched from the shared store ({@code fetched}, else null).
     */
    public record Result(OutputStore.Verification output, boolean reused, SharedStore.Fetched fetched) {
        public Result(OutputStore.Verification output, boolean reused) {
            this(output, reused, null);
        }
    }

    /**
     * {@link #run} under the task key's {@link TaskLock}, so that two runs on one work folder compute
     * a task once: whoever gets the lock second finds the output published and reuses it (unless
     * {@code force}). The lock is held by the process that publishes, so the orphaned task of a
     * killed run is waited for until it stops; its lock then goes with it. Under the lock, a key
     * not published locally is first looked for in the shared store (when on, and not {@code force}).
     */
    public Result runLocked(Plan plan, PlannedTask task, TaskKeys keys, String parentRunId, String runId, boolean force)
            throws TaskFailure {
        String key = keys.key(task.id());
        java.util.function.Consumer<String> say = msg -> System.out.println("  " + task.id() + ": " + msg);
        try (TaskLock lock = TaskLock.acquire(store.lockFile(key), say)) {
            OutputStore.Verification existing = store.verify(key);
            if (existing.ok() && !force) {
                return new Result(existing, true);
            }
            if (!force) {
                java.util.Optional<SharedStore.Fetched> fetched = shared.fetch(key, task.id(), say);
                if (fetched.isPresent()) {
                    return new Result(fetched.get().output(), false, fetched.get());
                }
            }
            return new Result(run(plan, task, keys, parentRunId, runId), false);
        } catch (IOException e) {
            throw new TaskFailure(task.id() + ": cannot lock " + store.lockFile(key) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskFailure(task.id() + " interrupted while waiting for its lock", e);
        }
    }

    /**
     * @param parentRunId the DAG run's tracking run (may be null)
     * @param runId       a run already created for this task (may be null: one is started here)
     * @return the published, verified output
     */
    public OutputStore.Verification run(Plan plan, PlannedTask task, TaskKeys keys,
                                        String parentRunId, String runId) throws TaskFailure {
        Task impl = kinds.find(task.kind()).orElseThrow(() -> new TaskFailure("unknown task kind '" + task.kind() + "'"));
        String key = keys.key(task.id());
        String codeVersion = keys.materials().get(task.id()).code();
        Path view = null;
        List<TaskInput> inputs = new ArrayList<>();
        List<TaskDescriptor.Input> read = new ArrayList<>();
        try {
            view = store.stageInputs(key);
            for (PlannedInput in : task.inputs()) {
                for (String producer : in.producers()) {
                    // on another machine than the producer's, the input may be only in the shared store
                    OutputStore.Verification v = shared.verifyOrFetch(keys.key(producer), producer,
                            msg -> System.out.println("  " + task.id() + ": input " + producer + ": " + msg));
                    if (!v.ok()) {
                        throw new TaskFailure(task.id() + " needs the output of " + producer + ", which is not available ("
                                + v.reason() + "); run the whole DAG with `rankrepro run`");
                    }
                    PlannedTask up = plan.task(producer);
                    Map<String, String> files = InputView.select(v.record().files(), in);
                    Path dir = InputView.link(v.dir(), files.keySet(), view.resolve(Integer.toString(read.size())));
                    inputs.add(new TaskInput(up.id(), up.stage(), up.sweepPoint(), dir));
                    read.add(new TaskDescriptor.Input(up.stage(), up.id(), up.sweepPoint(), keys.key(producer),
                            v.record().mlflowRunId(), files));
                }
            }
        } catch (IOException e) {
            deleteQuietly(view);
            throw new TaskFailure(task.id() + ": cannot lay out its inputs under " + view + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            deleteQuietly(view);
            Thread.currentThread().interrupt();
            throw new TaskFailure(task.id() + " interrupted while fetching its inputs", e);
        } catch (TaskFailure e) {
            deleteQuietly(view);
            throw e;
        }
        Map<String, String> tags = new LinkedHashMap<>(systemTags);
        tags.put("rankrepro.task", task.id());
        tags.put("rankrepro.stage", task.stage());
        tags.put("rankrepro.kind", task.kind());
        tags.put("rankrepro.key", key);
        tags.put("rankrepro.code_version", codeVersion);
        tags.put("rankrepro.profile", plan.info().profile());
        tags.put("rankrepro.seed", Long.toString(plan.info().seed()));
        tags.put("rankrepro.spec_sha256", plan.spec().sha256());
        for (String up : task.upstream()) {
            tags.put(MlflowLimits.safeKey("rankrepro.upstream." + up), keys.key(up));
        }
        ResumeFolder resume = new ResumeFolder(store.resumeDir(key), msg -> System.out.println("  " + task.id() + ": " + msg));
        RunTracker tracker = openRun(plan, task, key, tags, parentRunId, runId, resume);
        // continuing the run of a resume snapshot: its earlier attempt may have registered checkpoints
        boolean continued = tracking.enabled() && tracker.runId() != null && resume.hasSnapshots();
        Path staged = null;
        CheckpointStream stream = null;
        long start = System.nanoTime();
        boolean success = false;
        try {
            staged = store.stage(key);
            tracker.logParams(stageParams(task));
            recordLineage(plan, task, keys, read, inputs, tracker);
            RunTracker taskTracker = tracker;
            if (tracking.enabled() && !continued && tracker.runId() != null) {
                Path out = staged;
                String run = tracker.runId();
                Map<String, String> params = stageParams(task);
                // a training's checkpoints become models; copies of checkpoints it read are uploaded only
                stream = new CheckpointStream(task.id(), staged, tracker,
                        (file, sha) -> CheckpointModels.request(task, key, run, file, sha, out, params),
                        CheckpointModels.registers(run, read) ? models -> tracking.logModels(plan.spec().id(), models) : null);
                taskTracker = stream.tracker();
            }
            TaskContext ctx = new TaskContext(task.id(), task.stage(), plan.info(), task.params(), task.sweepPoint(),
                    inputs, staged, taskTracker, progress.apply(task.id()), resume);
            try (SystemMetrics sampling = sampleSystem(task, tracker)) {
                impl.run(ctx);
            } catch (Exception e) {
                throw new TaskFailure(task.id() + " (" + task.kind() + ") failed: " + message(e), e);
            }
            // every metric on the server (an outage is waited out, up to its grace) before the run is closed
            tracker.awaitDelivery();
            Map<String, String> files = OutputStore.hashFiles(staged);
            checkDeclared(impl, task, files.keySet());
            // the task's own time ends here: waiting for the stream below is tracking, as the upload is
            double wall = (System.nanoTime() - start) / 1e9;
            Map<String, String> streamed = new LinkedHashMap<>(); // checkpoint → its model, already in MLflow
            Set<String> uploaded = new HashSet<>(); // checkpoints already under outputs/
            boolean lookUpModels = continued; // models may exist that no one here has the id of
            if (stream != null) {
                stream.finish(task.id(), files).forEach((file, s) -> {
                    uploaded.add(file);
                    if (s.modelId() != null) {
                        streamed.put(file, s.modelId());
                    }
                });
                lookUpModels |= stream.interrupted();
                stream = null;
            }
            TaskRecord record = new TaskRecord(key, task.id(), task.kind(), task.params().asMap(), files, codeVersion,
                    tracker.runId(), Instant.now().toString(), wall, keys.materials().get(task.id()), code.classes(task.kind()));
            if (tracking.enabled()) {
                upload(plan, task, keys, codeVersion, read, record, staged, tracker, uploaded);
                tracker.setTags(CheckpointModels.register(tracking, plan, task, key, tracker.runId(), files, read, staged,
                        stageParams(task), streamed, lookUpModels));
                tracker.setTags(Map.of("rankrepro.outputs_sha256", Hashing.ofFiles(files),
                        "rankrepro.wall_seconds", String.format("%.3f", wall)));
            }
            tracker.flush();
            store.publish(staged, record);
            staged = null;
            store.remember(plan.spec().id(), plan.info().profile(), task.id(), key);
            OutputStore.deleteTree(store.resumeDir(key)); // published: nothing left to resume
            success = true;
            return store.verify(key);
        } catch (IOException e) {
            throw new TaskFailure(task.id() + ": cannot write outputs under " + store.dir(key).getParent() + ": " + e.getMessage(), e);
        } finally {
            if (stream != null) {
                stream.abandon();
            }
            deleteQuietly(view);
            if (staged != null) {
                try {
                    OutputStore.deleteTree(staged);
                } catch (IOException ignored) {
                    // Left for cleanAbandoned(); never accepted as an output.
                }
            }
            if (tracker.runId() != null) {
                try {
                    tracker.flush();
                    tracking.endRun(tracker.runId(), success);
                } catch (RuntimeException e) {
                    if (success) {
                        throw e;
                    }
                    // the task's own failure is the news; this must not hide it
                    System.err.println("  " + task.id() + ": could not mark run " + tracker.runId() + " failed: " + message(e));
                }
            }
        }
    }

    /**
     * The task's tracking run. A rerun that finds resume snapshots continues the run recorded with
     * them — it holds the metrics up to the snapshot, and the tracker skips (key, step) pairs it
     * already has — so the history has no gap and no duplicate. Without such a run (it was not
     * recorded, or this server does not know it) the snapshots are dropped and the task starts over
     * in a new run, since resuming into it would leave a gap. Untracked reruns resume freely.
     */
    private RunTracker openRun(Plan plan, PlannedTask task, String key, Map<String, String> tags, String parentRunId,
                               String runId, ResumeFolder resume) throws TaskFailure {
        Path dir = store.resumeDir(key);
        Path runFile = dir.resolve("run-id");
        String recorded = null;
        try {
            recorded = java.nio.file.Files.exists(runFile) ? java.nio.file.Files.readString(runFile).strip() : null;
        } catch (IOException e) {
            recorded = null;
        }
        RunTracker tracker = null;
        if (resume.hasSnapshots() && tracking.enabled()) {
            String continueRun = runId != null ? (runId.equals(recorded) ? runId : null) : recorded;
            if (continueRun != null) {
                try {
                    tracker = tracking.attach(continueRun);
                    Map<String, String> resumed = new LinkedHashMap<>(tags);
                    resumed.put("rankrepro.resumed", "true");
                    if (parentRunId != null) {
                        resumed.put("rankrepro.resumed_in", parentRunId);
                    }
                    tracker.setTags(resumed);
                    System.out.println("  " + task.id() + ": continuing tracking run " + continueRun + " from its resume snapshot");
                } catch (RuntimeException e) {
                    System.out.println("  " + task.id() + ": run " + continueRun + " of the resume snapshot is not available ("
                            + message(e) + "); starting over");
                    tracker = null;
                }
            }
            if (tracker == null) {
                try {
                    OutputStore.deleteTree(dir);
                } catch (IOException e) {
                    throw new TaskFailure(task.id() + ": cannot clear the resume folder " + dir + ": " + e.getMessage(), e);
                }
            }
        }
        if (tracker == null) {
            tracker = runId != null ? tracking.attach(runId) : tracking.startRun(plan.spec().id(), task.id(), parentRunId, tags);
            if (runId != null) {
                tracker.setTags(tags);
            }
        }
        if (tracker.runId() != null) {
            try {
                java.nio.file.Files.createDirectories(dir);
                Path tmp = dir.resolve("run-id.tmp");
                java.nio.file.Files.writeString(tmp, tracker.runId());
                java.nio.file.Files.move(tmp, runFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new TaskFailure(task.id() + ": cannot record its run in " + dir + ": " + e.getMessage(), e);
            }
        }
        return tracker;
    }

    /**
     * Outputs under outputs/ (but those in {@code uploaded}, streamed while the task ran) with their manifest (so another machine can fetch and verify them as
     * its own work folder's, {@link SharedStore}), and the replay descriptor, which names the runs
     * that computed the inputs.
     */
    private void upload(Plan plan, PlannedTask task, TaskKeys keys, String codeVersion, List<TaskDescriptor.Input> read,
                        TaskRecord record, Path staged, RunTracker tracker, Set<String> uploaded) throws IOException {
        TaskDescriptor descriptor = new TaskDescriptor(task.id(), task.stage(), task.kind(), task.params().asMap(),
                task.sweepPoint(), plan.info(), keys.key(task.id()), codeVersion, read, record.files());
        Path descriptorDir = staged.getParent().resolve(staged.getFileName() + ".descriptor");
        java.nio.file.Files.createDirectories(descriptorDir);
        try {
            Path file = descriptorDir.resolve(TaskDescriptor.FILE_NAME);
            JSON.writeValue(file.toFile(), descriptor);
            tracker.logArtifact(file, "");
            tracker.logArtifacts(staged, "outputs", uploaded);
            Path manifest = descriptorDir.resolve(OutputStore.MANIFEST);
            OutputStore.writeManifest(manifest, record);
            tracker.logArtifact(manifest, "outputs");
        } finally {
            OutputStore.deleteTree(descriptorDir);
        }
    }

    /** The task's resolved params as the run's params, named {@code <stage>.<param>} like a spec's {@code --set}. */
    static Map<String, String> stageParams(PlannedTask task) {
        Map<String, String> params = new LinkedHashMap<>();
        task.params().asMap().forEach((k, v) -> params.put(task.stage() + "." + k, String.valueOf(v)));
        return params;
    }

    /**
     * What MLflow shows of a task's lineage: the datasets it reads (Datasets column) and, for a task
     * that measures one training's checkpoints, the link from its rank metrics to their logged models.
     */
    private void recordLineage(Plan plan, PlannedTask task, TaskKeys keys, List<TaskDescriptor.Input> read,
                               List<TaskInput> inputs, RunTracker tracker) {
        if (!tracking.enabled() || tracker.runId() == null) {
            return;
        }
        tracking.logInputs(tracker.runId(), DatasetInputs.of(plan, task, keys.materials().get(task.id()).external(), read,
                inputs.stream().map(TaskInput::dir).toList()));
        tracker.linkModels(CheckpointModels.measured(tracking, plan, task, keys, store));
    }

    /** MLflow's system metrics on the task's run while it computes (settings: {@link SystemMetrics.Settings#fromEnv}). */
    private static SystemMetrics sampleSystem(PlannedTask task, RunTracker tracker) throws TaskFailure {
        try {
            return SystemMetrics.start(tracker, SystemMetrics.Settings.fromEnv(System.getenv()));
        } catch (IllegalArgumentException e) {
            throw new TaskFailure(task.id() + ": " + e.getMessage(), e);
        }
    }

    /** A kind with a contract writes only what it declares: an undeclared file would reach no reader. */
    static void checkDeclared(Task impl, PlannedTask task, java.util.Collection<String> written) throws TaskFailure {
        Contract contract = impl.contract();
        List<String> undeclared = written.stream().filter(f -> !contract.writes(f)).sorted().toList();
        if (!undeclared.isEmpty()) {
            throw new TaskFailure(task.id() + " (" + task.kind() + ") wrote " + undeclared + ", which its contract does not declare"
                    + " (it declares " + contract.outputs() + ")");
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir != null) {
            try {
                OutputStore.deleteTree(dir);
            } catch (IOException ignored) {
                // a staging folder: cleanAbandoned() removes it later, and no run reads it
            }
        }
    }

    public static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
