package io.rankrepro.tasks.deeplinear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.factorized.ParamRules;
import io.rankrepro.tasks.linalg.SingularValues;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.Optimizer;
import io.rankrepro.tasks.optim.OptimizerKind;
import io.rankrepro.tasks.optim.ParameterGroup;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.train.CheckpointSchedule;
import io.rankrepro.tasks.train.AutogradStep;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Params: {@code dim}, {@code hidden}, {@code depth}, {@code teacher_singular_values} (rank r = their
 * count), {@code noise}, {@code lambda}, {@code optimizer}, {@code lr}, {@code momentum},
 * {@code batch_size}, {@code steps}, {@code init_scale}, {@code rel_tol}, {@code snapshots}.
 * The teacher depends on the spec seed only, so every λ and depth learns the same W*.
 */
public final class DeepLinearTrainTask implements Task {
    static final String SPECTRA = "spectra.csv";
    static final String LAYER_SPECTRA = "layer_spectra.csv";
    static final String HIDDEN_UNITS = "hidden_units.csv";
    static final String SUMMARY = "summary.json";

    @Override
    public String kind() {
        return "deep-linear/train";
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = new ArrayList<>();
        ParamRules.integer(p, "dim", 1, 512, problems);
        ParamRules.integer(p, "hidden", 1, 512, problems);
        ParamRules.integer(p, "depth", 1, 16, problems);
        ParamRules.number(p, "noise", true, 100, problems);
        ParamRules.number(p, "lambda", true, 100, problems);
        ParamRules.number(p, "lr", false, 10, problems);
        ParamRules.integer(p, "batch_size", 1, 65_536, problems);
        ParamRules.integer(p, "steps", 1, 10_000_000, problems);
        ParamRules.number(p, "init_scale", false, 100, problems);
        ParamRules.number(p, "rel_tol", false, 0.999, problems);
        ParamRules.integer(p, "snapshots", 1, 1000, problems);
        try {
            OptimizerKind.parse(p.getString("optimizer"));
            double m = p.getDouble("momentum", 0);
            if (!(m >= 0 && m < 1)) {
                problems.add("momentum: must be in [0, 1), got " + m);
            }
            List<Double> s = p.getDoubleList("teacher_singular_values");
            if (p.has("dim") && (s.isEmpty() || s.size() > p.getInt("dim"))) {
                problems.add("teacher_singular_values: need 1..dim values, got " + s.size());
            }
            for (int i = 0; i < s.size(); i++) {
                if (!(s.get(i) > 0) || (i > 0 && s.get(i) > s.get(i - 1))) {
                    problems.add("teacher_singular_values: must be > 0 and descending, got " + s);
                    break;
                }
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Params p = ctx.params();
        int dim = p.getInt("dim");
        int depth = p.getInt("depth");
        long steps = p.getLong("steps");
        int batch = p.getInt("batch_size");
        double lambda = p.getDouble("lambda");
        double relTol = p.getDouble("rel_tol");
        double[] teacherSv = p.getDoubleList("teacher_singular_values").stream().mapToDouble(Double::doubleValue).toArray();
        LowRankTeacher teacher = LowRankTeacher.of(dim, teacherSv, new Random(ctx.spec().seed()));
        int[] widths = new int[depth + 1];
        java.util.Arrays.fill(widths, p.getInt("hidden"));
        widths[0] = dim;
        widths[depth] = dim;
        long[] snapshotAt = CheckpointSchedule.logSpaced(steps, p.getInt("snapshots"));
        long logEvery = Math.max(1, steps / 200);

        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            DeepLinearNetwork net = new DeepLinearNetwork(manager, widths, ctx.spec().seed() + 1, p.getDouble("init_scale"));
            OnlineRegressionStream stream = new OnlineRegressionStream(teacher.matrix(), p.getDouble("noise"), ctx.spec().seed() + 2);
            List<NDArray> weights = List.copyOf(net.parameters().arrays().values());
            ParameterGroup group = new ParameterGroup("weights", weights, List.copyOf(net.parameters().arrays().keySet()), lambda);
            Optimizer optimizer = OptimizerKind.parse(p.getString("optimizer")).create(List.of(group),
                    LrSchedule.constant(p.getDouble("lr")), AdamSettings.DEFAULTS, p.getDouble("momentum", 0));
            List<Double> tail = new ArrayList<>();
            int next = 0;
            try (BufferedWriter spectra = Files.newBufferedWriter(ctx.outputDir().resolve(SPECTRA));
                 BufferedWriter loss = Files.newBufferedWriter(ctx.outputDir().resolve("loss.csv"))) {
                spectra.write("step,index,sigma\n");
                loss.write("step,loss\n");
                for (long step = 0; step <= steps; step++) {
                    if (next < snapshotAt.length && snapshotAt[next] == step) {
                        double[] s = SingularValues.of(net.product());
                        for (int i = 0; i < s.length; i++) {
                            spectra.write(step + "," + i + "," + s[i] + "\n");
                        }
                        next++;
                    }
                    if (step == steps) {
                        break;
                    }
                    double value = AutogradStep.run(() -> {
                        NDList b = stream.batch(manager, batch);
                        NDArray r = net.forward(b.get(0)).sub(b.get(1));
                        return r.square().sum(new int[] {1}).mean().mul(0.5); // ½‖ŷ − y‖², batch mean
                    }, optimizer, weights, 0);
                    if (!Double.isFinite(value)) {
                        throw new ArithmeticException("loss became " + value + " at step " + step + "; lower lr");
                    }
                    if (step >= steps - steps / 10) {
                        tail.add(value);
                    }
                    if (step % logEvery == 0 || step == steps - 1) {
                        loss.write(step + "," + value + "\n");
                        ctx.tracker().logMetric("train.loss", value, step);
                        ctx.progress().update(step + 1, steps, String.format("loss %.4g", value));
                    }
                }
            }
            writeLayers(ctx, net);
            SpectralMetrics product = SpectralMetrics.of(net.product(), relTol);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("depth", depth);
            summary.put("lambda", lambda);
            summary.put("optimizer", p.getString("optimizer"));
            summary.put("teacher_rank", teacher.rank());
            summary.put("teacher_singular_values", teacherSv);
            summary.put("rel_tol", relTol);
            summary.put("numerical_rank", product.numericalRank());
            summary.put("stable_rank", product.stableRank());
            summary.put("effective_rank", product.effectiveRank());
            summary.put("singular_values", product.singularValues());
            summary.put("final_loss", tail.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
            summary.put("noise_floor_loss", 0.5 * dim * p.getDouble("noise") * p.getDouble("noise"));
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(ctx.outputDir().resolve(SUMMARY).toFile(), summary);
            ctx.tracker().logMetric("product.numerical_rank", product.numericalRank(), steps);
            ctx.tracker().logMetric("product.stable_rank", product.stableRank(), steps);
        }
    }

    private static void writeLayers(TaskContext ctx, DeepLinearNetwork net) throws java.io.IOException {
        try (BufferedWriter w = Files.newBufferedWriter(ctx.outputDir().resolve(LAYER_SPECTRA))) {
            w.write("layer,index,sigma\n");
            for (int l = 0; l < net.depth(); l++) {
                double[] s = SingularValues.of(net.layer(l));
                for (int i = 0; i < s.length; i++) {
                    w.write(l + "," + i + "," + s[i] + "\n");
                }
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(ctx.outputDir().resolve(HIDDEN_UNITS))) {
            w.write("boundary,order,incoming,outgoing\n");
            for (int l = 0; l + 1 < net.depth(); l++) {
                HiddenUnitNorms u = HiddenUnitNorms.between(net.layer(l), net.layer(l + 1));
                for (int k = 0; k < u.incoming().length; k++) {
                    w.write(l + "," + k + "," + u.incoming()[k] + "," + u.outgoing()[k] + "\n");
                }
            }
        }
    }
}
