package io.rankrepro.tasks.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.mlflow.MlflowRunTracker;
import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.data.PrepareTask;
import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.model.SupervisedModel;
import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.GradientClipping;
import io.rankrepro.tasks.optim.GradientSource;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.Optimizer;
import io.rankrepro.tasks.optim.OptimizerKind;
import io.rankrepro.tasks.optim.WeightDecayGroups;
import io.rankrepro.tasks.rank.AnalyzeTask;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.toy.DiagonalHeadTrainer;
import io.rankrepro.tasks.toy.DiagonalHeadWeights;
import io.rankrepro.tasks.toy.ToyDataset;
import io.rankrepro.tasks.toy.TrainingObserver;
import io.rankrepro.tasks.train.AutogradStep;
import io.rankrepro.tasks.train.TrainTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Java side of {@code make bench} (bench/bench.mk runs it; the Python side is bench/python/).
 * Not a test: prints and writes JSON. Commands:
 * <pre>
 *   export       DIR [MODEL...]                    init weights + a fixed batch (safetensors) and DJL's losses (losses.json)
 *   train-step   MODEL THREADS WARMUP STEPS OUT    per-step wall times of one training step (toy | vit | gpt)
 *   optim-step   MODEL THREADS STEPS OUT           the optimizer part of a step alone (clip + Adam on fixed gradients): before/after checks
 *   rank         CHECKPOINT REPEATS OUT            rank/analyze (AnalyzeTask, standalone checkpoint) wall times
 *   mlflow-share URI STEPS OUT                     transformer/train (fig3 cpu ViT) with a timed real MLflow tracker vs none
 * </pre>
 */
public final class BenchMain {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchMain() { }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "export" -> export(Path.of(args[1]), args.length > 2 ? List.of(args).subList(2, args.length) : List.of("toy", "vit", "gpt"));
            case "train-step" -> trainStep(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Path.of(args[5]));
            case "optim-step" -> optimStep(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
            case "rank" -> rank(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            case "mlflow-share" -> mlflowShare(args[1], Long.parseLong(args[2]), Path.of(args[3]));
            case "system-metrics" -> systemMetricsShare(Long.parseLong(args[1]), List.of(args[2].split(",")), Path.of(args[3]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    // ---- export: the same weights and batch for the PyTorch references ----

    static void export(Path dir, List<String> models) throws Exception {
        Files.createDirectories(dir);
        Map<String, Object> losses = new LinkedHashMap<>();
        if (models.contains("toy")) {
            losses.put("toy", exportToy(dir));
        }
        for (String model : models.stream().filter(m -> !m.equals("toy")).toList()) {
            Map<String, Object> byType = new LinkedHashMap<>();
            for (DataType dtype : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
                byType.put(dtype == DataType.FLOAT32 ? "float32" : "float64", exportModel(dir, model, dtype));
            }
            losses.put(model, byType);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("losses.json").toFile(), losses);
        System.out.println("exported to " + dir + ": " + losses);
    }

    /** Toy head: data, weights and the loss at steps 0..10 of DiagonalHeadTrainer (float64 GD). */
    private static Map<String, Object> exportToy(Path dir) throws IOException {
        ToyDataset data = BenchModels.toyData();
        DiagonalHeadWeights w = BenchModels.toyWeights(data.dim(), 1);
        long[] shape = {data.samples(), data.tokens(), data.dim()};
        SafetensorsWriter.write(dir.resolve("toy.safetensors"), List.of(
                new SafetensorsTensor("x", SafetensorsDtype.F64, shape, data.x()),
                new SafetensorsTensor("y", SafetensorsDtype.F64, shape, data.y()),
                new SafetensorsTensor("w_k", SafetensorsDtype.F64, new long[] {data.dim()}, w.wK()),
                new SafetensorsTensor("w_q", SafetensorsDtype.F64, new long[] {data.dim()}, w.wQ()),
                new SafetensorsTensor("w_v", SafetensorsDtype.F64, new long[] {data.dim()}, w.wV()),
                new SafetensorsTensor("w_o", SafetensorsDtype.F64, new long[] {data.dim()}, w.wO())), Map.of("lr", Double.toString(BenchModels.TOY_LR)));
        List<Double> trajectory = new ArrayList<>();
        DiagonalHeadTrainer.train(data, w, new DiagonalHeadTrainer.Config(BenchModels.TOY_LR, 10, 1, new long[0]), observer(trajectory));
        return Map.of("float64", Map.of("loss", trajectory.get(0), "trajectory", trajectory));
    }

    /** A ViT/GPT: its parameters, one batch (as __x, __y), the loss, and the losses after 3 steps of constant-lr Adam + clip. */
    private static Map<String, Object> exportModel(Path dir, String model, DataType dtype) throws IOException {
        String suffix = dtype == DataType.FLOAT32 ? "f32" : "f64";
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            SupervisedModel m = BenchModels.create(model, manager, dtype, 7);
            NDList batch = BenchModels.batch(model, manager, new Random(11), dtype);
            List<SafetensorsTensor> tensors = new ArrayList<>();
            SafetensorsDtype st = dtype == DataType.FLOAT32 ? SafetensorsDtype.F32 : SafetensorsDtype.F64;
            for (Map.Entry<String, NDArray> e : m.parameters().arrays().entrySet()) {
                tensors.add(new SafetensorsTensor(e.getKey(), st, e.getValue().getShape().getShape(), doubles(e.getValue())));
            }
            tensors.add(new SafetensorsTensor("__x", SafetensorsDtype.F64, batch.get(0).getShape().getShape(), doubles(batch.get(0))));
            tensors.add(new SafetensorsTensor("__y", SafetensorsDtype.F64, batch.get(1).getShape().getShape(), doubles(batch.get(1))));
            SafetensorsWriter.write(dir.resolve(model + "_" + suffix + ".safetensors"), tensors, Map.of("model", model));
            Optimizer optimizer = optimizer(m, LrSchedule.constant(BenchModels.LR));
            List<Double> trajectory = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                trajectory.add(step(m, () -> batch, optimizer, BenchModels.CLIP));
            }
            double after;
            try (NDScope scope = new NDScope()) {
                after = m.loss(batch.get(0), batch.get(1)).toType(DataType.FLOAT64, false).getDouble();
            }
            trajectory.add(after);
            return Map.of("loss", trajectory.get(0), "trajectory", trajectory);
        }
    }

    private static double[] doubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    // ---- one training step ----

    static WeightDecayGroups groups(SupervisedModel m) {
        return WeightDecayGroups.of(m.parameters().arrays(), new WeightDecayGroups.Decays(0, 0, 0));
    }

    static Optimizer optimizer(SupervisedModel m, LrSchedule schedule) {
        return OptimizerKind.ADAM_L2.create(groups(m).groups(), schedule, new AdamSettings(0.9, 0.999, 1e-8), 0);
    }

    /** TrainTask's step: the same {@link AutogradStep} (batch, forward, backward, clip, optimizer, zero gradients). */
    static double step(SupervisedModel model, java.util.function.Supplier<NDList> batch, Optimizer optimizer, double clip) {
        return AutogradStep.run(() -> {
            NDList b = batch.get();
            return model.loss(b.get(0), b.get(1));
        }, optimizer, model.parameters().arrays().values(), clip);
    }

    static void trainStep(String model, int threads, int warmup, int steps, Path out) throws Exception {
        Engine.getEngine("PyTorch"); // loads the native library before the thread setting
        JniUtils.setNumThreads(threads);
        double[] times;
        long cpu0 = cpuNanos();
        try (Turns turns = Turns.fromEnvironment()) {
            if (model.equals("toy")) {
                times = toySteps(warmup, steps, turns);
            } else {
                times = new double[steps];
                try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                    SupervisedModel m = BenchModels.create(model, manager, DataType.FLOAT32, 7);
                    // fig3's schedule: warm-up 50 steps from 0 to 1e-3, cosine to 10% at 1200
                    Optimizer optimizer = optimizer(m, LrSchedule.warmupCosine(0, BenchModels.LR, 50, 1200, 0.1));
                    Random random = new Random(3);
                    turns.begin();
                    for (int s = 0; s < warmup + steps; s++) {
                        long t0 = System.nanoTime();
                        // the batch is assembled in Java and copied in, as TrainingData.batch does
                        step(m, () -> BenchModels.batch(model, manager, random, DataType.FLOAT32), optimizer, BenchModels.CLIP);
                        if (s >= warmup) {
                            times[s - warmup] = (System.nanoTime() - t0) / 1e9;
                        }
                        turns.stepDone();
                    }
                }
            }
        }
        // process CPU seconds per step (warm-up included): less sensitive to other load than wall time
        double cpuPerStep = (cpuNanos() - cpu0) / 1e9 / (warmup + steps);
        write(out, Map.of("side", "rankrepro", "model", model, "threads", model.equals("toy") ? 1 : threads,
                "warmup", warmup, "steps", steps, "seconds", times, "cpu_seconds_per_step", cpuPerStep));
    }

    /** Global-norm clipping + Adam on the gradients of one backward pass, repeated: the part of a step the optim package owns. */
    static void optimStep(String model, int threads, int steps, Path out) throws Exception {
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        double[] times = new double[steps];
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            SupervisedModel m = BenchModels.create(model, manager, DataType.FLOAT32, 7);
            NDList batch = BenchModels.batch(model, manager, new Random(3), DataType.FLOAT32);
            Optimizer optimizer = optimizer(m, LrSchedule.constant(BenchModels.LR));
            WeightDecayGroups groups = groups(m);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(m.loss(batch.get(0), batch.get(1)));
            }
            JniUtils.setGradMode(false);
            for (int s = -10; s < steps; s++) {
                long t0 = System.nanoTime();
                double scale = GradientClipping.factor(GradientClipping.globalNorm(groups.groups(), GradientSource.AUTOGRAD), BenchModels.CLIP);
                optimizer.step(GradientSource.AUTOGRAD, scale);
                if (s >= 0) {
                    times[s] = (System.nanoTime() - t0) / 1e9;
                }
            }
        }
        write(out, Map.of("side", "rankrepro", "model", model, "threads", threads, "steps", steps, "seconds", times));
    }

    /** DiagonalHeadTrainer as fig1 runs it (it pins PyTorch to 1 thread), timed between consecutive loss reports. */
    private static double[] toySteps(int warmup, int steps, Turns turns) throws IOException {
        ToyDataset data = BenchModels.toyData();
        DiagonalHeadWeights weights = BenchModels.toyWeights(data.dim(), 1);
        List<Long> intervals = new ArrayList<>();
        long[] last = {0};
        turns.begin();
        last[0] = System.nanoTime();
        DiagonalHeadTrainer.train(data, weights, new DiagonalHeadTrainer.Config(BenchModels.TOY_LR, warmup + steps, 1, new long[0]),
                new TrainingObserver() {
                    @Override
                    public void onLoss(long step, double loss) {
                        long now = System.nanoTime();
                        intervals.add(now - last[0]);
                        turns.stepDone();
                        last[0] = System.nanoTime(); // a wait for the turn is in no interval
                    }

                    @Override
                    public void onCheckpoint(long step, DiagonalHeadWeights w) { }
                });
        // the trainer reports the loss before step 0 too: interval k+1 is step k's
        double[] times = new double[steps];
        for (int i = 0; i < steps; i++) {
            times[i] = intervals.get(warmup + i + 1) / 1e9;
        }
        return times;
    }

    private static TrainingObserver observer(List<Double> losses) {
        return new TrainingObserver() {
            @Override
            public void onLoss(long step, double loss) {
                losses.add(loss);
            }

            @Override
            public void onCheckpoint(long step, DiagonalHeadWeights weights) { }
        };
    }

    // ---- rank/analyze of one checkpoint ----

    static void rank(Path checkpoint, int repeats, Path out) throws Exception {
        double[] times = new double[repeats];
        double[] cpu = new double[repeats];
        Path work = Files.createTempDirectory("bench-rank");
        for (int r = 0; r < repeats; r++) {
            Path dir = Files.createDirectories(work.resolve("r" + r));
            TaskContext ctx = context("analyze", new Params(Map.of("checkpoint", checkpoint.toString(), "heads", 12, "rel_tol", 0.01)),
                    List.of(), dir, RunTracker.none());
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            new AnalyzeTask().run(ctx);
            times[r] = (System.nanoTime() - t0) / 1e9;
            cpu[r] = (cpuNanos() - c0) / 1e9;
            System.out.printf("rank/analyze round %d: wall %.3f s, process cpu %.3f s%n", r, times[r], cpu[r]);
        }
        Files.copy(work.resolve("r0").resolve("spectra.csv"), out.resolveSibling("rank_spectra.csv"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        write(out, Map.of("side", "rankrepro", "repeats", repeats, "seconds", times, "cpu_seconds", cpu,
                "available_processors", Runtime.getRuntime().availableProcessors()));
    }

    private static TaskContext context(String stage, Params params, List<TaskInput> inputs, Path dir, RunTracker tracker) {
        return new TaskContext(stage, stage, new SpecInfo("bench", "bench", "bench", "bench", "bench", 0), params, Map.of(),
                inputs, dir, tracker, Progress.none());
    }

    // ---- MLflow logging share ----

    /**
     * What MLflow system-metrics sampling costs a training: the toy head trained {@code steps} steps
     * without a sampler, then with one per interval (seconds); the sampler's own time (probe start +
     * every reading) over the training's wall time. Points go to a tracker that only counts them.
     */
    static void systemMetricsShare(long steps, List<String> intervals, Path out) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("steps", steps);
        result.put("untracked_wall_s", toyTraining(steps));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String interval : intervals) {
            java.util.concurrent.atomic.AtomicLong points = new java.util.concurrent.atomic.AtomicLong();
            RunTracker counter = new RunTracker() {
                @Override public String runId() { return "bench"; }
                @Override public void logParams(Map<String, String> p) { }
                @Override public void setTags(Map<String, String> t) { }
                @Override public void logMetric(String key, double value, long step) { points.incrementAndGet(); }
                @Override public void logArtifact(Path file, String dir) { }
                @Override public void logArtifacts(Path dir, String artifactDir) { }
                @Override public void flush() { }
            };
            long t0 = System.nanoTime();
            io.rankrepro.mlflow.SystemMetrics sampler = io.rankrepro.mlflow.SystemMetrics.start(counter,
                    io.rankrepro.mlflow.SystemMetrics.Settings.fromEnv(Map.of(io.rankrepro.mlflow.SystemMetrics.ENV_INTERVAL, interval)));
            toyTraining(steps);
            sampler.close();
            double wall = (System.nanoTime() - t0) / 1e9;
            double sampling = sampler.samplingTime().toNanos() / 1e9;
            rows.add(Map.of("interval_s", Double.parseDouble(interval), "train_wall_s", wall, "sampling_s", sampling,
                    "points", points.get(), "share", sampling / wall));
            System.out.printf("system metrics every %s s: %.4f s of sampling in %.1f s of training (%.3f%%), %d points%n",
                    interval, sampling, wall, 100 * sampling / wall, points.get());
        }
        result.put("sampled", rows);
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
    }

    /** The toy head's float64 gradient descent, {@code steps} steps; its wall seconds. */
    private static double toyTraining(long steps) throws Exception {
        ToyDataset data = BenchModels.toyData();
        DiagonalHeadWeights w = BenchModels.toyWeights(data.dim(), 1);
        long t0 = System.nanoTime();
        DiagonalHeadTrainer.train(data, w, new DiagonalHeadTrainer.Config(BenchModels.TOY_LR, steps, 1, new long[0]), observer(new ArrayList<>()));
        return (System.nanoTime() - t0) / 1e9;
    }

    static void mlflowShare(String uri, long steps, Path out) throws Exception {
        Path work = Files.createTempDirectory("bench-mlflow");
        Path prepared = Files.createDirectories(work.resolve("prepare"));
        new PrepareTask().run(context("prepare", new Params(Map.of("dataset", "sklearn-digits", "root", ".cache/datasets")),
                List.of(), prepared, RunTracker.none()));
        Map<String, Object> p = new LinkedHashMap<>();
        p.putAll(Map.of("width", 64, "heads", 8, "layers", 5, "mlp_ratio", 4, "patch_size", 2, "pooling", "cls",
                "optimizer", "adam-l2", "lr", 0.001, "warmup_steps", 50, "grad_clip", 1.0));
        p.putAll(Map.of("steps", steps, "batch_size", 32, "checkpoints", 16));
        Params params = new Params(p);
        List<TaskInput> inputs = List.of(new TaskInput("prepare", "prepare", Map.of(), prepared));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("steps", steps);
        result.put("uri", uri);
        // BENCH_MLFLOW_ROUNDS=2 repeats the pair (untracked2, tracked2) for a second reading
        List<String> modes = "2".equals(System.getenv("BENCH_MLFLOW_ROUNDS"))
                ? List.of("untracked", "tracked", "untracked2", "tracked2") : List.of("untracked", "tracked");
        for (String mode : modes) {
            Path dir = Files.createDirectories(work.resolve(mode));
            MlflowTracking mlflow = mode.startsWith("tracked") ? MlflowTracking.connect(uri) : null;
            long c0 = System.nanoTime();
            MlflowRunTracker real = null;
            if (mlflow != null) {
                String experiment = mlflow.getOrCreateExperiment("rankrepro/bench");
                real = mlflow.startRun(experiment, "bench-train-" + mode, null, Map.of());
            }
            double create = (System.nanoTime() - c0) / 1e9;
            TimedTracker tracker = new TimedTracker(real == null ? RunTracker.none() : real);
            long t0 = System.nanoTime();
            new TrainTask().run(context("train", params, inputs, dir, tracker));
            tracker.flush();
            double wall = (System.nanoTime() - t0) / 1e9;
            double upload = 0;
            if (real != null) {
                long u0 = System.nanoTime();
                real.logArtifacts(dir, "");
                mlflow.endRun(real.runId(), true);
                upload = (System.nanoTime() - u0) / 1e9;
                mlflow.close();
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("train_wall_s", wall);
            r.put("tracker_calls", tracker.calls);
            r.put("tracker_s", tracker.nanos / 1e9);
            r.put("run_create_s", create);
            r.put("artifact_upload_and_end_s", upload);
            result.put(mode, r);
            System.out.println(mode + ": " + r);
        }
        write(out, result);
    }

    /** Counts and times every call into the tracker. */
    static final class TimedTracker implements RunTracker {
        private final RunTracker inner;
        long nanos;
        long calls;

        TimedTracker(RunTracker inner) {
            this.inner = inner;
        }

        private void time(Runnable r) {
            long t0 = System.nanoTime();
            r.run();
            nanos += System.nanoTime() - t0;
            calls++;
        }

        @Override
        public String runId() {
            return inner.runId();
        }

        @Override
        public void logParams(Map<String, String> params) {
            time(() -> inner.logParams(params));
        }

        @Override
        public void setTags(Map<String, String> tags) {
            time(() -> inner.setTags(tags));
        }

        @Override
        public void logMetric(String key, double value, long step) {
            time(() -> inner.logMetric(key, value, step));
        }

        @Override
        public void logArtifact(Path file, String artifactDir) {
            time(() -> inner.logArtifact(file, artifactDir));
        }

        @Override
        public void logArtifacts(Path dir, String artifactDir) {
            time(() -> inner.logArtifacts(dir, artifactDir));
        }

        @Override
        public void flush() {
            time(inner::flush);
        }
    }

    /** CPU time of the whole process (all threads, JIT and GC included). */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void write(Path out, Map<String, Object> m) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), m);
        if (m.get("seconds") instanceof double[] s) {
            double[] sorted = s.clone();
            Arrays.sort(sorted);
            System.out.printf("%s: median %.3f ms (min %.3f, max %.3f) over %d%n", out.getFileName(),
                    1e3 * sorted[sorted.length / 2], 1e3 * sorted[0], 1e3 * sorted[sorted.length - 1], sorted.length);
        }
    }
}
