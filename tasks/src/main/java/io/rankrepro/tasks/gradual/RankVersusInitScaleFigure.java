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
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code boix2023/rank-vs-scale} (B-rank-vs-scale, arXiv v1 Fig. 7): final stable rank of ΔKQ
 * and ΔPV (mean ± std over heads) vs init scale, one panel per layer. Claim: smaller init scale
 * gives lower final stable rank; checked per layer and product as "smallest scale < largest scale".
 *
 * <p>Params: {@link Config} ({@code layers}). Reads {@code ranks_by_layer.csv} of every
 * {@code analyze} task and {@code model.json} of the {@code train} task of the same sweep point.
 */
public final class RankVersusInitScaleFigure implements Task {

    @Override
    public String kind() {
        return "boix2023/rank-vs-scale";
    }

    /** @param layers the layers drawn, one panel each (0-based; paper 1, 3, 5 → 0, 2, 4) */
    public record Config(@Default("[0]") List<Integer> layers) {
        public Config {
            ParamCheck.require(layers != null && layers.stream().allMatch(l -> l != null && l >= 0), "layers",
                    "each must be a 0-based layer index, got " + layers);
            layers = List.copyOf(layers);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(AnalysisRun.ANALYZE, RankTables.BY_LAYER)
            .reads(AnalysisRun.TRAIN, AnalysisRun.MODEL)
            .writes("B-rank-vs-scale.png", "B-rank-vs-scale-*.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config config = ctx.params(Config.class);
        List<AnalysisRun> runs = new ArrayList<>(AnalysisRun.all(ctx, AnalysisRun.Tables.BY_LAYER));
        runs.sort(Comparator.comparingDouble(AnalysisRun::initScale));
        if (runs.size() < 2) {
            throw new IllegalArgumentException("rank-vs-scale needs at least two init scales, got " + runs.size());
        }
        List<XYChart> panels = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        for (int layer : config.layers()) {
            XYChart c = Panels.xy("layer " + (layer + 1) + ": final stable rank", "init scale", "stable rank", true, false, Styler.LegendPosition.InsideNW);
            for (String product : List.of("KQ", "PV")) {
                double[] x = new double[runs.size()];
                double[] y = new double[runs.size()];
                double[] err = new double[runs.size()];
                for (int i = 0; i < runs.size(); i++) {
                    AnalysisRun run = runs.get(i);
                    if (layer >= run.layers()) {
                        throw new IllegalArgumentException("layer " + layer + " does not exist in a " + run.layers() + "-layer model");
                    }
                    double[] last = run.series(layer, product, "delta", "stable_rank").lastEntry().getValue();
                    x[i] = run.initScale();
                    y[i] = last[0];
                    err[i] = last[1];
                }
                XYSeries s = c.addSeries("Δ" + product, x, y, err);
                java.awt.Color color = product.equals("KQ") ? StableRankCurvesFigure.BLUE : StableRankCurvesFigure.ORANGE;
                s.setLineColor(color);
                s.setMarkerColor(color);
                s.setMarker(SeriesMarkers.CIRCLE);
                checks.add(new ClaimCheck("smaller-scale-lower-rank-" + product + "-L" + (layer + 1),
                        "smaller init scale → lower final stable rank of Δ" + product + " (layer " + (layer + 1) + ")",
                        String.format("scale %s → %.3f; scale %s → %.3f (all: %s)", x[0], y[0], x[x.length - 1], y[y.length - 1],
                                java.util.Arrays.toString(java.util.Arrays.stream(y).map(v -> Math.round(v * 1000) / 1000.0).toArray())),
                        "smallest-scale value < largest-scale value", y[0] < y[y.length - 1]));
            }
            panels.add(c);
        }
        Figure.of("B-rank-vs-scale", Caption.of(ctx.spec()).data(runs.get(0).dataLabel()).note("B-rank-vs-scale: final stable rank vs init scale"), panels, Math.min(3, panels.size())).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }
}
