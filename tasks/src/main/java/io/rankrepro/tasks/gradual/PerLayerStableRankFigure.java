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
import io.rankrepro.tasks.task.Effect;
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
 * column per layer (the first seed drawn). Claim per network/data pair, over its seeds: the stable rank
 * grows ({@link RankTrend}'s ρ &gt; 0) in most (layer, product) pairs; the per-layer count is printed.
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
     * @param maxRankFraction the final mean stable rank of ΔKQ is printed against this fraction of d_h
     */
    public record Config(@Default("0") long fromStep, @Default("0.5") double maxRankFraction) {
        public Config {
            ParamCheck.require(fromStep >= 0, "from_step", "must be >= 0, got " + fromStep);
            ParamCheck.positive("max_rank_fraction", maxRankFraction, 1);
        }
    }

    /**
     * {@code rank-grows-layers-<model>}: per seed the fraction of (layer, product) pairs whose trend ρ is
     * positive; the count per layer over seeds and the final ΔKQ stable ranks are printed.
     */
    static ClaimCheck layersClaim(List<AnalysisRun> pair, long fromStep, double fraction) {
        AnalysisRun first = pair.get(0);
        int layers = first.layers();
        int[][] grew = new int[layers][2];
        double[] perSeed = new double[pair.size()];
        StringBuilder finals = new StringBuilder();
        for (int i = 0; i < pair.size(); i++) {
            AnalysisRun run = pair.get(i);
            int up = 0;
            finals.append(" seed ").append(run.seed()).append(':');
            for (int layer = 0; layer < layers; layer++) {
                for (int k = 0; k < 2; k++) {
                    RankTrend t = RankTrend.of(run.series(layer, k == 0 ? "KQ" : "PV", "delta", "stable_rank"), fromStep);
                    if (t.rho() > 0) {
                        grew[layer][k]++;
                        up++;
                    }
                    if (k == 0) {
                        finals.append(String.format(Locale.ROOT, " L%d %.2f", layer + 1, t.last()));
                    }
                }
            }
            perSeed[i] = up / (2.0 * layers);
            finals.append(';');
        }
        StringBuilder count = new StringBuilder();
        for (int layer = 0; layer < layers; layer++) {
            count.append(String.format(Locale.ROOT, " L%d ΔKQ %d/%d, ΔPV %d/%d;", layer + 1, grew[layer][0], pair.size(), grew[layer][1], pair.size()));
        }
        String model = String.valueOf(first.model().get("model"));
        Effect effect = SeedEffect.of("fraction of (layer, product) pairs whose head-mean stable rank has Spearman ρ > 0 against the step, "
                + "checkpoints from step " + fromStep, perSeed, 0.5);
        return ClaimCheck.claim("rank-grows-layers-" + model,
                "the stable rank of ΔKQ and ΔPV grows during training in most layers (" + first.pair() + ")",
                "seeds with ρ > 0 per layer:" + count + " final ΔKQ stable rank (d_h = " + first.headWidth() + ", "
                        + fraction + "·d_h = " + fraction * first.headWidth() + "):" + finals.toString().replaceAll(";$", ""),
                "95% t interval over seeds of the fraction above 0.5", effect);
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
        for (List<AnalysisRun> pair : SeedStatistic.bySeedWithin(runs, AnalysisRun::pair).values()) {
            AnalysisRun run = pair.get(0); // drawn: the first seed
            String model = String.valueOf(run.model().get("model")).toUpperCase(Locale.ROOT);
            Object dataset = run.model().get("dataset");
            data.add(model + ": " + run.dataLabel());
            for (int layer = 0; layer < run.layers(); layer++) {
                XYChart c = Panels.xy(model + " / " + dataset + " — layer " + (layer + 1) + ", d_h = " + run.headWidth() + ", seed " + run.seed(),
                        "training step", "stable rank", true, false, Styler.LegendPosition.InsideNW);
                for (int k = 0; k < 2; k++) {
                    String product = k == 0 ? "KQ" : "PV";
                    StableRankCurvesFigure.addBand(c, "Δ" + product, run.series(layer, product, "delta", "stable_rank"),
                            k == 0 ? StableRankCurvesFigure.BLUE : StableRankCurvesFigure.ORANGE);
                }
                panels.add(c);
            }
            for (int i = run.layers(); i < columns; i++) { // keep one model per row when depths differ
                panels.add(Panels.xy("(no layer " + (i + 1) + ")", "training step", "stable rank", true, false, Styler.LegendPosition.InsideNW));
            }
            checks.add(layersClaim(pair, fromStep, fraction));
        }
        Caption caption = Caption.of(ctx.spec()).note("B-app: stable rank of ΔKQ and ΔPV in every layer (mean ± std over heads)").notes(data);
        Figure.of("B-app", caption, panels, columns).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }
}
