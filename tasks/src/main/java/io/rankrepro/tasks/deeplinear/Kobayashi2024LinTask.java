package io.rankrepro.tasks.deeplinear;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.Effect;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.weightdecay.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * {@code kobayashi2024/lin} (gather over depth × λ): deep linear networks. Panels: numerical and
 * stable rank of the end-to-end product vs λ per depth (with rank W*); the product's singular
 * values vs λ at {@code detail_depth} (with the balanced prediction for coupled decay); the first
 * layer's singular values (basis-free) and the sorted hidden-unit norms (basis-dependent) vs λ;
 * the product's spectrum over training at {@code detail_lambda}.
 *
 * <p>Checks: at {@code check_lambda} the product's numerical rank equals rank(W*) for every depth
 * while at λ = 0 it exceeds it; the first layer keeps rank(W*) directions at {@code check_lambda};
 * for SGD, the top singular values match {@link BalancedDeepLinear} within {@code prediction_tolerance}.
 *
 * <p>Params: {@link Config}. Reads {@code summary.json}, {@code spectra.csv}, {@code layer_spectra.csv}
 * and {@code hidden_units.csv} of every {@code train}.
 */
public final class Kobayashi2024LinTask implements Task {
    private static final double ZERO_AT = 1e-4;

    @Override
    public String kind() {
        return "kobayashi2024/lin";
    }

    /**
     * @param detailDepth         the depth of the detail panels (one of the swept depths)
     * @param detailLambda        the λ of the spectrum-over-training panel (one of the swept λ)
     * @param checkLambda         the λ at which the rank checks expect rank(W*) (one of the swept λ)
     * @param predictionTolerance largest deviation from the balanced prediction (SGD only)
     */
    public record Config(int detailDepth, double detailLambda, double checkLambda, double predictionTolerance) {
        public Config {
            ParamCheck.range("detail_depth", detailDepth, 1, 16);
            ParamCheck.range("detail_lambda", detailLambda, 0, 100);
            ParamCheck.positive("check_lambda", checkLambda, 100);
            ParamCheck.positive("prediction_tolerance", predictionTolerance, 10);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("train", DeepLinearTrainTask.SUMMARY, DeepLinearTrainTask.SPECTRA, DeepLinearTrainTask.LAYER_SPECTRA,
                    DeepLinearTrainTask.HIDDEN_UNITS)
            .writes(ClaimChecks.FILE_NAME, "lin.png", "lin.svg")
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    /** One trained network as the figure sees it. */
    record Run(int depth, double lambda, JsonNode summary, Table spectra, Table layers, Table units) {
        int numericalRank() {
            return summary.get("numerical_rank").asInt();
        }

        double[] finalSingularValues() {
            double[] s = new double[summary.get("singular_values").size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = summary.get("singular_values").get(i).asDouble();
            }
            return s;
        }
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        TreeMap<Integer, TreeMap<Double, Run>> runs = read(ctx.inputs("train"));
        Run any = runs.firstEntry().getValue().firstEntry().getValue();
        int teacherRank = any.summary().get("teacher_rank").asInt();
        double relTol = any.summary().get("rel_tol").asDouble();
        String optimizer = any.summary().get("optimizer").asText();
        double[] teacherSv = new double[teacherRank];
        for (int i = 0; i < teacherRank; i++) {
            teacherSv[i] = any.summary().get("teacher_singular_values").get(i).asDouble();
        }
        int detailDepth = c.detailDepth();
        TreeMap<Double, Run> detail = runs.get(detailDepth);
        if (detail == null) {
            throw new IllegalArgumentException("detail_depth " + detailDepth + " is not among the swept depths " + runs.keySet());
        }
        String lamAxis = "λ (λ = 0 drawn at " + ZERO_AT + ")";

        XYChart numRank = Panels.xy("numerical rank of W_1⋯W_L (σ > " + relTol + "·σ_max)", lamAxis, "rank", true, false);
        XYChart stableRank = Panels.xy("stable rank ‖W‖_F²/‖W‖_2² of the product", lamAxis, "stable rank", true, false);
        for (Map.Entry<Integer, TreeMap<Double, Run>> e : runs.entrySet()) {
            double[] x = e.getValue().keySet().stream().mapToDouble(l -> Charts.lambdaAxis(l, ZERO_AT)).toArray();
            Panels.line(numRank, "depth " + e.getKey(), x, e.getValue().values().stream().mapToDouble(Run::numericalRank).toArray());
            Panels.line(stableRank, "depth " + e.getKey(), x,
                    e.getValue().values().stream().mapToDouble(r -> r.summary().get("stable_rank").asDouble()).toArray());
        }
        double[] span = {ZERO_AT, Math.max(ZERO_AT * 10, runs.firstEntry().getValue().lastKey())};
        dashed(Panels.curve(numRank, "rank W* = " + teacherRank, span, new double[] {teacherRank, teacherRank}));

        double[] lx = detail.keySet().stream().mapToDouble(l -> Charts.lambdaAxis(l, ZERO_AT)).toArray();
        XYChart sv = Panels.xy("depth " + detailDepth + ": singular values of the product", lamAxis, "σ_i", true, true);
        int dim = any.finalSingularValues().length;
        for (int i = 0; i < dim; i++) {
            int idx = i;
            XYSeries s = Panels.line(sv, i < teacherRank ? "σ" + (i + 1) : (i == teacherRank ? "σ" + (i + 1) + "…σ" + dim : " " + (i + 1)),
                    lx, detail.values().stream().mapToDouble(r -> Math.max(r.finalSingularValues()[idx], 1e-12)).toArray());
            s.setShowInLegend(i <= teacherRank);
        }
        if (optimizer.equals("sgd")) {
            for (int i = 0; i < teacherRank; i++) {
                double target = teacherSv[i];
                double[] pred = detail.keySet().stream().mapToDouble(l -> Math.max(BalancedDeepLinear.productSingularValue(target, l, detailDepth), 1e-12)).toArray();
                XYSeries s = dashed(Panels.curve(sv, i == 0 ? "balanced prediction" : "pred " + (i + 1), lx, pred));
                s.setShowInLegend(i == 0);
            }
        }

        XYChart layer1 = Panels.xy("depth " + detailDepth + ": singular values of W_1 (basis-free)", "index i", "σ_i(W_1)", false, true);
        XYChart units = Panels.xy("depth " + detailDepth + ": hidden units after W_1, sorted (basis-dependent)", "unit (sorted)",
                "sqrt(‖in‖² + ‖out‖²)", false, true);
        for (Map.Entry<Double, Run> e : detail.entrySet()) {
            String name = "λ = " + Charts.fmt(e.getKey());
            Table l0 = e.getValue().layers().where(r -> r.get("layer").equals("0"));
            Panels.line(layer1, name, IntStream.range(1, l0.rows().size() + 1).asDoubleStream().toArray(), Panels.logFloor(l0.doubles("sigma")));
            if (detailDepth > 1) {
                Table u = e.getValue().units().where(r -> r.get("boundary").equals("0"));
                double[] in = u.doubles("incoming");
                double[] out = u.doubles("outgoing");
                double[] both = new double[in.length];
                for (int k = 0; k < in.length; k++) {
                    both[k] = Math.max(Math.hypot(in[k], out[k]), 1e-12);
                }
                Panels.line(units, name, IntStream.range(1, in.length + 1).asDoubleStream().toArray(), both);
            }
        }

        double detailLambda = c.detailLambda();
        Run over = detail.get(detailLambda);
        if (over == null) {
            throw new IllegalArgumentException("detail_lambda " + detailLambda + " is not among the swept λ " + detail.keySet());
        }
        XYChart time = Panels.xy("depth " + detailDepth + ", λ = " + Charts.fmt(detailLambda) + ": product spectrum over training",
                "step (step 0 drawn at 0.5)", "σ_i", true, true);
        for (int i = 0; i < dim; i++) {
            String idx = Integer.toString(i);
            Table rows = over.spectra().where(r -> r.get("index").equals(idx));
            double[] steps = rows.doubles("step");
            for (int k = 0; k < steps.length; k++) {
                steps[k] = Math.max(steps[k], 0.5);
            }
            XYSeries s = Panels.curve(time, "σ" + (i + 1), steps, Panels.logFloor(rows.doubles("sigma")));
            s.setShowInLegend(i < teacherRank + 1);
        }

        List<ClaimCheck> checks = checks(runs, teacherRank, relTol, optimizer, teacherSv, c);
        ClaimChecks.write(ctx.outputDir(), checks);
        Figure.of("lin", Caption.of(ctx.spec()).note("optimizer " + optimizer + ", rank W* = " + teacherRank),
                List.of(numRank, stableRank, sv, layer1, units, time), 3).write(ctx.outputDir());
    }

    static List<ClaimCheck> checks(TreeMap<Integer, TreeMap<Double, Run>> runs, int teacherRank, double relTol, String optimizer,
                                   double[] teacherSv, Config c) {
        double checkLambda = c.checkLambda();
        List<ClaimCheck> checks = new ArrayList<>();
        StringBuilder rankMeasured = new StringBuilder();
        StringBuilder layerMeasured = new StringBuilder();
        double rankMiss = 0;
        double hiddenContrast = Double.POSITIVE_INFINITY;
        for (Map.Entry<Integer, TreeMap<Double, Run>> e : runs.entrySet()) {
            Run zero = e.getValue().get(0.0);
            Run moderate = e.getValue().get(checkLambda);
            if (zero == null || moderate == null) {
                throw new IllegalArgumentException("depth " + e.getKey() + ": the sweep needs λ = 0 and check_lambda = " + checkLambda
                        + "; has " + e.getValue().keySet());
            }
            rankMeasured.append(String.format(Locale.ROOT, "depth %d: rank %d at λ=0, %d at λ=%s; ", e.getKey(),
                    zero.numericalRank(), moderate.numericalRank(), Charts.fmt(checkLambda)));
            rankMiss = Math.max(rankMiss, Math.abs(moderate.numericalRank() - teacherRank));
            double[] l0 = moderate.layers().where(r -> r.get("layer").equals("0")).doubles("sigma");
            int kept = (int) java.util.Arrays.stream(l0).filter(s -> s > relTol * l0[0]).count();
            int kept0;
            {
                double[] z0 = zero.layers().where(r -> r.get("layer").equals("0")).doubles("sigma");
                kept0 = (int) java.util.Arrays.stream(z0).filter(s -> s > relTol * z0[0]).count();
            }
            int units = -1;
            if (e.getKey() > 1) {
                Table u = moderate.units().where(r -> r.get("boundary").equals("0"));
                double[] in = u.doubles("incoming");
                double[] out = u.doubles("outgoing");
                double max = Math.hypot(in[0], out[0]);
                units = (int) IntStream.range(0, in.length).filter(k -> Math.hypot(in[k], out[k]) > relTol * max).count();
            }
            layerMeasured.append(String.format(Locale.ROOT, "depth %d: W_1 directions above %s·σ_max: %d at λ=0, %d at λ=%s%s; ",
                    e.getKey(), relTol, kept0, kept, Charts.fmt(checkLambda),
                    units < 0 ? "" : String.format(Locale.ROOT, " (hidden units in the trained basis above %s·max: %d)", relTol, units)));
            hiddenContrast = Math.min(hiddenContrast, hiddenContrast(kept0, kept, teacherRank));
        }
        // with online data λ = 0 also converges to W* (rank r*): the product's claim has no λ = 0 contrast;
        // the paper's contrast is in the hidden units (W_1), the next claim
        checks.add(ClaimCheck.claim("lin-product-rank-to-teacher",
                "weight decay makes the end-to-end product of a deep linear network low rank: its rank falls toward rank(W*)",
                rankMeasured.toString().trim(),
                String.format(Locale.ROOT, "for every depth: numerical rank (τ = %s) at λ = %s equals rank(W*) = %d (−max miss > −0.5)",
                        relTol, Charts.fmt(checkLambda), teacherRank),
                Effect.deterministic("−max over depths of |rank(W_1⋯W_L) at check_lambda − rank(W*)|", -rankMiss, -0.5)));
        checks.add(ClaimCheck.claim("lin-unused-hidden-vanish",
                "unused hidden units go to 0 (basis-free form: the first layer keeps only rank(W*) directions; a linear net's hidden basis is arbitrary)",
                layerMeasured.toString().trim(),
                String.format(Locale.ROOT, "for every depth: W_1 keeps exactly rank(W*) = %d singular values above %s·σ_max at λ = %s and more at λ = 0",
                        teacherRank, relTol, Charts.fmt(checkLambda)),
                Effect.deterministic("min over depths of [W_1's directions at λ = 0 − at check_lambda] (−miss where check_lambda does not keep exactly rank(W*))",
                        hiddenContrast, 0)));
        if (optimizer.equals("sgd")) {
            double tol = c.predictionTolerance();
            double worst = 0;
            StringBuilder m = new StringBuilder();
            for (Map.Entry<Integer, TreeMap<Double, Run>> e : runs.entrySet()) {
                double depthWorst = 0;
                for (Map.Entry<Double, Run> r : e.getValue().entrySet()) {
                    double[] s = r.getValue().finalSingularValues();
                    for (int i = 0; i < teacherRank; i++) {
                        double pred = BalancedDeepLinear.productSingularValue(teacherSv[i], r.getKey(), e.getKey());
                        depthWorst = Math.max(depthWorst, Math.abs(s[i] - pred));
                    }
                }
                m.append(String.format(Locale.ROOT, "depth %d: max |σ_i − σ_i^pred| = %.3g over λ and i ≤ rank W*; ", e.getKey(), depthWorst));
                worst = Math.max(worst, depthWorst);
            }
            checks.add(ClaimCheck.claim("lin-balanced-critical-point",
                    "with coupled decay (SGD) the layers balance and each singular value of W* is shrunk as the balanced critical point predicts (soft threshold at depth 2)",
                    m.toString().trim(),
                    String.format(Locale.ROOT, "max deviation < %s for every depth and λ", tol),
                    Effect.deterministic("−max deviation from the balanced-critical-point prediction over depths, λ and i ≤ rank W*", -worst, -tol)));
        }
        return checks;
    }

    /**
     * W_1's directions at λ = 0 minus at check_lambda when check_lambda keeps exactly rank(W*) of them;
     * otherwise minus the miss (so a depth where decay leaves the wrong count never passes).
     */
    static double hiddenContrast(int keptAtZero, int keptAtCheck, int teacherRank) {
        return keptAtCheck == teacherRank ? keptAtZero - keptAtCheck : -Math.abs(keptAtCheck - teacherRank);
    }

    private static TreeMap<Integer, TreeMap<Double, Run>> read(List<TaskInput> inputs) throws IOException {
        ObjectMapper json = new ObjectMapper();
        TreeMap<Integer, TreeMap<Double, Run>> runs = new TreeMap<>();
        for (TaskInput in : inputs) {
            JsonNode s = json.readTree(in.dir().resolve(DeepLinearTrainTask.SUMMARY).toFile());
            Run r = new Run(s.get("depth").asInt(), s.get("lambda").asDouble(), s,
                    Table.read(in.dir().resolve(DeepLinearTrainTask.SPECTRA)),
                    Table.read(in.dir().resolve(DeepLinearTrainTask.LAYER_SPECTRA)),
                    Table.read(in.dir().resolve(DeepLinearTrainTask.HIDDEN_UNITS)));
            runs.computeIfAbsent(r.depth(), d -> new TreeMap<>()).put(r.lambda(), r);
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException("no deep-linear/train inputs");
        }
        return runs;
    }

    private static XYSeries dashed(XYSeries s) {
        s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }
}
