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
import io.rankrepro.tasks.task.Effect;
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
 * <p>Claims (FIGURES.md, A-fig2; register {@code pipeline/claims/kobayashi2024.yaml}), each per seed
 * ({@code seed_offset}) with a 95% t interval: on the AdamW runs, rank(P W_Vᵀ) at λ = 0 minus at the
 * largest λ; on the SGD runs (coupled L2: the balancing theorem's setting), Spearman ρ between λ and
 * the e-folds lost by the normalised imbalance ‖PᵀP − W_VᵀW_V‖/(‖P‖² + ‖W_V‖²), and ln(relative gap
 * at λ = 0 / at the largest λ). Sanity: on SGD the raw imbalance's e-folds match −2Σln(1 − η_tλ).
 * Panels show the first seed: AdamW for rank and spectrum, SGD (when run) for imbalance and gap.
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
     * @param gapTolerance largest relative gap at the largest λ (reported beside the claim)
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

        /** e-folds lost by ‖PᵀP − W_VᵀW_V‖/(‖P‖² + ‖W_V‖²) over the run. */
        double normalizedEfolds(int l) {
            return Math.log(layer(l).get("normalized_imbalance_initial").asDouble() / layer(l).get("normalized_imbalance_final").asDouble());
        }

        String optimizer() {
            return summary.path("optimizer").asText("adamw");
        }

        long seed() {
            return summary.path("seed_offset").asLong(0);
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
        Map<String, TreeMap<Long, TreeMap<Double, Run>>> groups = read(ctx.inputs("train"));
        TreeMap<Double, Run> runs = groups.getOrDefault("adamw", groups.values().iterator().next()).firstEntry().getValue();
        TreeMap<Double, Run> balanceRuns = groups.getOrDefault("sgd", groups.getOrDefault("adamw", groups.values().iterator().next()))
                .firstEntry().getValue();
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
        String balanceOpt = balanceRuns.firstEntry().getValue().optimizer();
        XYChart imbalance = Panels.xy("layer " + detail + ", " + balanceOpt + ": ‖PᵀP − W_VᵀW_V‖_F / (‖P‖² + ‖W_V‖²) over training",
                "step", "normalised imbalance", false, true);
        XYChart gap = Panels.xy("layer " + detail + ", " + balanceOpt + ": gap Δ = ½(‖P‖² + ‖W_V‖²) − ‖P W_Vᵀ‖_* over training",
                "step", "Δ", false, true);
        XYChart loss = Panels.xy("in-context loss (fresh tasks every step)", "step", "mean squared error", false, true);
        XYChart spectrum = Panels.xy("layer " + detail + ": singular values of P W_Vᵀ at the end", "index i", "σ_i", false, true);
        String at = Integer.toString(detail);
        for (Map.Entry<Double, Run> e : balanceRuns.entrySet()) {
            String name = "λ = " + Charts.fmt(e.getKey());
            Table t = e.getValue().trajectory().where(r -> r.get("layer").equals(at));
            double[] raw = t.doubles("imbalance");
            double[] half = t.doubles("frobenius_half_sum");
            double[] normalized = new double[raw.length];
            for (int i = 0; i < raw.length; i++) {
                normalized[i] = raw[i] / (2 * half[i]);
            }
            Panels.curve(imbalance, name, t.doubles("step"), Panels.logFloor(normalized));
            Panels.curve(gap, name, t.doubles("step"), Panels.logFloor(t.doubles("gap")));
        }
        for (Map.Entry<Double, Run> e : runs.entrySet()) {
            String name = "λ = " + Charts.fmt(e.getKey());
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

        List<ClaimCheck> checks = checks(groups, c.gapTolerance());
        ClaimChecks.write(ctx.outputDir(), checks);
        StringBuilder losses = new StringBuilder();
        runs.forEach((l, r) -> losses.append(String.format(Locale.ROOT, "%s%s: %.3g", losses.isEmpty() ? "" : ", ",
                Charts.fmt(l), r.summary().get("final_loss").asDouble())));
        Figure.of("fig2", Caption.of(ctx.spec()).note(any.summary().get("optimizer").asText() + ", final loss by λ: " + losses),
                List.of(rank, imbalance, gap, gapEnd, loss, spectrum), 3).write(ctx.outputDir());
    }

    /**
     * The three claims and the SGD rate sanity check over optimizer → seed → λ → run. The rank claim
     * reads the AdamW runs, the balance claims the SGD runs; a missing optimizer falls back to the other.
     */
    static List<ClaimCheck> checks(Map<String, TreeMap<Long, TreeMap<Double, Run>>> groups, double gapTolerance) {
        TreeMap<Long, TreeMap<Double, Run>> rankRuns = groups.getOrDefault("adamw", groups.values().iterator().next());
        TreeMap<Long, TreeMap<Double, Run>> balanceRuns = groups.getOrDefault("sgd", rankRuns);
        for (TreeMap<Long, TreeMap<Double, Run>> g : groups.values()) {
            for (TreeMap<Double, Run> runs : g.values()) {
                if (!runs.containsKey(0.0) || runs.size() < 3) {
                    throw new IllegalArgumentException("the λ sweep needs λ = 0 and at least two λ > 0 per optimizer and seed; has " + runs.keySet());
                }
            }
        }
        String rankOpt = rankRuns.firstEntry().getValue().firstEntry().getValue().optimizer();
        String balanceOpt = balanceRuns.firstEntry().getValue().firstEntry().getValue().optimizer();
        int layers = rankRuns.firstEntry().getValue().firstEntry().getValue().layers();

        double[] rankDrop = perSeed(rankRuns, runs -> {
            double sum = 0;
            for (int l = 0; l < layers; l++) {
                sum += runs.firstEntry().getValue().rank(l) - runs.lastEntry().getValue().rank(l);
            }
            return sum / layers;
        });
        double[] rho = perSeed(balanceRuns, runs -> {
            double[] lambdas = runs.keySet().stream().mapToDouble(Double::doubleValue).toArray();
            double sum = 0;
            for (int l = 0; l < layers; l++) {
                int layer = l;
                sum += io.rankrepro.tasks.stats.RankCorrelation.spearman(lambdas,
                        runs.values().stream().mapToDouble(r -> r.normalizedEfolds(layer)).toArray());
            }
            return sum / layers;
        });
        double[] gapFall = perSeed(balanceRuns, runs -> {
            double sum = 0;
            for (int l = 0; l < layers; l++) {
                sum += Math.log(runs.firstEntry().getValue().relativeGap(l) / runs.lastEntry().getValue().relativeGap(l));
            }
            return sum / layers;
        });
        StringBuilder rankM = new StringBuilder();
        StringBuilder balanceM = new StringBuilder();
        StringBuilder gapM = new StringBuilder();
        StringBuilder rateM = new StringBuilder();
        boolean rateOk = true;
        int rateRuns = 0;
        for (Map.Entry<Long, TreeMap<Double, Run>> e : rankRuns.entrySet()) {
            rankM.append("seed ").append(e.getKey()).append(": ");
            for (int l = 0; l < layers; l++) {
                int layer = l;
                rankM.append("layer ").append(l).append(" ").append(series(e.getValue(), r -> r.rank(layer), "%.0f"))
                        .append(" (stable ").append(series(e.getValue(), r -> r.layer(layer).get("stable_rank").asDouble(), "%.2f")).append("); ");
            }
        }
        for (Map.Entry<Long, TreeMap<Double, Run>> e : balanceRuns.entrySet()) {
            for (int l = 0; l < layers; l++) {
                int layer = l;
                balanceM.append("seed ").append(e.getKey()).append(" layer ").append(l).append(": ")
                        .append(series(e.getValue(), r -> r.normalizedEfolds(layer), "%.3g")).append("; ");
                gapM.append("seed ").append(e.getKey()).append(" layer ").append(l).append(": relative ")
                        .append(series(e.getValue(), r -> r.relativeGap(layer), "%.3g"))
                        .append(" (absolute Δ ").append(series(e.getValue(), r -> r.gap(layer), "%.3g")).append("); ");
            }
            for (Run r : e.getValue().values()) {
                double predicted = r.summary().path("decay_efolds").asDouble(Double.NaN);
                // above ~10 e-folds the float32 weights' rounding floor, not the decay, sets the imbalance
                if (r.lambda() <= 0 || !(predicted <= RATE_SANITY_MAX_EFOLDS)) {
                    continue;
                }
                for (int l = 0; l < layers; l++) {
                    double measured = -Math.log(r.imbalanceRatio(l));
                    rateRuns++;
                    rateOk &= Math.abs(measured / predicted - 1) <= RATE_SANITY_TOLERANCE;
                    rateM.append(String.format(Locale.ROOT, "seed %d λ=%s layer %d: %.3f vs %.3f; ", e.getKey(), Charts.fmt(r.lambda()), l,
                            measured, predicted));
                }
            }
        }
        String topName = Charts.fmt(rankRuns.firstEntry().getValue().lastKey());
        List<ClaimCheck> out = new java.util.ArrayList<>(List.of(
                ClaimCheck.claim("fig2-pv-rank-falls",
                        "weight decay on attention lowers the rank of P W_V (" + rankOpt + ")",
                        "numerical rank of P W_Vᵀ at the end by λ — " + rankM.toString().trim(),
                        "per seed: mean over layers of rank at λ = 0 − rank at λ = " + topName + "; 95% t interval over seeds above 0",
                        Effect.overSeeds("per seed: mean over layers of the drop in numerical rank of P W_Vᵀ, λ = 0 → largest λ", rankDrop, 0)),
                ClaimCheck.claim("fig2-imbalance-decays-faster",
                        "‖PᵀP − W_V W_Vᵀ‖ decays faster with larger λ (" + balanceOpt + ", normalised by ‖P‖² + ‖W_V‖²)",
                        "e-folds lost by the normalised imbalance by λ — " + balanceM.toString().trim(),
                        "per seed: mean over layers of Spearman ρ(λ, e-folds lost); 95% t interval over seeds above 0",
                        Effect.overSeeds("per seed: Spearman ρ between λ and the normalised imbalance's e-folds, mean over layers", rho, 0)),
                ClaimCheck.claim("fig2-gap-vanishes",
                        "the gap Δ = ½(‖P‖² + ‖W_V‖²) − ‖P W_Vᵀ‖_* goes to 0 as λ grows (" + balanceOpt + ")",
                        "relative Δ at the end by λ — " + gapM.toString().trim() + String.format(Locale.ROOT, " (bound %s reported)", Charts.fmt(gapTolerance)),
                        "per seed: mean over layers of ln(relative Δ at λ = 0 / at the largest λ); 95% t interval over seeds above 0",
                        Effect.overSeeds("per seed: e-folds by which the relative gap falls from λ = 0 to the largest λ", gapFall, 0))));
        if (balanceOpt.equals("sgd")) {
            out.add(ClaimCheck.sanity("sgd-imbalance-rate",
                    "with plain SGD and coupled L2, ‖PᵀP − W_VᵀW_V‖ shrinks by Π(1 − η_tλ)² up to O(η²): e-folds = −2Σ ln(1 − η_tλ)",
                    rateRuns == 0 ? "no SGD run with λ > 0 and at most " + RATE_SANITY_MAX_EFOLDS + " predicted e-folds" : "measured vs predicted e-folds — " + rateM.toString().trim(),
                    String.format(Locale.ROOT, "within %.0f%% for every SGD run with 0 < predicted ≤ %s e-folds", 100 * RATE_SANITY_TOLERANCE,
                            Charts.fmt(RATE_SANITY_MAX_EFOLDS)),
                    rateRuns > 0 && rateOk));
        }
        return out;
    }

    static final double RATE_SANITY_MAX_EFOLDS = 10;
    static final double RATE_SANITY_TOLERANCE = 0.2;

    private static double[] perSeed(TreeMap<Long, TreeMap<Double, Run>> bySeed, java.util.function.ToDoubleFunction<TreeMap<Double, Run>> f) {
        return bySeed.values().stream().mapToDouble(f).toArray();
    }

    private static String series(TreeMap<Double, Run> runs, java.util.function.ToDoubleFunction<Run> f, String format) {
        StringBuilder s = new StringBuilder();
        runs.forEach((l, r) -> s.append(s.isEmpty() ? "" : ", ").append("λ=").append(Charts.fmt(l)).append(": ")
                .append(String.format(Locale.ROOT, format, f.applyAsDouble(r))));
        return s.toString();
    }

    /** optimizer → seed offset → λ → run. */
    static Map<String, TreeMap<Long, TreeMap<Double, Run>>> read(List<TaskInput> inputs) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, TreeMap<Long, TreeMap<Double, Run>>> runs = new TreeMap<>();
        for (TaskInput in : inputs) {
            JsonNode s = json.readTree(in.dir().resolve(InContextTrainTask.SUMMARY).toFile());
            Run r = new Run(s.get("lambda").asDouble(), s, Table.read(in.dir().resolve(InContextTrainTask.TRAJECTORY)),
                    Table.read(in.dir().resolve(InContextTrainTask.LOSS)), Table.read(in.dir().resolve(InContextTrainTask.SPECTRA)));
            if (runs.computeIfAbsent(r.optimizer(), k -> new TreeMap<>()).computeIfAbsent(r.seed(), k -> new TreeMap<>()).put(r.lambda(), r) != null) {
                throw new IllegalArgumentException("two in-context/train inputs with " + r.optimizer() + ", seed " + r.seed() + ", λ = " + r.lambda());
            }
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException("no in-context/train inputs");
        }
        return runs;
    }
}
