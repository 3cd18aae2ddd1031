package io.rankrepro.tasks.deeplinear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.linalg.SingularValues;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.model.EngineScalar;
import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.Optimizer;
import io.rankrepro.tasks.optim.OptimizerKind;
import io.rankrepro.tasks.optim.ParameterGroup;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.train.CheckpointSchedule;
import io.rankrepro.tasks.train.AutogradStep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * {@code deep-linear/train}: a depth-L linear network trained online on y = x W* + noise (low-rank
 * W*, fresh Gaussian samples every step) with weight decay λ on every layer, by the optim
 * package's SGD (coupled decay), Adam+L2 or AdamW (decoupled). Writes
 * <ul>
 *   <li>{@code spectra.csv} (step, index, sigma): the end-to-end product's singular values at
 *       log-spaced steps;</li>
 *   <li>{@code layer_spectra.csv} (layer, index, sigma) and {@code hidden_units.csv} (boundary,
 *       order, incoming, outgoing; see {@link HiddenUnitNorms}) at the end;</li>
 *   <li>{@code loss.csv} and {@code summary.json} (final ranks of the product).</li>
 * </ul>
 * Params: {@link Config}. The teacher depends on the spec seed only, so every λ and depth learns the same W*.
 */
public final class DeepLinearTrainTask implements Task {
    static final String SPECTRA = "spectra.csv";
    static final String LAYER_SPECTRA = "layer_spectra.csv";
    static final String HIDDEN_UNITS = "hidden_units.csv";
    static final String SUMMARY = "summary.json";
    static final String LOSS = "loss.csv";

    @Override
    public String kind() {
        return "deep-linear/train";
    }

    /**
     * @param dim                   input and output dimension
     * @param hidden                hidden width
     * @param depth                 number of layers L (swept)
     * @param teacherSingularValues W*'s singular values, > 0 and descending (rank r = their count, at most dim)
     * @param noise                 label noise standard deviation
     * @param lambda                weight decay on every layer (swept)
     * @param optimizer             {@code sgd}, {@code adam-l2} or {@code adamw}
     * @param lr                    constant learning rate
     * @param momentum              SGD momentum, in [0, 1)
     * @param batchSize             fresh samples per step
     * @param steps                 training steps
     * @param initScale             initialization scale
     * @param relTol                numerical-rank threshold relative to σ_max
     * @param snapshots             log-spaced steps at which the product's spectrum is written
     */
    public record Config(int dim, int hidden, int depth, List<Double> teacherSingularValues, double noise, double lambda,
                         String optimizer, double lr, @Default("0") double momentum, int batchSize, long steps,
                         double initScale, double relTol, int snapshots) {
        public Config {
            ParamCheck.range("dim", dim, 1, 512);
            ParamCheck.range("hidden", hidden, 1, 512);
            ParamCheck.range("depth", depth, 1, 16);
            ParamCheck.range("noise", noise, 0, 100);
            ParamCheck.range("lambda", lambda, 0, 100);
            ParamCheck.positive("lr", lr, 10);
            ParamCheck.range("batch_size", batchSize, 1, 65_536);
            ParamCheck.range("steps", steps, 1, 10_000_000);
            ParamCheck.positive("init_scale", initScale, 100);
            ParamCheck.positive("rel_tol", relTol, 0.999);
            ParamCheck.range("snapshots", snapshots, 1, 1000);
            optimizerKind(optimizer);
            ParamCheck.require(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got " + momentum);
            ParamCheck.require(teacherSingularValues != null && !teacherSingularValues.isEmpty()
                            && teacherSingularValues.size() <= dim && teacherSingularValues.stream().allMatch(Objects::nonNull),
                    "teacher_singular_values", "need 1..dim values, got "
                            + (teacherSingularValues == null ? "none" : teacherSingularValues.size()));
            for (int i = 0; i < teacherSingularValues.size(); i++) {
                double s = teacherSingularValues.get(i);
                ParamCheck.require(s > 0 && (i == 0 || s <= teacherSingularValues.get(i - 1)), "teacher_singular_values",
                        "must be > 0 and descending, got " + teacherSingularValues);
            }
            teacherSingularValues = List.copyOf(teacherSingularValues);
        }

        /** The optimizer named by {@code name}; fails naming the parameter. */
        static OptimizerKind optimizerKind(String name) {
            try {
                return OptimizerKind.parse(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("optimizer: " + e.getMessage(), e);
            }
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .writes(SPECTRA, LAYER_SPECTRA, HIDDEN_UNITS, LOSS, SUMMARY)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        int dim = c.dim();
        int depth = c.depth();
        long steps = c.steps();
        int batch = c.batchSize();
        double lambda = c.lambda();
        double relTol = c.relTol();
        double[] teacherSv = c.teacherSingularValues().stream().mapToDouble(Double::doubleValue).toArray();
        LowRankTeacher teacher = LowRankTeacher.of(dim, teacherSv, new Random(ctx.spec().seed()));
        int[] widths = new int[depth + 1];
        java.util.Arrays.fill(widths, c.hidden());
        widths[0] = dim;
        widths[depth] = dim;
        long[] snapshotAt = CheckpointSchedule.logSpaced(steps, c.snapshots());
        long logEvery = Math.max(1, steps / 200);

        try (NDManager manager = io.rankrepro.tasks.task.ComputeDevice.current().newManager()) {
            DeepLinearNetwork net = new DeepLinearNetwork(manager, widths, ctx.spec().seed() + 1, c.initScale());
            OnlineRegressionStream stream = new OnlineRegressionStream(teacher.matrix(), c.noise(), ctx.spec().seed() + 2);
            List<NDArray> weights = List.copyOf(net.parameters().arrays().values());
            ParameterGroup group = new ParameterGroup("weights", weights, List.copyOf(net.parameters().arrays().keySet()), lambda);
            Optimizer optimizer = OptimizerKind.parse(c.optimizer()).create(List.of(group),
                    LrSchedule.constant(c.lr()), AdamSettings.DEFAULTS, c.momentum());
            List<Double> tail = new ArrayList<>();
            int next = 0;
            try (Table.Writer spectra = Table.writer(ctx.outputDir().resolve(SPECTRA), "step", "index", "sigma");
                 Table.Writer loss = Table.writer(ctx.outputDir().resolve(LOSS), "step", "loss")) {
                for (long step = 0; step <= steps; step++) {
                    if (next < snapshotAt.length && snapshotAt[next] == step) {
                        double[] s = SingularValues.of(net.product());
                        for (int i = 0; i < s.length; i++) {
                            spectra.row(step, i, s[i]);
                        }
                        next++;
                    }
                    if (step == steps) {
                        break;
                    }
                    double value = AutogradStep.run(() -> {
                        NDList b = stream.batch(manager, batch);
                        NDArray r = net.forward(b.get(0)).sub(b.get(1));
                        // ½‖ŷ − y‖², batch mean; the ½ as an engine-owned scalar, which the backward pass reads (EngineScalar)
                        return r.square().sum(new int[] {1}).mean().mul(EngineScalar.of(manager, 0.5, r.getDataType()));
                    }, optimizer, weights, 0);
                    if (!Double.isFinite(value)) {
                        throw new ArithmeticException("loss became " + value + " at step " + step + "; lower lr");
                    }
                    if (step >= steps - steps / 10) {
                        tail.add(value);
                    }
                    if (step % logEvery == 0 || step == steps - 1) {
                        loss.row(step, value);
                        ctx.tracker().logMetric("train/loss", value, step);
                        ctx.progress().update(step + 1, steps, String.format("loss %.4g", value));
                    }
                }
            }
            writeLayers(ctx, net);
            SpectralMetrics product = SpectralMetrics.of(net.product(), relTol);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("depth", depth);
            summary.put("lambda", lambda);
            summary.put("optimizer", c.optimizer());
            summary.put("teacher_rank", teacher.rank());
            summary.put("teacher_singular_values", teacherSv);
            summary.put("rel_tol", relTol);
            summary.put("numerical_rank", product.numericalRank());
            summary.put("stable_rank", product.stableRank());
            summary.put("effective_rank", product.effectiveRank());
            summary.put("singular_values", product.singularValues());
            summary.put("final_loss", tail.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
            summary.put("noise_floor_loss", 0.5 * dim * c.noise() * c.noise());
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(ctx.outputDir().resolve(SUMMARY).toFile(), summary);
            ctx.tracker().logMetric("rank/product/numerical_rank", product.numericalRank(), steps);
            ctx.tracker().logMetric("rank/product/stable_rank", product.stableRank(), steps);
        }
    }

    private static void writeLayers(TaskContext ctx, DeepLinearNetwork net) throws java.io.IOException {
        try (Table.Writer w = Table.writer(ctx.outputDir().resolve(LAYER_SPECTRA), "layer", "index", "sigma")) {
            for (int l = 0; l < net.depth(); l++) {
                double[] s = SingularValues.of(net.layer(l));
                for (int i = 0; i < s.length; i++) {
                    w.row(l, i, s[i]);
                }
            }
        }
        try (Table.Writer w = Table.writer(ctx.outputDir().resolve(HIDDEN_UNITS), "boundary", "order", "incoming", "outgoing")) {
            for (int l = 0; l + 1 < net.depth(); l++) {
                HiddenUnitNorms u = HiddenUnitNorms.between(net.layer(l), net.layer(l + 1));
                for (int k = 0; k < u.incoming().length; k++) {
                    w.row(l, k, u.incoming()[k], u.outgoing()[k]);
                }
            }
        }
    }
}
