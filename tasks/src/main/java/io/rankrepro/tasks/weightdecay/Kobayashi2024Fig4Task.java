package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.Effect;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code kobayashi2024/fig4} (gather over the {@code analyze} stage's {@code balance/analyze} outputs,
 * {@code balance.csv} and {@code source.json}; params: {@link Config}): Frobenius side
 * ½(‖W_Q^h‖² + ‖W_K^h‖²) vs nuclear side ‖W_K^hᵀW_Q^h‖_* for every layer and head (and P^h, W_V^h),
 * with the line y = x the two sides meet on exactly when a head is balanced. {@code fig4.png}: all
 * layers, KQ and PV panels, final checkpoints of each run plus the initialization of the first;
 * {@code figA2.png}: one panel per layer. {@code balance_summary.csv}: median and max relative gap
 * Δ/Frobenius side per run, step and product.
 *
 * <p>Claim (the paper: a model trained with AdamW λ = 0.1 is nearly balanced), paired by seed: per
 * seed, the smaller over KQ and PV of ln(min(median relative gap at initialization, at λ = 0 after
 * training) / median relative gap at {@code check_lambda} after training), 95% t interval above 0.
 * Random tall factors (d ≫ d_h) already start below any absolute bound such as 0.1, so the bound
 * alone cannot fail; it is reported beside. A standalone checkpoint (no sweep) is held to the bound
 * {@code max_median_relative_gap}, all that one file allows.
 */
public final class Kobayashi2024Fig4Task implements Task {
    static final String SUMMARY = "balance_summary.csv";

    @Override
    public String kind() {
        return "kobayashi2024/fig4";
    }

    /**
     * @param lambdaKey            the swept parameter that labels each run (a standalone file has none)
     * @param checkLambda          the run whose balance is checked
     * @param maxMedianRelativeGap the largest median relative gap Δ/Frobenius side that counts as balanced
     *                             (reported; the claim for a standalone checkpoint)
     * @param seedKey              the swept parameter that repeats a configuration (pairs runs)
     */
    public record Config(String lambdaKey, double checkLambda, double maxMedianRelativeGap, @Default("seed_offset") String seedKey) {
        public Config {
            ParamCheck.require(seedKey != null && !seedKey.isBlank(), "seed_key", "required");
            ParamCheck.require(lambdaKey != null, "lambda_key", "required");
            ParamCheck.range("check_lambda", checkLambda, 0, 100);
            ParamCheck.positive("max_median_relative_gap", maxMedianRelativeGap, 1);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("analyze", BalanceAnalyzeTask.TABLE, BalanceAnalyzeTask.SOURCE)
            .writes("fig4.png", "fig4.svg", "figA2.png", "figA2.svg", SUMMARY, ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    /** One analysed checkpoint series; {@code lambda} is NaN for a standalone file. */
    record Source(String label, double lambda, long seed, Table rows, long firstStep, long lastStep) { }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config p = ctx.params(Config.class);
        String key = p.lambdaKey();
        List<Source> sources = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (TaskInput in : ctx.inputs("analyze")) {
            JsonNode src = json.readTree(in.dir().resolve(BalanceAnalyzeTask.SOURCE).toFile());
            Object l = in.sweepPoint().get(key);
            double lambda = l instanceof Number n ? n.doubleValue() : Double.NaN;
            long seed = in.sweepPoint().get(p.seedKey()) instanceof Number n ? n.longValue() : 0;
            String label = l != null ? "λ_att = " + Charts.fmt(lambda) + (in.sweepPoint().containsKey(p.seedKey()) ? ", seed " + seed : "")
                    : src.get("source").asText();
            long first = src.get("steps").get(0).asLong();
            long last = src.get("steps").get(src.get("steps").size() - 1).asLong();
            sources.add(new Source(label, lambda, seed, Table.read(in.dir().resolve(BalanceAnalyzeTask.TABLE)), first, last));
        }
        if (sources.isEmpty()) {
            throw new IllegalStateException("no balance/analyze inputs among " + ctx.inputs().stream().map(TaskInput::taskId).toList());
        }
        sources.sort(java.util.Comparator.comparingDouble(Source::lambda).thenComparingLong(Source::seed));

        List<XYChart> main = new ArrayList<>();
        for (String product : List.of("KQ", "PV")) {
            String title = product.equals("KQ") ? "W_Q, W_K: every layer and head" : "W_V, P: every layer and head";
            XYChart c = Panels.xy(title, frobAxis(product), nucAxis(product), false, false);
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
            Source s0 = sources.get(0);
            if (s0.firstStep() != s0.lastStep()) {
                XYSeries init = points(c, "initialization (" + s0.label() + ")", s0, product, s0.firstStep(), -1);
                init.setMarkerColor(Color.LIGHT_GRAY);
            }
            for (Source s : sources) {
                points(c, s.label() + (s.firstStep() != s.lastStep() ? ", step " + s.lastStep() : ""), s, product, s.lastStep(), -1);
            }
            identity(c);
            main.add(c);
        }
        Figure.of("fig4", Caption.of(ctx.spec()), main, 2).write(ctx.outputDir());

        int layers = (int) Arrays.stream(sources.get(0).rows().doubles("layer")).max().orElse(0) + 1;
        List<XYChart> perLayer = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (String product : List.of("KQ", "PV")) {
                XYChart c = Panels.xy("layer " + l + ", " + product, frobAxis(product), nucAxis(product), false, false);
                c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
                for (Source s : sources) {
                    points(c, s.label(), s, product, s.lastStep(), l);
                }
                identity(c);
                perLayer.add(c);
            }
        }
        Figure.of("figA2", Caption.of(ctx.spec()).note("per layer (Fig. A2 analogue)"), perLayer, 4).write(ctx.outputDir());

        Map<String, double[]> medians = new TreeMap<>();
        try (Table.Writer w = Table.writer(ctx.outputDir().resolve(SUMMARY), "run", "lambda", "step", "product", "median_relative_gap",
                "max_relative_gap", "heads")) {
            for (Source s : sources) {
                for (long step : new long[] {s.firstStep(), s.lastStep()}) {
                    for (String product : List.of("KQ", "PV")) {
                        double[] g = s.rows().where(r -> r.get("product").equals(product) && Long.parseLong(r.get("step")) == step)
                                .doubles("relative_gap");
                        Arrays.sort(g);
                        w.row(s.label().replace(",", ";"), s.lambda(), step, product, median(g), g[g.length - 1], g.length);
                        String at = step == s.lastStep() ? "" : "|init";
                        medians.put(key(s.lambda(), s.seed(), product) + at, new double[] {median(g), g[g.length - 1]});
                    }
                    if (s.firstStep() == s.lastStep()) {
                        break;
                    }
                }
            }
        }
        ClaimChecks.write(ctx.outputDir(), List.of(check(sources, medians, p)));
    }

    static String key(double lambda, long seed, String product) {
        return lambda + "|" + seed + "|" + product;
    }

    static ClaimCheck check(List<Source> sources, Map<String, double[]> medians, Config p) {
        double checkLambda = p.checkLambda();
        double tol = p.maxMedianRelativeGap();
        StringBuilder m = new StringBuilder();
        for (Source s : sources) {
            double[] kq = medians.get(key(s.lambda(), s.seed(), "KQ"));
            double[] pv = medians.get(key(s.lambda(), s.seed(), "PV"));
            m.append(String.format(Locale.ROOT, "%s (step %d): median Δ/Frobenius KQ %.3g, PV %.3g (max %.3g, %.3g)",
                    s.label(), s.lastStep(), kq[0], pv[0], kq[1], pv[1]));
            double[] kqInit = medians.get(key(s.lambda(), s.seed(), "KQ") + "|init");
            if (kqInit != null) {
                m.append(String.format(Locale.ROOT, ", at step %d KQ %.3g, PV %.3g", s.firstStep(), kqInit[0],
                        medians.get(key(s.lambda(), s.seed(), "PV") + "|init")[0]));
            }
            m.append("; ");
        }
        String claim = "in a model trained with weight decay on attention, ½(‖W_Q^h‖²+‖W_K^h‖²) ≈ ‖W_K^hᵀW_Q^h‖_* (and likewise P^h, W_V^h) for every head: the factors are balanced";
        if (sources.stream().allMatch(s -> Double.isNaN(s.lambda()))) {
            Source s = sources.get(0);
            double worst = Math.max(medians.get(key(s.lambda(), s.seed(), "KQ"))[0], medians.get(key(s.lambda(), s.seed(), "PV"))[0]);
            return ClaimCheck.claim("fig4-heads-balanced", claim, m.toString().trim(),
                    String.format(Locale.ROOT, "the given checkpoint: median relative gap Δ/Frobenius side < %s for KQ and PV", tol),
                    Effect.deterministic("−max over KQ, PV of the median relative gap of the given checkpoint", -worst, -tol));
        }
        if (sources.stream().noneMatch(s -> s.lambda() == checkLambda)) {
            throw new IllegalArgumentException("check_lambda " + checkLambda + " is not among the runs " + sources.stream().map(Source::label).toList());
        }
        List<Double> perSeed = new ArrayList<>();
        for (Source s : sources) {
            if (s.lambda() != checkLambda) {
                continue;
            }
            double worst = Double.POSITIVE_INFINITY;
            for (String product : List.of("KQ", "PV")) {
                double gap = medians.get(key(checkLambda, s.seed(), product))[0];
                double[] init = medians.get(key(checkLambda, s.seed(), product) + "|init");
                double[] zero = checkLambda == 0 ? null : medians.get(key(0.0, s.seed(), product));
                double reference = Math.min(init == null ? Double.NaN : init[0], zero == null ? Double.NaN : zero[0]);
                worst = Math.min(worst, Math.log(reference / gap));
            }
            perSeed.add(worst);
        }
        m.append("per seed, min over KQ/PV of ln(min(init, λ = 0) / λ = ").append(Charts.fmt(checkLambda)).append("): ")
                .append(perSeed.stream().map(v -> String.format(Locale.ROOT, "%.3g", v)).collect(java.util.stream.Collectors.joining(", ")));
        return ClaimCheck.claim("fig4-heads-balanced", claim, m.toString().trim(),
                String.format(Locale.ROOT, "per seed: min over KQ, PV of ln(min(median gap at init, at λ_att = 0) / median gap at λ_att = %s) > 0 "
                        + "(95%% t interval over seeds); the absolute median is reported beside the bound %s", Charts.fmt(checkLambda), tol),
                Effect.overSeeds("per seed: e-folds by which λ_att = " + Charts.fmt(checkLambda)
                        + " balances the heads beyond both the initialization and λ_att = 0", perSeed.stream().mapToDouble(Double::doubleValue).toArray(), 0));
    }

    private static XYSeries points(XYChart c, String name, Source s, String product, long step, int layer) {
        Table r = s.rows().where(row -> row.get("product").equals(product) && Long.parseLong(row.get("step")) == step
                && (layer < 0 || Integer.parseInt(row.get("layer")) == layer));
        XYSeries series = Panels.scatter(c, name, r.doubles("frobenius_side"), r.doubles("nuclear_side"));
        series.setMarker(SeriesMarkers.CIRCLE);
        return series;
    }

    private static void identity(XYChart c) {
        double max = 0;
        for (XYSeries s : c.getSeriesMap().values()) {
            for (double v : s.getXData()) {
                max = Math.max(max, v);
            }
        }
        XYSeries line = Panels.curve(c, "y = x (balanced)", new double[] {0, max * 1.05}, new double[] {0, max * 1.05});
        line.setLineColor(Color.BLACK);
    }

    private static String frobAxis(String product) {
        return product.equals("KQ") ? "½(‖W_Q^h‖² + ‖W_K^h‖²)" : "½(‖P^h‖² + ‖W_V^h‖²)";
    }

    private static String nucAxis(String product) {
        return product.equals("KQ") ? "‖W_K^hᵀ W_Q^h‖_*" : "‖P^h W_V^hᵀ‖_*";
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
