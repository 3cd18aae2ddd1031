package io.rankrepro.tasks.gradual;

import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Params;
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
 * layers. Claim: the learned perturbation is far lower-rank than the initialization. Params:
 * {@code layers} (0-based list), {@code max_rank_ratio} (ΔKQ's stable rank must be below this
 * fraction of the init KQ's).
 */
public final class InitVersusLearnedSpectrumFigure implements Task {

    @Override
    public String kind() {
        return "boix2023/fig4";
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = new ArrayList<>();
        for (double l : p.getDoubleList("layers", List.of(0.0))) {
            if (l < 0 || l != Math.rint(l)) {
                problems.add("layers: each must be a 0-based layer index, got " + l);
            }
        }
        double r = p.getDouble("max_rank_ratio", 0.5);
        if (!(r > 0 && r <= 1)) {
            problems.add("max_rank_ratio: must be in (0, 1], got " + r);
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        AnalysisRun run = AnalysisRun.all(ctx).get(0);
        double ratio = ctx.params().getDouble("max_rank_ratio", 0.5);
        int heads = Integer.parseInt(String.valueOf(run.model().get("heads")));
        Random random = new Random(ctx.spec().seed());
        List<XYChart> panels = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        for (double ld : ctx.params().getDoubleList("layers", List.of(0.0))) {
            int layer = (int) ld;
            if (layer >= run.layers()) {
                throw new IllegalArgumentException("layer " + layer + " does not exist in a " + run.layers() + "-layer model");
            }
            int head = random.nextInt(heads);
            double[] init = run.spectrum(layer, head, "KQ", "init").lastEntry().getValue();
            var deltas = run.spectrum(layer, head, "KQ", "delta");
            long step = deltas.lastKey();
            double[] delta = deltas.lastEntry().getValue();
            XYChart c = FigureCanvas.panel("layer " + (layer + 1) + ", head " + (head + 1) + " (step " + step + ")",
                    "index i", "σ_i / σ_1", false, true);
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
        FigureCanvas.save(ctx.outputDir(), "B-fig4", FigureCanvas.caption("B-fig4: normalized spectra of init KQ vs learned ΔKQ",
                ctx.spec(), run.dataLabel()), panels, Math.min(3, panels.size()));
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
