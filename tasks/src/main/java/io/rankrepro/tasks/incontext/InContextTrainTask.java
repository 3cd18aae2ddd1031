package io.rankrepro.tasks.incontext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.model.AttentionLayout;
import io.rankrepro.tasks.model.InContextRegressor;
import io.rankrepro.tasks.model.ModelParameters;
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
import io.rankrepro.tasks.train.CheckpointSchedule;
import io.rankrepro.tasks.train.TrainTask;
import io.rankrepro.tasks.train.AutogradStep;
import org.ejml.data.DMatrixRMaj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code in-context/train}: a small pre-LN transformer ({@link InContextRegressor}) trained online
 * on in-context linear regression ({@link InContextRegressionStream}, a fresh task per sequence)
 * with weight decay {@code lambda} on the attention matrices only (W_Q, W_K, W_V, P; MLP and the
 * rest at {@code weight_decay_mlp} / {@code weight_decay_other}, default 0). At log- and
 * linearly-spaced steps it measures, per layer, the value-output pair (P, W_V)
 * ({@link ValueOutputProduct}). Writes
 * <ul>
 *   <li>{@code trajectory.csv}: step, layer, numerical_rank, stable_rank, imbalance, gap,
 *       relative_gap, frobenius_half_sum, nuclear_norm;</li>
 *   <li>{@code spectra.csv}: layer, index, sigma of P W_Vᵀ at the end;</li>
 *   <li>{@code loss.csv}, {@code summary.json} (with the zero-predictor and Bayes-optimal losses);</li>
 *   <li>{@code checkpoints/step_*.safetensors} at step 0 and the end, readable by {@code rank/analyze}.</li>
 * </ul>
 * Params: {@link Config}.
 */
public final class InContextTrainTask implements Task {
    static final String TRAJECTORY = "trajectory.csv";
    static final String SPECTRA = "spectra.csv";
    static final String SUMMARY = "summary.json";
    static final String LOSS = "loss.csv";

    @Override
    public String kind() {
        return "in-context/train";
    }

    /**
     * @param dimX             d_x, the regression input dimension
     * @param context          context pairs per sequence
     * @param queries          query tokens per sequence
     * @param noise            label noise standard deviation σ
     * @param width            model width
     * @param heads            attention heads (dividing width)
     * @param layers           transformer layers
     * @param mlpRatio         MLP hidden width / width
     * @param initScale        initialization scale
     * @param lambda           weight decay on W_Q, W_K, W_V and P (swept)
     * @param optimizer        {@code sgd}, {@code adam-l2} or {@code adamw}
     * @param lr               peak learning rate
     * @param warmupSteps      linear warm-up steps (at most steps)
     * @param lrFloor          cosine floor as a fraction of lr (1 keeps it constant after warm-up)
     * @param weightDecayMlp   weight decay on the MLPs
     * @param weightDecayOther weight decay on everything else
     * @param momentum         SGD momentum
     * @param batchSize        sequences per step
     * @param steps            training steps
     * @param snapshots        log-spaced measurement steps (merged with 20 evenly spaced ones)
     * @param relTol           numerical-rank threshold relative to σ_max
     * @param seedOffset       added to the experiment's seed (repetitions of one configuration; runs with
     *                         one offset share initialization and data stream across λ and optimizer)
     */
    public record Config(int dimX, int context, int queries, double noise, int width, int heads, int layers, int mlpRatio,
                         double initScale, double lambda, String optimizer, double lr, long warmupSteps, double lrFloor,
                         @Default("0") double weightDecayMlp, @Default("0") double weightDecayOther,
                         @Default("0") double momentum, int batchSize, long steps, int snapshots, double relTol,
                         @Default("0") long seedOffset) {
        public Config {
            ParamCheck.range("dim_x", dimX, 1, 256);
            ParamCheck.range("context", context, 1, 4096);
            ParamCheck.range("queries", queries, 1, 4096);
            ParamCheck.range("noise", noise, 0, 100);
            ParamCheck.range("width", width, 1, TransformerConfig.MAX_WIDTH);
            ParamCheck.range("heads", heads, 1, TransformerConfig.MAX_WIDTH);
            ParamCheck.range("layers", layers, 1, TransformerConfig.MAX_LAYERS);
            ParamCheck.range("mlp_ratio", mlpRatio, 1, 16);
            ParamCheck.positive("init_scale", initScale, 100);
            ParamCheck.range("lambda", lambda, 0, 1000);
            ParamCheck.positive("lr", lr, 10);
            ParamCheck.range("warmup_steps", warmupSteps, 0, 100_000_000);
            ParamCheck.range("lr_floor", lrFloor, 0, 1);
            ParamCheck.range("batch_size", batchSize, 1, 65_536);
            ParamCheck.range("steps", steps, 1, 100_000_000);
            ParamCheck.range("snapshots", snapshots, 1, 1000);
            ParamCheck.positive("rel_tol", relTol, 0.999);
            ParamCheck.range("seed_offset", seedOffset, 0, 1_000_000);
            try {
                OptimizerKind.parse(optimizer);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("optimizer: " + e.getMessage(), e);
            }
            List<String> model = TransformerConfig.problems(width, heads, layers, mlpRatio, initScale);
            ParamCheck.require(model.isEmpty(), "heads", String.join("; ", model)); // the ranges above leave only width % heads
            ParamCheck.require(warmupSteps <= steps, "warmup_steps", "must be <= steps");
            long floats = (long) batchSize * (context + queries) * width;
            ParamCheck.require(floats <= 50_000_000L, "batch_size", "batch_size × (context + queries) × width = " + floats
                    + " activations per layer; above 5e7 this is not a toy");
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .writes(TRAJECTORY, SPECTRA, LOSS, SUMMARY, TrainTask.CHECKPOINTS + "/*.safetensors")
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        long seed = ctx.spec().seed() + c.seedOffset();
        long steps = c.steps();
        int batch = c.batchSize();
        double lambda = c.lambda();
        double relTol = c.relTol();
        TransformerConfig config = new TransformerConfig(c.width(), c.heads(), c.layers(), c.mlpRatio(), c.initScale());
        InContextRegressionStream stream = new InContextRegressionStream(c.dimX(), c.context(), c.queries(), c.noise(), seed + 2);
        long[] measureAt = measurementSteps(steps, c.snapshots());
        long logEvery = Math.max(1, steps / 200);
        Path checkpoints = Files.createDirectories(ctx.outputDir().resolve(TrainTask.CHECKPOINTS));

        try (NDManager manager = io.rankrepro.tasks.task.ComputeDevice.current().newManager()) {
            // the same seed for every λ: the sweep starts from one initialization and sees one data stream
            InContextRegressor model = new InContextRegressor(config, InContextRegressionStream.features(stream.dimX()),
                    stream.context(), new ModelParameters(manager, DataType.FLOAT32, seed + 1, config.initScale()));
            Map<String, NDArray> named = model.parameters().arrays();
            WeightDecayGroups groups = WeightDecayGroups.of(named, new WeightDecayGroups.Decays(
                    lambda, c.weightDecayMlp(), c.weightDecayOther()));
            Optimizer optimizer = OptimizerKind.parse(c.optimizer()).create(groups.groups(),
                    LrSchedule.warmupCosine(0, c.lr(), c.warmupSteps(), steps, c.lrFloor()),
                    AdamSettings.DEFAULTS, c.momentum());
            Map<String, String> groupParams = new LinkedHashMap<>();
            groups.groups().forEach(g -> groupParams.put(ctx.stage() + ".weight_decay_group." + g.name(), g.weightDecay() + " on " + g.names().size() + " arrays"));
            ctx.tracker().logParams(groupParams);
            Map<String, String> meta = TrainTask.architecture("in-context-regressor", config);
            TrainTask.writeCheckpoint(checkpoints.resolve(CheckpointSchedule.fileName(0)), named, with(meta, 0));

            double[] initialImbalance = new double[config.layers()];
            double[] initialNormalized = new double[config.layers()];
            List<Double> tail = new ArrayList<>();
            ValueOutputProduct[] last = null;
            int next = 0;
            try (Table.Writer trajectory = Table.writer(ctx.outputDir().resolve(TRAJECTORY), "step", "layer", "numerical_rank",
                    "stable_rank", "imbalance", "gap", "relative_gap", "frobenius_half_sum", "nuclear_norm");
                 Table.Writer loss = Table.writer(ctx.outputDir().resolve(LOSS), "step", "loss")) {
                for (long step = 0; step <= steps; step++) {
                    if (next < measureAt.length && measureAt[next] == step) {
                        last = measure(named, config, relTol);
                        for (int l = 0; l < last.length; l++) {
                            ValueOutputProduct v = last[l];
                            if (step == 0) {
                                initialImbalance[l] = v.balance().imbalance();
                                initialNormalized[l] = normalizedImbalance(v);
                            }
                            trajectory.row(step, l, v.spectrum().numericalRank(), v.spectrum().stableRank(), v.balance().imbalance(),
                                    v.balance().gap(), v.balance().relativeGap(), v.balance().frobeniusHalfSum(), v.balance().nuclearNorm());
                            ctx.tracker().logMetric("rank/pv/numerical_rank/layer_" + l, v.spectrum().numericalRank(), step);
                            ctx.tracker().logMetric("balance/pv/imbalance/layer_" + l, v.balance().imbalance(), step);
                            ctx.tracker().logMetric("balance/pv/relative_gap/layer_" + l, v.balance().relativeGap(), step);
                        }
                        next++;
                    }
                    if (step == steps) {
                        break;
                    }
                    double value = AutogradStep.run(() -> {
                        NDList b = stream.draw(batch).toNd(manager, DataType.FLOAT32);
                        return model.loss(b.get(0), b.get(1));
                    }, optimizer, named.values(), 0);
                    if (!Double.isFinite(value)) {
                        throw new ArithmeticException("loss became " + value + " at step " + step + "; lower lr");
                    }
                    if (step >= steps - Math.max(1, steps / 10)) {
                        tail.add(value);
                    }
                    if (step % logEvery == 0 || step == steps - 1) {
                        loss.row(step, value);
                        ctx.tracker().logMetric("train/loss", value, step);
                        ctx.progress().update(step + 1, steps, String.format(Locale.ROOT, "loss %.4g", value));
                    }
                }
            }
            TrainTask.writeCheckpoint(checkpoints.resolve(CheckpointSchedule.fileName(steps)), named, with(meta, steps));
            writeSpectra(ctx.outputDir().resolve(SPECTRA), last);
            writeSummary(ctx, c, stream, lambda, relTol, initialImbalance, initialNormalized, last, tail);
        }
    }

    /** Log-spaced steps (dense early) merged with 20 evenly spaced ones (a readable linear time axis). */
    static long[] measurementSteps(long steps, int logSpaced) {
        TreeSet<Long> at = new TreeSet<>();
        for (long s : CheckpointSchedule.logSpaced(steps, logSpaced)) {
            at.add(s);
        }
        for (int i = 0; i <= 20; i++) {
            at.add(Math.round((double) steps * i / 20));
        }
        return at.stream().mapToLong(Long::longValue).toArray();
    }

    private static ValueOutputProduct[] measure(Map<String, NDArray> named, TransformerConfig config, double relTol) {
        int d = config.width();
        ValueOutputProduct[] out = new ValueOutputProduct[config.layers()];
        for (int l = 0; l < out.length; l++) {
            out[l] = ValueOutputProduct.of(matrix(named.get(AttentionLayout.output(l)), d),
                    matrix(named.get(AttentionLayout.value(l)), d), relTol);
        }
        return out;
    }

    private static DMatrixRMaj matrix(NDArray a, int d) {
        float[] f = a.toFloatArray();
        DMatrixRMaj m = new DMatrixRMaj(d, f.length / d);
        for (int i = 0; i < f.length; i++) {
            m.data[i] = f[i];
        }
        return m;
    }

    private static Map<String, String> with(Map<String, String> meta, long step) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("step", Long.toString(step));
        return m;
    }

    private static void writeSpectra(Path file, ValueOutputProduct[] last) throws IOException {
        try (Table.Writer w = Table.writer(file, "layer", "index", "sigma")) {
            for (int l = 0; l < last.length; l++) {
                double[] s = last[l].spectrum().singularValues();
                for (int i = 0; i < s.length; i++) {
                    w.row(l, i, s[i]);
                }
            }
        }
    }

    private static void writeSummary(TaskContext ctx, Config c, InContextRegressionStream stream, double lambda, double relTol,
                                     double[] initialImbalance, double[] initialNormalized, ValueOutputProduct[] last, List<Double> tail) throws IOException {
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int l = 0; l < last.length; l++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", l);
            m.put("numerical_rank", last[l].spectrum().numericalRank());
            m.put("stable_rank", last[l].spectrum().stableRank());
            m.put("gap", last[l].balance().gap());
            m.put("relative_gap", last[l].balance().relativeGap());
            m.put("imbalance_initial", initialImbalance[l]);
            m.put("imbalance_final", last[l].balance().imbalance());
            m.put("normalized_imbalance_initial", initialNormalized[l]);
            m.put("normalized_imbalance_final", normalizedImbalance(last[l]));
            layers.add(m);
            ctx.tracker().logMetric("rank/pv/stable_rank/layer_" + l, last[l].spectrum().stableRank(), c.steps());
        }
        double finalLoss = tail.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("lambda", lambda);
        summary.put("optimizer", c.optimizer());
        summary.put("lr", c.lr());
        summary.put("steps", c.steps());
        summary.put("seed_offset", c.seedOffset());
        // −2Σ_t ln(1 − η_tλ): the e-folds by which coupled L2 gradient descent shrinks ‖PᵀP − W_VᵀW_V‖ (up to O(η²))
        LrSchedule schedule = LrSchedule.warmupCosine(0, c.lr(), c.warmupSteps(), c.steps(), c.lrFloor());
        double efolds = 0;
        for (long t = 0; t < c.steps(); t++) {
            efolds -= 2 * Math.log1p(-schedule.at(t) * lambda);
        }
        summary.put("decay_efolds", efolds);
        summary.put("width", c.width());
        summary.put("heads", c.heads());
        summary.put("rel_tol", relTol);
        summary.put("layers", layers);
        summary.put("final_loss", finalLoss);
        summary.put("zero_predictor_loss", BayesOptimalRisk.zeroPredictor(stream.dimX(), stream.noise()));
        summary.put("bayes_optimal_loss", BayesOptimalRisk.monteCarlo(stream.dimX(), stream.context(), stream.noise(), 4000, ctx.spec().seed() + 3));
        ctx.tracker().logMetric("train/final_loss", finalLoss, c.steps());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(ctx.outputDir().resolve(SUMMARY).toFile(), summary);
    }

    /** ‖PᵀP − W_VᵀW_V‖_F / (‖P‖² + ‖W_V‖²): the imbalance without the part that shrinkage alone removes. */
    static double normalizedImbalance(ValueOutputProduct v) {
        return v.balance().imbalance() / (2 * v.balance().frobeniusHalfSum());
    }
}
