package io.rankrepro.tasks.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.rankrepro.tasks.data.PreparedData;
import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.model.SupervisedModel;
import io.rankrepro.tasks.model.TransformerConfig;
import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.Optimizer;
import io.rankrepro.tasks.optim.OptimizerKind;
import io.rankrepro.tasks.optim.WeightDecayGroups;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ResumeFolder;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code transformer/train}: trains the model its prepared data set calls for ({@link ModelFactory})
 * with Adam (paper B) or another optimizer of the optim package, per-group weight decay, linear
 * warm-up + cosine LR and optional global-norm clipping. Writes
 * {@code checkpoints/step_NNNNNNNNN.safetensors} at step 0 and log-spaced steps (names as
 * {@link io.rankrepro.tasks.model.AttentionLayout}), {@code loss.csv} and {@code model.json}.
 * Param {@code holdout_fraction} (default 0) keeps the tail of a text corpus out of training, for
 * a held-out evaluation (recorded in {@code model.json}).
 *
 * <p>Resumable: every {@code resume_every} steps (default {@value #DEFAULT_RESUME_EVERY}) it saves a
 * snapshot — parameters, optimizer state and step ({@link TrainingSnapshot}), the outputs so far —
 * after flushing the tracker; a rerun after a crash continues from the newest one that verifies,
 * replaying the data sampler, and ends with the outputs an uninterrupted run writes.
 */
public final class TrainTask implements Task {
    public static final String CHECKPOINTS = "checkpoints";
    /**
     * DJL's PyTorch engine allows one collecting GradientCollector per JVM: parallel tasks take turns
     * per step. Public so that other trainers in the same JVM (e.g. paper A's online tasks) share it.
     */
    public static final Object AUTOGRAD_LOCK = new Object();
    static final long DEFAULT_RESUME_EVERY = 500;

    @Override
    public String kind() {
        return "transformer/train";
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = new ArrayList<>();
        try {
            problems.addAll(ModelFactory.problems(p));
            long steps = p.getLong("steps");
            if (steps < 1 || steps > 100_000_000L) {
                problems.add("steps: must be in [1, 1e8], got " + steps);
            }
            int batch = p.getInt("batch_size");
            if (batch < 1 || batch > 65_536) {
                problems.add("batch_size: must be in [1, 65536], got " + batch);
            }
            if (!(p.getDouble("lr") > 0) || p.getDouble("lr") > 10) {
                problems.add("lr: must be in (0, 10], got " + p.getDouble("lr"));
            }
            if (p.getLong("warmup_steps", 0) < 0 || p.getLong("warmup_steps", 0) > steps) {
                problems.add("warmup_steps: must be in [0, steps]");
            }
            if (p.getInt("checkpoints", 20) < 1 || p.getInt("checkpoints", 20) > 1000) {
                problems.add("checkpoints: must be in [1, 1000]");
            }
            double holdout = p.getDouble("holdout_fraction", 0);
            if (!(holdout >= 0 && holdout <= 0.5)) {
                problems.add("holdout_fraction: must be in [0, 0.5] (the tail of a text corpus kept out of training), got " + holdout);
            }
            if (p.getLong("resume_every", DEFAULT_RESUME_EVERY) < 1) {
                problems.add("resume_every: must be >= 1 (steps between resume snapshots)");
            }
            if (p.getDouble("grad_clip", 0) < 0) {
                problems.add("grad_clip: must be >= 0 (0 = off)");
            }
            if (p.has("patch_size") && p.getInt("patch_size") < 1) {
                problems.add("patch_size: must be >= 1");
            }
            if (p.has("context") && (p.getInt("context") < 1 || p.getInt("context") > 65_536)) {
                problems.add("context: must be in [1, 65536]");
            }
            if (problems.isEmpty()) {
                TrainingMemory.machineBytes().flatMap(TrainingMemory.estimate(p)::problem).ifPresent(problems::add);
            }
            OptimizerKind.parse(p.getString("optimizer", "adam-l2"));
            new AdamSettings(p.getDouble("beta1", 0.9), p.getDouble("beta2", 0.999), p.getDouble("adam_eps", 1e-8));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Params p = ctx.params();
        Path dataDir = preparedInput(ctx);
        long seed = ctx.spec().seed() + p.getLong("seed_offset", 0);
        double holdout = p.getDouble("holdout_fraction", 0);
        TrainingData data = TrainingData.load(dataDir, seed + 1, holdout);
        long steps = p.getLong("steps");
        int batch = p.getInt("batch_size");
        int context = p.getInt("context", 0);
        long[] saveAt = CheckpointSchedule.logSpaced(steps, p.getInt("checkpoints", 20));
        long logEvery = Math.max(1, steps / p.getInt("loss_points", 200));
        double clip = p.getDouble("grad_clip", 0);
        Path ckptDir = Files.createDirectories(ctx.outputDir().resolve(CHECKPOINTS));

        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            SupervisedModel model = ModelFactory.create(data.manifest(), p, manager, seed);
            Map<String, NDArray> named = model.parameters().arrays();
            WeightDecayGroups groups = WeightDecayGroups.of(named, new WeightDecayGroups.Decays(
                    p.getDouble("weight_decay_attention", 0), p.getDouble("weight_decay_mlp", 0), p.getDouble("weight_decay_other", 0)));
            double lr = p.getDouble("lr");
            LrSchedule schedule = LrSchedule.warmupCosine(p.getDouble("lr_start", 0), lr,
                    p.getLong("warmup_steps", 0), steps, p.getDouble("lr_floor", 0.1));
            Optimizer optimizer = OptimizerKind.parse(p.getString("optimizer", "adam-l2")).create(groups.groups(), schedule,
                    new AdamSettings(p.getDouble("beta1", 0.9), p.getDouble("beta2", 0.999), p.getDouble("adam_eps", 1e-8)),
                    p.getDouble("momentum", 0));
            Path out = ctx.outputDir();
            var resumed = ctx.resume().restore(out); // before writing anything: it copies the outputs so far in
            long start = 0;
            if (resumed.isPresent()) {
                JniUtils.setGradMode(false); // restoring writes into the parameters
                start = TrainingSnapshot.restore(resumed.get().stateDir(), named, optimizer);
                data.skip(start, batch, context);
            }
            writeModelJson(ctx, data.manifest(), model, saveAt, holdout);
            ctx.tracker().logMetric("model.parameters", model.parameters().count(), 0);
            long resumeEvery = p.getLong("resume_every", DEFAULT_RESUME_EVERY);

            int next = 0;
            while (next < saveAt.length && saveAt[next] < start) {
                next++;
            }
            try (BufferedWriter loss = ResumeFolder.continuedLog(out.resolve("loss.csv"), resumed.isPresent(), "step,loss,lr\n")) {
                for (long step = start; step <= steps; step++) {
                    if (ctx.resume().due(step, start, steps, resumeEvery)) {
                        loss.flush();
                        ctx.tracker().flush(); // the run (or the local spool) holds every metric before the snapshot
                        // checkpoints are written once: linked into the snapshot, not copied again each time
                        ctx.resume().save(step, out, f -> f.startsWith(CHECKPOINTS + "/"), dir -> TrainingSnapshot.write(dir, named, optimizer));
                    }
                    if (next < saveAt.length && saveAt[next] == step) {
                        save(ckptDir, named, model, step);
                        next++;
                    }
                    if (step == steps) {
                        break;
                    }
                    double rate = optimizer.nextLearningRate();
                    double value = step(model, data, manager, optimizer, batch, context, clip);
                    if (!Double.isFinite(value)) {
                        throw new ArithmeticException("loss became " + value + " at step " + step + " (lr " + rate + "); lower lr or add grad_clip");
                    }
                    if (step % logEvery == 0 || step == steps - 1) {
                        loss.write(step + "," + value + "," + rate + "\n");
                        ctx.tracker().logMetric("train.loss", value, step);
                        ctx.progress().update(step + 1, steps, String.format("loss %.4f", value));
                    }
                }
            }
        }
    }

    /** One update; returns the batch loss before it. */
    private static double step(SupervisedModel model, TrainingData data, NDManager manager, Optimizer optimizer,
                               int batch, int context, double clip) {
        return AutogradStep.run(() -> {
            NDList b = data.batch(manager, batch, context);
            return model.loss(b.get(0), b.get(1));
        }, optimizer, model.parameters().arrays().values(), clip);
    }

    private static void save(Path dir, Map<String, NDArray> named, SupervisedModel model, long step) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(architecture(model));
        meta.put("step", Long.toString(step));
        writeCheckpoint(dir.resolve(CheckpointSchedule.fileName(step)), named, meta);
    }

    /** Named arrays as a float32 safetensors file in the {@link io.rankrepro.tasks.model.AttentionLayout} names, with metadata. */
    public static void writeCheckpoint(Path file, Map<String, NDArray> named, Map<String, String> meta) throws IOException {
        List<SafetensorsTensor> tensors = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : named.entrySet()) {
            float[] f = e.getValue().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(); // float64 models too
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            tensors.add(new SafetensorsTensor(e.getKey(), SafetensorsDtype.F32, e.getValue().getShape().getShape(), d));
        }
        SafetensorsWriter.write(file, tensors, meta);
    }

    static Map<String, String> architecture(SupervisedModel model) {
        return model instanceof io.rankrepro.tasks.model.VisionTransformer v ? architecture("vit", v.config().transformer())
                : architecture("gpt", ((io.rankrepro.tasks.model.CausalDecoder) model).config().transformer());
    }

    /** What {@code rank/analyze} needs to read a checkpoint of a {@code model} built from {@code t}: the layout and the head count. */
    public static Map<String, String> architecture(String model, TransformerConfig t) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("layout", "rankrepro");
        m.put("model", model);
        m.put("width", Integer.toString(t.width()));
        m.put("heads", Integer.toString(t.heads()));
        m.put("layers", Integer.toString(t.layers()));
        m.put("init_scale", Double.toString(t.initScale()));
        return m;
    }

    private static void writeModelJson(TaskContext ctx, PreparedData.Manifest data, SupervisedModel model, long[] saveAt,
                                       double holdout) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(architecture(model));
        m.put("data", data.label());
        m.put("dataset", data.dataset());
        m.put("parameters", model.parameters().count());
        m.put("checkpoint_steps", saveAt);
        m.put("holdout_fraction", holdout);
        new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValue(ctx.outputDir().resolve("model.json").toFile(), m);
    }

    /** The upstream output holding a prepared data set. */
    static Path preparedInput(TaskContext ctx) {
        for (TaskInput in : ctx.inputs()) {
            if (Files.isRegularFile(in.dir().resolve(PreparedData.MANIFEST))) {
                return in.dir();
            }
        }
        throw new IllegalStateException(ctx.taskId() + ": no upstream data/prepare output (dataset.json) among "
                + ctx.inputs().stream().map(TaskInput::taskId).toList());
    }
}
