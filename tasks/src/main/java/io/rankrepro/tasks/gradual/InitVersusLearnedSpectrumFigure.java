package io.rankrepro.tasks.gradual;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import org.knowm.xchart.style.Styler;
import io.rankrepro.tasks.linalg.SpectralMetrics;
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
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * {@code boix2023/fig4} (B-fig4): normalized singular values σ_i/σ_1 of the initial KQ^h and of the
 * learned ΔKQ^h at the last checkpoint, for one randomly drawn head (seeded) in each of several
 * layers. Claim: the learned perturbation is far lower-rank than the initialization.
 *
 * <p>Params: {@link Config} ({@code layers}, {@code max_rank_ratio}). Not a gather: reads
 * {@code spectra.csv} of its chain's one {@code analyze} task and {@code model.json} of its one
 * {@code train} task.
 */
public final class InitVersusLearnedSpectrumFigure implements Task {

    @Override
    public String kind() {
        return "boix2023/fig4";
    }

    /**
     * @param layers       the layers drawn, one seeded random head each (0-based)
     * @param maxRankRatio ΔKQ's stable rank must be below this fraction of the init KQ's
     */
    public record Config(@Default("[0]") List<Integer> layers, @Default("0.5") double maxRankRatio) {
        public Config {
            ParamCheck.require(layers != null && layers.stream().allMatch(l -> l != null && l >= 0), "layers",
                    "each must be a 0-based layer index, got " + layers);
            ParamCheck.positive("max_rank_ratio", maxRankRatio, 1);
            layers = List.copyOf(layers);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(AnalysisRun.ANALYZE, RankTables.SPECTRA)
            .reads(AnalysisRun.TRAIN, AnalysisRun.MODEL)
            .writes("B-fig4.png", "B-fig4-*.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config config = ctx.params(Config.class);
        AnalysisRun run = AnalysisRun.single(ctx, AnalysisRun.Tables.SPECTRA);
        double ratio = config.maxRankRatio();
        int heads = Integer.parseInt(String.valueOf(run.model().get("heads")));
        Random random = new Random(ctx.spec().seed());
        List<XYChart> panels = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        for (int layer : config.layers()) {
            if (layer >= run.layers()) {
                throw new IllegalArgumentException("layer " + layer + " does not exist in a " + run.layers() + "-layer model");
            }
            int head = random.nextInt(heads);
            double[] init = run.spectrum(layer, head, "KQ", "init").lastEntry().getValue();
            var deltas = run.spectrum(layer, head, "KQ", "delta");
            long step = deltas.lastKey();
            double[] delta = deltas.lastEntry().getValue();
            XYChart c = Panels.xy("layer " + (layer + 1) + ", head " + (head + 1) + " (step " + step + ")",
                    "index i", "σ_i / σ_1", false, true, Styler.LegendPosition.InsideNW);
            series(c, "init KQ", init, StableRankCurvesFigure.ORANGE);
            series(c, "learned ΔKQ", delta, StableRankCurvesFigure.BLUE);
            c.getStyler().setYAxisMin(1e-4);
            // the spectra start at 1 in the top-left corner; the legend goes where they have fallen
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
            panels.add(c);
            double srInit = SpectralMetrics.of(init, 0.01).stableRank();
            double srDelta = SpectralMetrics.of(delta, 0.01).stableRank();
            checks.add(new ClaimCheck("delta-lower-rank-L" + (layer + 1),
                    "the learned ΔKQ is much lower-rank than the initial KQ (layer " + (layer + 1) + ", head " + (head + 1) + ")",
                    String.format("stable rank ΔKQ %.3f vs init KQ %.3f (ratio %.3f)", srDelta, srInit, srDelta / srInit),
                    String.format("ratio < %.2f", ratio), srDelta < ratio * srInit));
        }
        Figure.of("B-fig4", Caption.of(ctx.spec()).data(run.dataLabel()).note("B-fig4: normalized spectra of init KQ vs learned ΔKQ"), panels, Math.min(3, panels.size())).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }

    private static void series(XYChart c, String name, double[] s, java.awt.Color color) {
        double top = s[0] > 0 ? s[0] : 1;
        int n = (int) IntStream.range(0, s.length).filter(i -> s[i] / top > 1e-4).count();
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
            y[i] = s[i] / top;
        }
        XYSeries xs = c.addSeries(name, x, y);
        xs.setLineColor(color);
        xs.setMarkerColor(color);
        xs.setMarker(SeriesMarkers.CIRCLE);
    }
}
