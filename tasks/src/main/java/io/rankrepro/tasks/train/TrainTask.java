package io.rankrepro.tasks.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.data.PreparedData;
import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.model.Pooling;
import io.rankrepro.tasks.model.SupervisedModel;
import io.rankrepro.tasks.model.TransformerConfig;
import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.Optimizer;
import io.rankrepro.tasks.optim.OptimizerKind;
import io.rankrepro.tasks.optim.WeightDecayGroups;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

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
 * warm-up + cosine LR and optional global-norm clipping. Reads the {@code prepare} stage's
 * {@link PreparedData} and writes {@code checkpoints/step_NNNNNNNNN.safetensors} at step 0 and
 * log-spaced steps (names as {@link io.rankrepro.tasks.model.AttentionLayout}), {@code loss.csv}
 * and {@code model.json}. Param {@code holdout_fraction} keeps the tail of a text corpus out of
 * training, for a held-out evaluation (recorded in {@code model.json}).
 *
 * <p>Params: {@link Config}.
 *
 * <p>Resumable: every {@code resume_every} steps (default 500) it saves a snapshot — parameters,
 * optimizer state and step ({@link TrainingSnapshot}), the outputs so far — after flushing the
 * tracker; a rerun after a crash continues from the newest one that verifies, replaying the data
 * sampler, and ends with the outputs an uninterrupted run writes.
 */
public final class TrainTask implements Task {
    public static final String CHECKPOINTS = "checkpoints";
    /**
     * DJL's PyTorch engine allows one collecting GradientCollector per JVM: parallel tasks take turns
     * per step. Public so that other trainers in the same JVM (e.g. paper A's online tasks) share it.
     */
    public static final Object AUTOGRAD_LOCK = new Object();
    static final String PREPARE = "prepare";

    /**
     * The params of a training. Model ({@link ModelFactory}): {@code width}, {@code heads},
     * {@code layers}, {@code mlp_ratio}, {@code init_scale}, {@code dtype}; ViT (image data) only:
     * {@code patch_size} (required there), {@code pooling}; GPT (text data) only: {@code context}
     * (required there), {@code tied_output}. A spec may set the other model's params too (they are
     * ignored), so one spec can train both on a swept data set.
     *
     * @param width                 model width d
     * @param heads                 attention heads per layer (d divisible by it)
     * @param layers                transformer blocks
     * @param mlpRatio              MLP hidden width / d
     * @param initScale             multiplier on every weight matrix's and embedding's initialization
     * @param dtype                 float32 (the fused optimizer kernels) or float64 (for exactness studies)
     * @param patchSize             ViT patch side; null: not set (a ViT then fails naming it)
     * @param pooling               ViT: cls | mean
     * @param context               GPT window in tokens; null: not set (a GPT then fails naming it)
     * @param tiedOutput            GPT: output projection = token embedding transposed
     * @param optimizer             sgd | adam-l2 | adamw
     * @param beta1                 Adam's β₁
     * @param beta2                 Adam's β₂
     * @param adamEps               Adam's ε
     * @param momentum              SGD's momentum
     * @param weightDecayAttention  λ of W_Q, W_K, W_V, W_O
     * @param weightDecayMlp        λ of the MLP matrices
     * @param weightDecayOther      λ of embeddings, norms and biases
     * @param lr                    peak learning rate
     * @param lrStart               learning rate at step 0 (linear warm-up from it)
     * @param warmupSteps           warm-up steps
     * @param lrFloor               the cosine's end as a fraction of lr
     * @param gradClip              global-norm clipping threshold (0 = off)
     * @param steps                 updates
     * @param batchSize             examples (images or token windows) per update
     * @param checkpoints           log-spaced checkpoints after step 0
     * @param linearCheckpoints     evenly spaced checkpoints added to the log-spaced ones (0: log only)
     * @param lossPoints            about how many loss rows {@code loss.csv} gets
     * @param resumeEvery           steps between resume snapshots
     * @param holdoutFraction       tail of a text corpus kept out of training
     * @param seedOffset            added to the experiment's seed (repetitions of one configuration)
     */
    public record Config(int width, int heads, int layers, @Default("4") int mlpRatio, @Default("1.0") double initScale,
                         @Default("float32") String dtype,
                         @Default("null") Integer patchSize, @Default("cls") String pooling,
                         @Default("null") Integer context, @Default("true") boolean tiedOutput,
                         @Default("adam-l2") String optimizer, @Default("0.9") double beta1, @Default("0.999") double beta2,
                         @Default("1e-8") double adamEps, @Default("0") double momentum,
                         @Default("0") double weightDecayAttention, @Default("0") double weightDecayMlp,
                         @Default("0") double weightDecayOther,
                         double lr, @Default("0") double lrStart, @Default("0") long warmupSteps, @Default("0.1") double lrFloor,
                         @Default("0") double gradClip,
                         long steps, int batchSize, @Default("20") int checkpoints,
                         @Default("0") int linearCheckpoints, @Default("200") int lossPoints,
                         @Default("500") long resumeEvery, @Default("0") double holdoutFraction, @Default("0") long seedOffset) {
        public Config {
            // every problem at once, each naming its parameter
            List<String> problems = new ArrayList<>(TransformerConfig.problems(width, heads, layers, mlpRatio, initScale));
            check(problems, () -> ParamCheck.require("float32".equals(dtype) || "float64".equals(dtype), "dtype",
                    "must be float32 or float64, got '" + dtype + "'"));
            check(problems, () -> ParamCheck.range("steps", steps, 1, 100_000_000L));
            check(problems, () -> ParamCheck.range("batch_size", batchSize, 1, 65_536));
            check(problems, () -> ParamCheck.positive("lr", lr, 10));
            check(problems, () -> ParamCheck.range("warmup_steps", warmupSteps, 0, steps));
            check(problems, () -> ParamCheck.range("checkpoints", checkpoints, 1, 1000));
            check(problems, () -> ParamCheck.range("linear_checkpoints", linearCheckpoints, 0, 1000));
            check(problems, () -> ParamCheck.require(lossPoints >= 1, "loss_points", "must be >= 1, got " + lossPoints));
            check(problems, () -> ParamCheck.require(holdoutFraction >= 0 && holdoutFraction <= 0.5, "holdout_fraction",
                    "must be in [0, 0.5] (the tail of a text corpus kept out of training), got " + holdoutFraction));
            check(problems, () -> ParamCheck.require(resumeEvery >= 1, "resume_every", "must be >= 1 (steps between resume snapshots)"));
            check(problems, () -> ParamCheck.require(gradClip >= 0, "grad_clip", "must be >= 0 (0 = off)"));
            check(problems, () -> ParamCheck.require(patchSize == null || patchSize >= 1, "patch_size", "must be >= 1"));
            check(problems, () -> ParamCheck.require(context == null || (context >= 1 && context <= 65_536), "context",
                    "must be in [1, 65536]"));
            check(problems, () -> ParamCheck.require(pooling != null, "pooling", "must be cls or mean"));
            check(problems, () -> {
                if (pooling != null) {
                    try {
                        Pooling.parse(pooling);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("pooling: " + e.getMessage(), e);
                    }
                }
            });
            check(problems, () -> {
                try {
                    OptimizerKind.parse(optimizer);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("optimizer: " + e.getMessage(), e);
                }
            });
            check(problems, () -> ParamCheck.require(beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1), got " + beta1));
            check(problems, () -> ParamCheck.require(beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1), got " + beta2));
            check(problems, () -> ParamCheck.require(adamEps > 0 && Double.isFinite(adamEps), "adam_eps",
                    "must be finite and > 0, got " + adamEps));
            check(problems, () -> ParamCheck.require(lrStart >= 0 && Double.isFinite(lrStart), "lr_start",
                    "must be finite and >= 0, got " + lrStart));
            check(problems, () -> ParamCheck.range("lr_floor", lrFloor, 0, 1));
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
        }

        /** Runs one check, adding its message to {@code problems} instead of stopping at the first. */
        private static void check(List<String> problems, Runnable check) {
            try {
                check.run();
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(PREPARE, PreparedData.MANIFEST, PreparedData.IMAGES, PreparedData.TOKENS)
            .writes(CHECKPOINTS + "/*.safetensors", "loss.csv", "model.json")
            .build();

    @Override
    public String kind() {
        return "transformer/train";
    }

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    /** The memory of the model and batch: params alone do not tell whether it fits; the device chosen for the run does. */
    @Override
    public java.util.OptionalLong memoryBytes(Map<String, Object> params) {
        return java.util.OptionalLong.of(TrainingMemory.estimate(io.rankrepro.tasks.task.ParamsBinding.bind(Config.class, params)).bytes());
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        io.rankrepro.tasks.task.ComputeDevice device = io.rankrepro.tasks.task.ComputeDevice.current();
        var tooBig = TrainingMemory.estimate(c).problem(device.memoryBytes(), device.where());
        if (tooBig.isPresent()) { // `rankrepro run` refused it already; a lone `rankrepro task` or an Airflow task is told here
            throw new IllegalArgumentException(tooBig.get());
        }
        Path dataDir = ctx.input(PREPARE).dir();
        long seed = ctx.spec().seed() + c.seedOffset();
        double holdout = c.holdoutFraction();
        TrainingData data = TrainingData.load(dataDir, seed + 1, holdout);
        long steps = c.steps();
        int batch = c.batchSize();
        long[] saveAt = CheckpointSchedule.linearAndLog(steps, c.checkpoints(), c.linearCheckpoints());
        long logEvery = Math.max(1, steps / c.lossPoints());
        double clip = c.gradClip();
        Path ckptDir = Files.createDirectories(ctx.outputDir().resolve(CHECKPOINTS));

        try (NDManager manager = io.rankrepro.tasks.task.ComputeDevice.current().newManager()) {
            SupervisedModel model = ModelFactory.create(data.manifest(), c, manager, seed);
            int context = ModelFactory.window(model); // token windows of a GPT; images have none
            Map<String, NDArray> named = model.parameters().arrays();
            WeightDecayGroups groups = WeightDecayGroups.of(named, new WeightDecayGroups.Decays(
                    c.weightDecayAttention(), c.weightDecayMlp(), c.weightDecayOther()));
            LrSchedule schedule = LrSchedule.warmupCosine(c.lrStart(), c.lr(), c.warmupSteps(), steps, c.lrFloor());
            Optimizer optimizer = OptimizerKind.parse(c.optimizer()).create(groups.groups(), schedule,
                    new AdamSettings(c.beta1(), c.beta2(), c.adamEps()), c.momentum());
            Path out = ctx.outputDir();
            var resumed = ctx.resume().restore(out); // before writing anything: it copies the outputs so far in
            long start = 0;
            if (resumed.isPresent()) {
                JniUtils.setGradMode(false); // restoring writes into the parameters
                start = TrainingSnapshot.restore(resumed.get().stateDir(), named, optimizer);
                data.skip(start, batch, context);
            }
            writeModelJson(ctx, data.manifest(), model, saveAt, holdout);
            ctx.tracker().logMetric("model/parameters", model.parameters().count(), 0);
            long resumeEvery = c.resumeEvery();

            int next = 0;
            while (next < saveAt.length && saveAt[next] < start) {
                next++;
            }
            try (Table.Writer loss = Table.continued(out.resolve("loss.csv"), resumed.isPresent(), "step", "loss", "lr")) {
                for (long step = start; step <= steps; step++) {
                    if (ctx.resume().due(step, start, steps, resumeEvery)) {
                        loss.flush();
                        ctx.tracker().flush(); // the run (or the local spool) holds every metric before the snapshot
                        // checkpoints are written once: linked into the snapshot, not copied again each time
                        ctx.resume().save(step, out, f -> f.startsWith(CHECKPOINTS + "/"), dir -> TrainingSnapshot.write(dir, named, optimizer));
                    }
                    if (next < saveAt.length && saveAt[next] == step) {
                        save(ckptDir, named, model, step, ctx.tracker());
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
                        loss.row(step, value, rate);
                        ctx.tracker().logMetric("train/loss", value, step);
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

    private static void save(Path dir, Map<String, NDArray> named, SupervisedModel model, long step, RunTracker tracker)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(architecture(model));
        meta.put("step", Long.toString(step));
        Path file = dir.resolve(CheckpointSchedule.fileName(step));
        writeCheckpoint(file, named, meta);
        tracker.checkpointWritten(file);
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
}
