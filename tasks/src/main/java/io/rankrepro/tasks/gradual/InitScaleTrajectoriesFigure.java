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
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code boix2023/fig5} (B-fig5): singular values of ΔKQ (top row) and ΔPV (bottom row) of one
 * head vs training step, one column per init scale. Claim: at small scale the singular values
 * switch on one after another (a staircase). Measured: the step at which σ_i first reaches half
 * its final value, for i = 1..{@code top_k}; at the smallest scale these must be non-decreasing in
 * i.
 *
 * <p>Params: {@link Config} ({@code layer}, {@code head}, {@code top_k}). Reads {@code spectra.csv}
 * of every {@code analyze} task and {@code model.json} of the {@code train} task of the same sweep point.
 */
public final class InitScaleTrajectoriesFigure implements Task {
    private static final java.awt.Color[] COLORS = {new java.awt.Color(31, 119, 180), new java.awt.Color(255, 127, 14),
        new java.awt.Color(44, 160, 44), new java.awt.Color(214, 39, 40), new java.awt.Color(148, 103, 189),
        new java.awt.Color(140, 86, 75), new java.awt.Color(227, 119, 194), new java.awt.Color(127, 127, 127)};

    @Override
    public String kind() {
        return "boix2023/fig5";
    }

    /**
     * @param layer the layer drawn (0-based; paper: layer 2 → 1)
     * @param head  the head drawn (0-based)
     * @param topK  the staircase is checked on σ_1..σ_topK
     */
    public record Config(@Default("1") int layer, @Default("0") int head, @Default("3") int topK) {
        public Config {
            ParamCheck.require(layer >= 0, "layer", "must be >= 0 (0-based), got " + layer);
            ParamCheck.require(head >= 0, "head", "must be >= 0 (0-based), got " + head);
            ParamCheck.range("top_k", topK, 2, 64);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(AnalysisRun.ANALYZE, RankTables.SPECTRA)
            .reads(AnalysisRun.TRAIN, AnalysisRun.MODEL)
            .writes("B-fig5.png", "B-fig5-*.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config config = ctx.params(Config.class);
        int layer = config.layer();
        int head = config.head();
        int topK = config.topK();
        List<AnalysisRun> runs = new ArrayList<>(AnalysisRun.all(ctx, AnalysisRun.Tables.SPECTRA));
        runs.sort(Comparator.comparingDouble(AnalysisRun::initScale));
        List<XYChart> top = new ArrayList<>();
        List<XYChart> bottom = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        for (AnalysisRun run : runs) {
            if (layer >= run.layers()) {
                throw new IllegalArgumentException("layer " + layer + " does not exist in a " + run.layers() + "-layer model");
            }
            for (String product : List.of("KQ", "PV")) {
                TreeMap<Long, double[]> s = run.spectrum(layer, head, product, "delta");
                XYChart c = Panels.xy("Δ" + product + ", init scale " + run.initScale() + " (layer " + (layer + 1) + ", head " + (head + 1) + ")",
                        "training step", "singular value", true, false, Styler.LegendPosition.InsideNW);
                int shown = Math.min(run.headWidth(), COLORS.length);
                for (int i = 0; i < shown; i++) {
                    List<Double> x = new ArrayList<>();
                    List<Double> y = new ArrayList<>();
                    for (Map.Entry<Long, double[]> e : s.entrySet()) {
                        if (e.getKey() > 0) {
                            x.add((double) e.getKey());
                            y.add(e.getValue()[i]);
                        }
                    }
                    XYSeries xs = c.addSeries("σ" + (i + 1), x, y);
                    xs.setLineColor(COLORS[i]);
                    xs.setMarkerColor(COLORS[i]);
                    xs.setMarker(SeriesMarkers.CIRCLE);
                }
                (product.equals("KQ") ? top : bottom).add(c);
                if (run == runs.get(0)) {
                    long[] half = halfTimes(s, topK);
                    boolean ordered = true;
                    for (int i = 1; i < topK; i++) {
                        ordered &= half[i] >= half[i - 1];
                    }
                    checks.add(new ClaimCheck("staircase-" + product,
                            "at the smallest init scale the singular values of Δ" + product + " grow one after another",
                            "init scale " + run.initScale() + ": step where σ_i first reaches half its final value, i = 1.." + topK
                                    + ": " + java.util.Arrays.toString(half),
                            "non-decreasing in i", ordered));
                }
            }
        }
        List<XYChart> panels = new ArrayList<>(top);
        panels.addAll(bottom);
        Figure.of("B-fig5", Caption.of(ctx.spec()).data(runs.get(0).dataLabel()).note("B-fig5: singular values of ΔKQ (top) and ΔPV (bottom) per init scale"), panels, runs.size()).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }

    /** For i &lt; k: the first step at which σ_i reaches half its value at the last step. */
    static long[] halfTimes(TreeMap<Long, double[]> spectra, int k) {
        double[] last = spectra.lastEntry().getValue();
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            out[i] = spectra.lastKey();
            for (Map.Entry<Long, double[]> e : spectra.entrySet()) {
                if (e.getKey() > 0 && e.getValue()[i] >= 0.5 * last[i]) {
                    out[i] = e.getKey();
                    break;
                }
            }
        }
        return out;
    }
}
