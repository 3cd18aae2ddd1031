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
import io.rankrepro.tasks.task.Effect;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
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
     * @param layers       the layers read (0-based): every head of each
     * @param maxRankRatio ΔKQ's stable rank must be below this fraction of the init KQ's, for the median head
     * @param spectraAt    fractions of the run at whose nearest checkpoints ΔKQ's spectrum is drawn and its ratio printed
     */
    public record Config(@Default("[0]") List<Integer> layers, @Default("0.5") double maxRankRatio,
                         @Default("[0.1, 0.3, 1.0]") List<Double> spectraAt) {
        public Config {
            ParamCheck.require(layers != null && layers.stream().allMatch(l -> l != null && l >= 0), "layers",
                    "each must be a 0-based layer index, got " + layers);
            ParamCheck.positive("max_rank_ratio", maxRankRatio, 1);
            ParamCheck.require(spectraAt != null && !spectraAt.isEmpty() && spectraAt.stream().allMatch(f -> f != null && f > 0 && f <= 1),
                    "spectra_at", "each must be a fraction of the run in (0, 1], got " + spectraAt);
            layers = List.copyOf(layers);
            spectraAt = List.copyOf(spectraAt);
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
        List<AnalysisRun> runs = new ArrayList<>(SeedStatistic.seeds(AnalysisRun.all(ctx, AnalysisRun.Tables.SPECTRA)).values());
        AnalysisRun drawn = runs.get(0);
        for (int layer : config.layers()) {
            if (layer >= drawn.layers()) {
                throw new IllegalArgumentException("layer " + layer + " does not exist in a " + drawn.layers() + "-layer model");
            }
        }
        List<XYChart> panels = new ArrayList<>();
        for (int layer : config.layers()) {
            int head = medianHead(drawn, layer);
            var deltas = drawn.spectrum(layer, head, "KQ", "delta");
            XYChart c = Panels.xy("layer " + (layer + 1) + ", head " + (head + 1) + " (median head, seed " + drawn.seed() + ")",
                    "index i", "σ_i / σ_1", false, true, Styler.LegendPosition.InsideNE);
            series(c, "init KQ", drawn.spectrum(layer, head, "KQ", "init").lastEntry().getValue(), StableRankCurvesFigure.ORANGE);
            for (long step : steps(deltas.navigableKeySet(), config.spectraAt())) {
                series(c, "ΔKQ, step " + step, deltas.get(step), step == deltas.lastKey() ? StableRankCurvesFigure.BLUE : null);
            }
            c.getStyler().setYAxisMin(1e-4);
            panels.add(c);
        }
        List<ClaimCheck> checks = List.of(lowRankClaim(runs, config.layers(), config.maxRankRatio(), config.spectraAt()));
        Figure.of("B-fig4", Caption.of(ctx.spec()).data(drawn.dataLabel()).note("B-fig4: normalized spectra of init KQ vs learned ΔKQ at several steps"),
                panels, Math.min(3, panels.size())).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }

    /** sr(ΔKQ at step) / sr(KQ init) of every head in {@code layers}. */
    static double[] ratios(AnalysisRun run, List<Integer> layers, long step) {
        List<Double> out = new ArrayList<>();
        for (int layer : layers) {
            for (int head = 0; head < run.heads(); head++) {
                double[] delta = run.spectrum(layer, head, "KQ", "delta").get(step);
                double init = run.finalStableRank(layer, head, "KQ", "init");
                out.add(SpectralMetrics.of(delta, 0.01).stableRank() / init);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * {@code delta-lower-rank}: per seed 1 − the median over heads of sr(ΔKQ)/sr(KQ_init) at the last
     * checkpoint; the median ratio at the earlier drawn steps is printed (B's spectra over training).
     */
    static ClaimCheck lowRankClaim(List<AnalysisRun> runs, List<Integer> layers, double maxRatio, List<Double> spectraAt) {
        double[] perSeed = new double[runs.size()];
        StringBuilder measured = new StringBuilder("median over " + layers.size() * runs.get(0).heads() + " heads (layers "
                + layers.stream().map(l -> String.valueOf(l + 1)).collect(Collectors.joining(", ")) + ") of sr(ΔKQ)/sr(KQ_init):");
        for (int i = 0; i < runs.size(); i++) {
            AnalysisRun run = runs.get(i);
            var deltaSteps = run.spectrum(layers.get(0), 0, "KQ", "delta").navigableKeySet();
            measured.append(" seed ").append(run.seed()).append(':');
            for (long step : steps(deltaSteps, spectraAt)) {
                double m = SeedStatistic.median(ratios(run, layers, step));
                measured.append(String.format(Locale.ROOT, " step %d %.3f", step, m));
                if (step == deltaSteps.last()) {
                    perSeed[i] = 1 - m;
                }
            }
            measured.append(String.format(Locale.ROOT, " (init sr %.2f, d_h = %d);",
                    SeedStatistic.median(initRanks(run, layers)), run.headWidth()));
        }
        Effect effect = SeedEffect.of("1 − median over heads of stable rank(ΔKQ final) / stable rank(KQ init)", perSeed, 1 - maxRatio);
        return ClaimCheck.claim("delta-lower-rank", "the learned ΔKQ is far lower-rank than the initial KQ (default init scale)",
                measured.toString().replaceAll(";$", ""), String.format(Locale.ROOT, "95%% t interval over seeds above %.2f (median ratio < %.2f)",
                        1 - maxRatio, maxRatio), effect);
    }

    private static double[] initRanks(AnalysisRun run, List<Integer> layers) {
        List<Double> out = new ArrayList<>();
        for (int layer : layers) {
            for (int head = 0; head < run.heads(); head++) {
                out.add(run.finalStableRank(layer, head, "KQ", "init"));
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The head of {@code layer} whose final ratio is the median one (the lower middle for an even count). */
    private static int medianHead(AnalysisRun run, int layer) {
        long last = run.spectrum(layer, 0, "KQ", "delta").lastKey();
        double[] r = ratios(run, List.of(layer), last);
        Integer[] order = IntStream.range(0, r.length).boxed().sorted(Comparator.comparingDouble(h -> r[h])).toArray(Integer[]::new);
        return order[(r.length - 1) / 2];
    }

    /** The nonzero checkpoints nearest to each fraction of the last step, in order, without repeats. */
    static List<Long> steps(java.util.NavigableSet<Long> available, List<Double> fractions) {
        java.util.TreeSet<Long> out = new java.util.TreeSet<>();
        long last = available.last();
        for (double f : fractions) {
            long target = Math.round(f * last);
            Long lo = available.floor(target);
            Long hi = available.ceiling(target);
            long pick = lo == null || lo == 0 ? hi : hi == null ? lo : (target - lo <= hi - target ? lo : hi);
            out.add(pick);
        }
        return new ArrayList<>(out);
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
        if (color != null) { // null: XChart's next colour (the intermediate steps)
            xs.setLineColor(color);
            xs.setMarkerColor(color);
        }
        xs.setMarker(SeriesMarkers.CIRCLE);
    }
}
