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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code boix2023/rank-vs-scale} (B-rank-vs-scale, arXiv v1 Fig. 7): final stable rank of ΔKQ
 * and ΔPV (mean ± std over heads) vs init scale, one panel per layer. Claim: smaller init scale
 * gives lower final stable rank ({@code smaller-scale-lower-rank}: largest minus smallest scale, averaged
 * over the layers and products, paired by seed).
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
        List<AnalysisRun> runs = AnalysisRun.all(ctx, AnalysisRun.Tables.BY_LAYER);
        TreeMap<Double, TreeMap<Long, AnalysisRun>> byScale = new TreeMap<>();
        SeedStatistic.bySeedWithin(runs, r -> String.valueOf(r.initScale()))
                .forEach((scale, group) -> byScale.put(Double.parseDouble(scale), SeedStatistic.seeds(group)));
        if (byScale.size() < 2) {
            throw new IllegalArgumentException("rank-vs-scale needs at least two init scales, got " + byScale.size());
        }
        for (AnalysisRun run : runs) {
            for (int layer : config.layers()) {
                if (layer >= run.layers()) {
                    throw new IllegalArgumentException("layer " + layer + " does not exist in a " + run.layers() + "-layer model");
                }
            }
        }
        List<XYChart> panels = new ArrayList<>();
        for (int layer : config.layers()) {
            XYChart c = Panels.xy("layer " + (layer + 1) + ": final stable rank (mean over seeds)", "init scale", "stable rank", true, false,
                    Styler.LegendPosition.InsideNW);
            for (String product : List.of("KQ", "PV")) {
                double[] x = new double[byScale.size()];
                double[] y = new double[byScale.size()];
                double[] err = new double[byScale.size()];
                int i = 0;
                for (Map.Entry<Double, TreeMap<Long, AnalysisRun>> e : byScale.entrySet()) {
                    double[] v = e.getValue().values().stream().mapToDouble(r -> finalRank(r, layer, product)).toArray();
                    x[i] = e.getKey();
                    double mean = Arrays.stream(v).average().orElseThrow();
                    y[i] = mean;
                    err[i++] = v.length > 1 ? Math.sqrt(Arrays.stream(v).map(t -> (t - mean) * (t - mean)).sum() / (v.length - 1)) : 0;
                }
                XYSeries s = c.addSeries("Δ" + product, x, y, err);
                java.awt.Color color = product.equals("KQ") ? StableRankCurvesFigure.BLUE : StableRankCurvesFigure.ORANGE;
                s.setLineColor(color);
                s.setMarkerColor(color);
                s.setMarker(SeriesMarkers.CIRCLE);
            }
            panels.add(c);
        }
        List<ClaimCheck> checks = List.of(lowerRankClaim(byScale.firstEntry().getValue(), byScale.lastEntry().getValue(), config.layers()));
        Figure.of("B-rank-vs-scale", Caption.of(ctx.spec()).data(runs.get(0).dataLabel()).note("B-rank-vs-scale: final stable rank vs init scale"
                + " (mean ± std over seeds of the head mean)"), panels, Math.min(3, panels.size())).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }

    /** Head-mean stable rank of one layer's Δproduct at the last checkpoint. */
    static double finalRank(AnalysisRun run, int layer, String product) {
        return run.series(layer, product, "delta", "stable_rank").lastEntry().getValue()[0];
    }

    /**
     * {@code smaller-scale-lower-rank}: per seed present at both scales, the mean over {@code layers} × {ΔKQ, ΔPV}
     * of [final head-mean stable rank at the largest scale] − [at the smallest].
     */
    static ClaimCheck lowerRankClaim(TreeMap<Long, AnalysisRun> small, TreeMap<Long, AnalysisRun> large, List<Integer> layers) {
        List<Double> perSeed = new ArrayList<>();
        StringBuilder measured = new StringBuilder("final head-mean stable rank, scale " + small.firstEntry().getValue().initScale() + " vs "
                + large.firstEntry().getValue().initScale() + ":");
        for (long seed : SeedStatistic.pairedSeeds(small, large)) {
            double d = 0;
            measured.append(" seed ").append(seed).append(':');
            for (int layer : layers) {
                for (String product : List.of("KQ", "PV")) {
                    double rs = finalRank(small.get(seed), layer, product);
                    double rl = finalRank(large.get(seed), layer, product);
                    d += (rl - rs) / (2.0 * layers.size());
                    measured.append(String.format(Locale.ROOT, " L%d Δ%s %.2f vs %.2f", layer + 1, product, rs, rl));
                }
            }
            measured.append(';');
            perSeed.add(d);
        }
        Effect effect = SeedEffect.of("mean over layers × {ΔKQ, ΔPV} of final stable rank at the largest scale minus at the smallest, paired by seed",
                perSeed.stream().mapToDouble(Double::doubleValue).toArray(), 0);
        return ClaimCheck.claim("smaller-scale-lower-rank", "smaller init scale gives a lower final stable rank of ΔKQ and ΔPV",
                measured.toString().replaceAll(";$", ""), "95% t interval over seeds above 0", effect);
    }
}
