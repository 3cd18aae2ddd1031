package io.rankrepro.tasks.gradual;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import org.knowm.xchart.style.Styler;
import io.rankrepro.tasks.rank.RankTables;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import org.knowm.xchart.XYChart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code boix2023/app} (B-app): B-fig3's metric for every layer — stable rank of ΔKQ (blue) and ΔPV
 * (orange) vs training step, mean ± std over the heads — one row per trained model (sweep point), one
 * column per layer. Checks, per model and product, over all layers: the stable rank grows (final &gt; first
 * checkpoint at or after {@code from_step}) in every layer, and the final ΔKQ stable rank stays below
 * {@code max_rank_fraction}·d_h in every layer.
 *
 * <p>Params: {@link Config} ({@code from_step}, {@code max_rank_fraction}). Reads
 * {@code ranks_by_layer.csv} of every {@code analyze} task and {@code model.json} of the
 * {@code train} task of the same sweep point.
 */
public final class PerLayerStableRankFigure implements Task {

    @Override
    public String kind() {
        return "boix2023/app";
    }

    /**
     * @param fromStep        growth is measured from the first checkpoint at or after this step
     *                        (0: the first with Δ ≠ 0)
     * @param maxRankFraction the final mean stable rank of ΔKQ must stay below this fraction of d_h, in every layer
     */
    public record Config(@Default("0") long fromStep, @Default("0.5") double maxRankFraction) {
        public Config {
            ParamCheck.require(fromStep >= 0, "from_step", "must be >= 0, got " + fromStep);
            ParamCheck.positive("max_rank_fraction", maxRankFraction, 1);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(AnalysisRun.ANALYZE, RankTables.BY_LAYER)
            .reads(AnalysisRun.TRAIN, AnalysisRun.MODEL)
            .writes("B-app.png", "B-app-*.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config config = ctx.params(Config.class);
        long fromStep = config.fromStep();
        double fraction = config.maxRankFraction();
        List<AnalysisRun> runs = AnalysisRun.all(ctx, AnalysisRun.Tables.BY_LAYER);
        List<XYChart> panels = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        List<String> data = new ArrayList<>();
        int columns = runs.stream().mapToInt(AnalysisRun::layers).max().orElse(1);
        for (AnalysisRun run : runs) {
            String model = String.valueOf(run.model().get("model")).toUpperCase(Locale.ROOT);
            Object dataset = run.model().get("dataset");
            data.add(model + ": " + run.dataLabel());
            StringBuilder[] growth = {new StringBuilder(), new StringBuilder()};
            int[] grew = new int[2];
            StringBuilder finals = new StringBuilder();
            double worst = 0;
            for (int layer = 0; layer < run.layers(); layer++) {
                XYChart c = Panels.xy(model + " / " + dataset + " — layer " + (layer + 1) + ", d_h = " + run.headWidth(),
                        "training step", "stable rank", true, false, Styler.LegendPosition.InsideNW);
                for (int k = 0; k < 2; k++) {
                    String product = k == 0 ? "KQ" : "PV";
                    StableRankCurvesFigure.addBand(c, "Δ" + product, run.series(layer, product, "delta", "stable_rank"),
                            k == 0 ? StableRankCurvesFigure.BLUE : StableRankCurvesFigure.ORANGE);
                    RankGrowth g = RankGrowth.of(run.series(layer, product, "delta", "stable_rank"), fromStep);
                    grew[k] += g.grows() ? 1 : 0;
                    growth[k].append(String.format(Locale.ROOT, " L%d %.2f→%.2f;", layer + 1, g.first(), g.last()));
                    if (k == 0) {
                        worst = Math.max(worst, g.last());
                        finals.append(String.format(Locale.ROOT, " L%d %.2f;", layer + 1, g.last()));
                    }
                }
                panels.add(c);
            }
            for (int i = run.layers(); i < columns; i++) { // keep one model per row when depths differ
                panels.add(Panels.xy("(no layer " + (i + 1) + ")", "training step", "stable rank", true, false, Styler.LegendPosition.InsideNW));
            }
            String from = fromStep > 0 ? "first checkpoint at or after step " + fromStep : "first checkpoint with Δ ≠ 0";
            for (int k = 0; k < 2; k++) {
                String product = k == 0 ? "KQ" : "PV";
                checks.add(new ClaimCheck("rank-grows-every-layer-" + product + "-" + dataset,
                        "stable rank of Δ" + product + " grows during training in every layer (" + model + "/" + dataset + ")",
                        String.format(Locale.ROOT, "grew in %d of %d layers (mean over heads, %s → final):%s", grew[k], run.layers(),
                                from, growth[k].toString().replaceAll(";$", "")),
                        "final > " + from + ", in every layer", grew[k] == run.layers()));
            }
            checks.add(new ClaimCheck("rank-stays-low-every-layer-KQ-" + dataset,
                    "stable rank of ΔKQ stays well below d_h in every layer (" + model + "/" + dataset + ")",
                    "final mean per layer:" + finals.toString().replaceAll(";$", "") + "; d_h = " + run.headWidth(),
                    String.format(Locale.ROOT, "every layer < %.2f·d_h = %.2f", fraction, fraction * run.headWidth()),
                    worst < fraction * run.headWidth()));
        }
        Caption caption = Caption.of(ctx.spec()).note("B-app: stable rank of ΔKQ and ΔPV in every layer (mean ± std over heads)").notes(data);
        Figure.of("B-app", caption, panels, columns).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }
}
