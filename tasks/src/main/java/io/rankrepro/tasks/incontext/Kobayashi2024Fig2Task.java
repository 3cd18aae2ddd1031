package io.rankrepro.tasks.incontext;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.weightdecay.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * {@code kobayashi2024/fig2} (gather over λ): the in-context-regression transformer. Panels:
 * numerical rank of P W_Vᵀ at the end vs λ per layer; ‖PᵀP − W_VᵀW_V‖_F and the gap
 * Δ = ½(‖P‖²+‖W_V‖²) − ‖P W_Vᵀ‖_* over training at {@code detail_layer}; the relative gap
 * Δ/½(‖P‖²+‖W_V‖²) at the end vs λ per layer; the in-context loss over training with the
 * zero-predictor and Bayes-optimal losses; the spectrum of P W_Vᵀ at the end at {@code detail_layer}.
 *
 * <p>Checks (FIGURES.md, A-fig2), per layer: rank(P W_Vᵀ) at the largest λ is below its value at
 * λ = 0; the imbalance shrinks by a factor (end / start) that decreases strictly with λ; the
 * relative gap at the largest λ is below {@code gap_tolerance} and below its value at λ = 0. The gap
 * check is relative because the absolute Δ falls with the weights' scale alone.
 *
 * <p>Params: {@link Config}. Reads {@code summary.json}, {@code trajectory.csv}, {@code loss.csv} and
 * {@code spectra.csv} of every {@code train}.
 */
public final class Kobayashi2024Fig2Task implements Task {
    private static final double ZERO_AT = 1e-3;

    @Override
    public String kind() {
        return "kobayashi2024/fig2";
    }

    /**
     * @param detailLayer  the layer of the over-training and spectrum panels (below the model's layer count)
     * @param gapTolerance largest relative gap at the largest λ
     */
    public record Config(int detailLayer, double gapTolerance) {
        public Config {
            ParamCheck.range("detail_layer", detailLayer, 0, 255);
            ParamCheck.positive("gap_tolerance", gapTolerance, 1);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("train", InContextTrainTask.SUMMARY, InContextTrainTask.TRAJECTORY, InContextTrainTask.LOSS,
                    InContextTrainTask.SPECTRA)
            .writes(ClaimChecks.FILE_NAME, "fig2.png", "fig2.svg")
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    /** One trained model as the figure sees it. */
    record Run(double lambda, JsonNode summary, Table trajectory, Table loss, Table spectra) {
        JsonNode layer(int l) {
            return summary.get("layers").get(l);
        }

        int layers() {
            return summary.get("layers").size();
        }

        int rank(int l) {
            return layer(l).get("numerical_rank").asInt();
        }

        double imbalanceRatio(int l) {
            return layer(l).get("imbalance_final").asDouble() / layer(l).get("imbalance_initial").asDouble();
        }

        double relativeGap(int l) {
            return layer(l).get("relative_gap").asDouble();
        }

        double gap(int l) {
            return layer(l).get("gap").asDouble();
        }
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        TreeMap<Double, Run> runs = read(ctx.inputs("train"));
        Run any = runs.firstEntry().getValue();
        int layers = any.layers();
        int detail = c.detailLayer();
        if (detail >= layers) {
            throw new IllegalArgumentException("detail_layer " + detail + " but the model has " + layers + " layers");
        }
        String lamAxis = "λ on attention (λ = 0 drawn at " + ZERO_AT + ")";
        double[] lx = runs.keySet().stream().mapToDouble(l -> Charts.lambdaAxis(l, ZERO_AT)).toArray();

        XYChart rank = Panels.xy("numerical rank of P W_Vᵀ at the end (σ > " + any.summary().get("rel_tol").asText() + "·σ_max)",
                lamAxis, "rank", true, false);
        XYChart gapEnd = Panels.xy("relative gap Δ / ½(‖P‖² + ‖W_V‖²) at the end", lamAxis, "relative Δ", true, false);
        for (int l = 0; l < layers; l++) {
            int layer = l;
            Panels.line(rank, "layer " + l, lx, runs.values().stream().mapToDouble(r -> r.rank(layer)).toArray());
            Panels.line(gapEnd, "layer " + l, lx, runs.values().stream().mapToDouble(r -> r.relativeGap(layer)).toArray());
        }
        XYChart imbalance = Panels.xy("layer " + detail + ": ‖PᵀP − W_VᵀW_V‖_F over training", "step", "imbalance", false, true);
        XYChart gap = Panels.xy("layer " + detail + ": gap Δ = ½(‖P‖² + ‖W_V‖²) − ‖P W_Vᵀ‖_* over training", "step", "Δ", false, true);
        XYChart loss = Panels.xy("in-context loss (fresh tasks every step)", "step", "mean squared error", false, true);
        XYChart spectrum = Panels.xy("layer " + detail + ": singular values of P W_Vᵀ at the end", "index i", "σ_i", false, true);
        for (Map.Entry<Double, Run> e : runs.entrySet()) {
            String name = "λ = " + Charts.fmt(e.getKey());
            String at = Integer.toString(detail);
            Table t = e.getValue().trajectory().where(r -> r.get("layer").equals(at));
            Panels.curve(imbalance, name, t.doubles("step"), Panels.logFloor(t.doubles("imbalance")));
            Panels.curve(gap, name, t.doubles("step"), Panels.logFloor(t.doubles("gap")));
            Panels.curve(loss, name, e.getValue().loss().doubles("step"), Panels.logFloor(e.getValue().loss().doubles("loss")));
            double[] s = e.getValue().spectra().where(r -> r.get("layer").equals(at)).doubles("sigma");
            Panels.line(spectrum, name, IntStream.range(1, s.length + 1).asDoubleStream().toArray(), Panels.logFloor(s));
        }
        double last = any.summary().get("steps").asDouble();
        double zero = any.summary().get("zero_predictor_loss").asDouble();
        double bayes = any.summary().get("bayes_optimal_loss").asDouble();
        Panels.curve(loss, "predict 0: " + Charts.fmt(zero), new double[] {0, last}, new double[] {zero, zero});
        Panels.curve(loss, "Bayes-optimal: " + String.format(Locale.ROOT, "%.3g", bayes), new double[] {0, last},
                new double[] {Math.max(bayes, 1e-12), Math.max(bayes, 1e-12)});

        List<ClaimCheck> checks = checks(runs, c.gapTolerance());
        ClaimChecks.write(ctx.outputDir(), checks);
        StringBuilder losses = new StringBuilder();
        runs.forEach((l, r) -> losses.append(String.format(Locale.ROOT, "%s%s: %.3g", losses.isEmpty() ? "" : ", ",
                Charts.fmt(l), r.summary().get("final_loss").asDouble())));
        Figure.of("fig2", Caption.of(ctx.spec()).note(any.summary().get("optimizer").asText() + ", final loss by λ: " + losses),
                List.of(rank, imbalance, gap, gapEnd, loss, spectrum), 3).write(ctx.outputDir());
    }

    static List<ClaimCheck> checks(TreeMap<Double, Run> runs, double gapTolerance) {
        if (!runs.containsKey(0.0) || runs.size() < 3) {
            throw new IllegalArgumentException("the λ sweep needs λ = 0 and at least two λ > 0; has " + runs.keySet());
        }
        Run zero = runs.get(0.0);
        Run top = runs.lastEntry().getValue();
        String topName = Charts.fmt(runs.lastKey());
        int layers = zero.layers();
        StringBuilder rankM = new StringBuilder();
        StringBuilder ratioM = new StringBuilder();
        StringBuilder gapM = new StringBuilder();
        boolean rankOk = true;
        boolean ratioOk = true;
        boolean gapOk = true;
        for (int l = 0; l < layers; l++) {
            int layer = l;
            rankM.append("layer ").append(l).append(": ").append(series(runs, r -> r.rank(layer), "%.0f")).append("; ");
            rankOk &= top.rank(l) < zero.rank(l);
            ratioM.append("layer ").append(l).append(": ").append(series(runs, r -> r.imbalanceRatio(layer), "%.3g")).append("; ");
            double previous = Double.POSITIVE_INFINITY;
            for (Run r : runs.values()) {
                ratioOk &= r.imbalanceRatio(l) < previous;
                previous = r.imbalanceRatio(l);
            }
            gapM.append("layer ").append(l).append(": relative ").append(series(runs, r -> r.relativeGap(layer), "%.3g"))
                    .append(" (absolute Δ ").append(series(runs, r -> r.gap(layer), "%.3g")).append("); ");
            gapOk &= top.relativeGap(l) <= gapTolerance && top.relativeGap(l) < zero.relativeGap(l);
        }
        return List.of(
                new ClaimCheck("pv-rank-falls-with-lambda",
                        "weight decay on attention lowers the rank of P W_V",
                        "numerical rank of P W_Vᵀ at the end by λ — " + rankM.toString().trim(),
                        "for every layer: rank at λ = " + topName + " < rank at λ = 0", rankOk),
                new ClaimCheck("imbalance-decays-faster-with-lambda",
                        "‖PᵀP − W_V W_Vᵀ‖ decays faster with larger λ",
                        "imbalance end / start by λ — " + ratioM.toString().trim(),
                        "for every layer: the ratio decreases strictly as λ grows over the whole grid", ratioOk),
                new ClaimCheck("gap-vanishes-with-lambda",
                        "the gap Δ = ½(‖P‖² + ‖W_V‖²) − ‖P W_Vᵀ‖_* goes to 0 as λ grows",
                        "relative Δ at the end by λ — " + gapM.toString().trim(),
                        String.format(Locale.ROOT, "for every layer: relative Δ at λ = %s ≤ %s and below its value at λ = 0",
                                topName, Charts.fmt(gapTolerance)), gapOk));
    }

    private static String series(TreeMap<Double, Run> runs, java.util.function.ToDoubleFunction<Run> f, String format) {
        StringBuilder s = new StringBuilder();
        runs.forEach((l, r) -> s.append(s.isEmpty() ? "" : ", ").append("λ=").append(Charts.fmt(l)).append(": ")
                .append(String.format(Locale.ROOT, format, f.applyAsDouble(r))));
        return s.toString();
    }

    private static TreeMap<Double, Run> read(List<TaskInput> inputs) throws IOException {
        ObjectMapper json = new ObjectMapper();
        TreeMap<Double, Run> runs = new TreeMap<>();
        for (TaskInput in : inputs) {
            JsonNode s = json.readTree(in.dir().resolve(InContextTrainTask.SUMMARY).toFile());
            Run r = new Run(s.get("lambda").asDouble(), s, Table.read(in.dir().resolve(InContextTrainTask.TRAJECTORY)),
                    Table.read(in.dir().resolve(InContextTrainTask.LOSS)), Table.read(in.dir().resolve(InContextTrainTask.SPECTRA)));
            if (runs.put(r.lambda(), r) != null) {
                throw new IllegalArgumentException("two in-context/train inputs with λ = " + r.lambda());
            }
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException("no in-context/train inputs");
        }
        return runs;
    }
}
