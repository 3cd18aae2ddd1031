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
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code boix2023/fig3} (B-fig3): stable rank of ΔKQ (blue) and ΔPV (orange) on one layer vs
 * training step, mean ± std over the heads, one panel per network/data pair (per sweep point).
 * Claim ({@code rank-grows-<model>}, one per network/data pair, over its seeds): the stable rank of both
 * products grows over the run (Spearman ρ against the step, {@link RankTrend}).
 *
 * <p>Params: {@link Config} ({@code layer}, {@code max_rank_fraction}, {@code from_step}). Reads
 * {@code ranks_by_layer.csv} of every {@code analyze} task and {@code model.json} of the
 * {@code train} task of the same sweep point.
 */
public final class StableRankCurvesFigure implements Task {
    static final Color BLUE = new Color(31, 119, 180);
    static final Color ORANGE = new Color(255, 127, 14);

    @Override
    public String kind() {
        return "boix2023/fig3";
    }

    /**
     * @param layer           the layer drawn (0-based)
     * @param maxRankFraction the final mean stable rank of ΔKQ is reported against this fraction of d_h
     * @param fromStep        growth is measured from the first checkpoint at or after this step
     *                        (0: the first with Δ ≠ 0)
     */
    public record Config(@Default("0") int layer, @Default("0.5") double maxRankFraction, @Default("0") long fromStep) {
        public Config {
            ParamCheck.require(layer >= 0, "layer", "must be >= 0 (0-based), got " + layer);
            ParamCheck.require(fromStep >= 0, "from_step", "must be >= 0, got " + fromStep);
            ParamCheck.positive("max_rank_fraction", maxRankFraction, 1);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(AnalysisRun.ANALYZE, RankTables.BY_LAYER)
            .reads(AnalysisRun.TRAIN, AnalysisRun.MODEL)
            .writes("B-fig3.png", "B-fig3-*.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config config = ctx.params(Config.class);
        int layer = config.layer();
        long fromStep = config.fromStep();
        List<AnalysisRun> runs = AnalysisRun.all(ctx, AnalysisRun.Tables.BY_LAYER);
        List<XYChart> panels = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        List<String> data = new ArrayList<>();
        for (List<AnalysisRun> pair : SeedStatistic.bySeedWithin(runs, AnalysisRun::pair).values()) {
            AnalysisRun run = pair.get(0); // the figure draws the first seed; the claim reads every seed
            if (layer >= run.layers()) {
                throw new IllegalArgumentException("layer " + layer + " does not exist in a " + run.layers() + "-layer model");
            }
            String model = String.valueOf(run.model().get("model")).toUpperCase(Locale.ROOT);
            XYChart c = Panels.xy(model + " / " + run.model().get("dataset") + (run.dataLabel().contains("proxy") ? " (proxy)" : "")
                    + " — layer " + (layer + 1) + ", d_h = " + run.headWidth() + ", seed " + run.seed(),
                    "training step", "stable rank", true, false, Styler.LegendPosition.InsideNW);
            addBand(c, "ΔKQ", run.series(layer, "KQ", "delta", "stable_rank"), BLUE);
            addBand(c, "ΔPV", run.series(layer, "PV", "delta", "stable_rank"), ORANGE);
            panels.add(c);
            data.add(model + ": " + run.dataLabel());
            checks.add(growthClaim(pair, layer, fromStep, config.maxRankFraction()));
        }
        Caption caption = Caption.of(ctx.spec()).note("B-fig3: stable rank of ΔKQ and ΔPV (mean ± std over heads)").notes(data);
        Figure.of("B-fig3", caption, panels, 2).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }

    /**
     * {@code rank-grows-<model>}: per seed the smaller of ΔKQ's and ΔPV's trend ρ on the layer; the final ΔKQ
     * stable rank against {@code fraction}·d_h is printed, not judged (a random product sits there too).
     */
    static ClaimCheck growthClaim(List<AnalysisRun> pair, int layer, long fromStep, double fraction) {
        AnalysisRun first = pair.get(0);
        double[] perSeed = new double[pair.size()];
        StringBuilder measured = new StringBuilder(first.pair() + " layer " + (layer + 1) + ", d_h = " + first.headWidth() + ":");
        for (int i = 0; i < pair.size(); i++) {
            AnalysisRun run = pair.get(i);
            RankTrend kq = RankTrend.of(run.series(layer, "KQ", "delta", "stable_rank"), fromStep);
            RankTrend pv = RankTrend.of(run.series(layer, "PV", "delta", "stable_rank"), fromStep);
            perSeed[i] = Math.min(kq.rho(), pv.rho());
            measured.append(String.format(Locale.ROOT, " seed %d: ΔKQ %s; ΔPV %s; final ΔKQ %.2f %s %.2f·d_h;", run.seed(), kq.describe(),
                    pv.describe(), kq.last(), kq.last() < fraction * run.headWidth() ? "<" : "≥", fraction));
        }
        String model = String.valueOf(first.model().get("model"));
        Effect effect = SeedEffect.of("min(ρ_KQ, ρ_PV): Spearman ρ of the head-mean stable rank of ΔKQ, ΔPV in layer " + (layer + 1)
                + " against the step, checkpoints from step " + fromStep, perSeed, 0);
        return ClaimCheck.claim("rank-grows-" + model,
                "the stable rank of ΔKQ and ΔPV grows gradually during training (" + first.pair() + ", layer " + (layer + 1) + ")",
                measured.toString().replaceAll(";$", ""), "95% t interval of min(ρ_KQ, ρ_PV) over seeds above 0", effect);
    }

    /** Mean as a line with markers, mean ± std as thin lines of the same colour; step 0 (Δ = 0) is left out of the log axis. */
    static void addBand(XYChart c, String name, Map<Long, double[]> series, Color color) {
        List<Double> x = new ArrayList<>();
        List<Double> mean = new ArrayList<>();
        List<Double> lo = new ArrayList<>();
        List<Double> hi = new ArrayList<>();
        series.forEach((step, v) -> {
            if (step > 0 && v[0] > 0) { // Δ = 0 before the first update with lr > 0; nothing to plot
                x.add((double) step);
                mean.add(v[0]);
                lo.add(v[0] - v[1]);
                hi.add(v[0] + v[1]);
            }
        });
        XYSeries m = c.addSeries(name + " (mean)", x, mean);
        m.setLineColor(color);
        m.setMarkerColor(color);
        m.setMarker(SeriesMarkers.CIRCLE);
        for (List<Double> edge : List.of(lo, hi)) {
            XYSeries e = c.addSeries(name + (edge == lo ? " − std" : " + std"), x, edge);
            e.setLineColor(color);
            e.setMarker(SeriesMarkers.NONE);
            e.setLineStyle(new BasicStroke(0.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {4f, 3f}, 0f));
            e.setShowInLegend(false);
        }
    }
}
