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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code boix2023/fig5} (B-fig5): singular values of ΔKQ (top row) and ΔPV (bottom row) of one
 * head vs training step, one column per init scale (first seed drawn). Claims, over seeds and every head
 * of the layer: one-by-one growth is more pronounced at the smallest scale than at the largest (σ_2/σ_1
 * early in σ_1's growth, {@link #onsetRatio}, paired by seed), and ΔKQ is low-rank at every scale.
 *
 * <p>Params: {@link Config} ({@code layer}, {@code head}, {@code onset_fraction}, {@code max_rank_ratio}). Reads {@code spectra.csv}
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
     * @param layer          the layer read (0-based; paper: layer 2 → 1): every head of it enters the claims
     * @param head           the head drawn (0-based)
     * @param onsetFraction  σ_2/σ_1 is read at the first checkpoint where σ_1 reaches this fraction of its final value
     * @param maxRankRatio   the low-rank claim: sr(ΔKQ)/sr(KQ_init) of the median head below this, at every scale
     */
    public record Config(@Default("1") int layer, @Default("0") int head, @Default("0.25") double onsetFraction,
                         @Default("0.5") double maxRankRatio) {
        public Config {
            ParamCheck.require(layer >= 0, "layer", "must be >= 0 (0-based), got " + layer);
            ParamCheck.require(head >= 0, "head", "must be >= 0 (0-based), got " + head);
            ParamCheck.require(onsetFraction > 0 && onsetFraction < 1, "onset_fraction", "must be in (0, 1), got " + onsetFraction);
            ParamCheck.positive("max_rank_ratio", maxRankRatio, 1);
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
        List<AnalysisRun> runs = new ArrayList<>(AnalysisRun.all(ctx, AnalysisRun.Tables.SPECTRA));
        runs.sort(Comparator.comparingDouble(AnalysisRun::initScale).thenComparingLong(AnalysisRun::seed));
        TreeMap<Double, TreeMap<Long, AnalysisRun>> byScale = new TreeMap<>();
        for (AnalysisRun run : runs) {
            if (layer >= run.layers() || head >= run.heads()) {
                throw new IllegalArgumentException("layer " + layer + ", head " + head + " do not exist in a " + run.layers() + "-layer, "
                        + run.heads() + "-head model");
            }
            byScale.computeIfAbsent(run.initScale(), k -> new TreeMap<>());
        }
        for (Map.Entry<String, List<AnalysisRun>> e : SeedStatistic.bySeedWithin(runs, r -> String.valueOf(r.initScale())).entrySet()) {
            byScale.put(Double.parseDouble(e.getKey()), SeedStatistic.seeds(e.getValue()));
        }
        List<XYChart> top = new ArrayList<>();
        List<XYChart> bottom = new ArrayList<>();
        for (TreeMap<Long, AnalysisRun> seeds : byScale.values()) {
            AnalysisRun run = seeds.firstEntry().getValue(); // drawn: the first seed
            for (String product : List.of("KQ", "PV")) {
                (product.equals("KQ") ? top : bottom).add(panel(run, layer, head, product));
            }
        }
        List<ClaimCheck> checks = new ArrayList<>();
        if (byScale.size() >= 2) {
            checks.add(sharperClaim(byScale.firstEntry().getValue(), byScale.lastEntry().getValue(), layer, config.onsetFraction()));
        }
        checks.add(lowRankClaim(byScale, layer, config.maxRankRatio()));
        List<XYChart> panels = new ArrayList<>(top);
        panels.addAll(bottom);
        Figure.of("B-fig5", Caption.of(ctx.spec()).data(runs.get(0).dataLabel()).note("B-fig5: singular values of ΔKQ (top) and ΔPV (bottom) per init scale"),
                panels, byScale.size()).svgPerPanel().write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), checks);
    }

    private static XYChart panel(AnalysisRun run, int layer, int head, String product) {
        TreeMap<Long, double[]> s = run.spectrum(layer, head, product, "delta");
        XYChart c = Panels.xy("Δ" + product + ", init scale " + run.initScale() + " (layer " + (layer + 1) + ", head " + (head + 1)
                + ", seed " + run.seed() + ")", "training step", "singular value", true, false, Styler.LegendPosition.InsideNW);
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
        return c;
    }

    /**
     * σ_2/σ_1 of one head's Δ at its onset: the first nonzero checkpoint where σ_1 reaches {@code fraction}
     * of its value at the last checkpoint. Small when the singular values switch on one at a time.
     */
    static double onsetRatio(TreeMap<Long, double[]> spectra, double fraction) {
        double target = fraction * spectra.lastEntry().getValue()[0];
        for (Map.Entry<Long, double[]> e : spectra.entrySet()) {
            double[] s = e.getValue();
            if (e.getKey() > 0 && s[0] > 0 && s[0] >= target) {
                return s.length > 1 ? s[1] / s[0] : 0;
            }
        }
        throw new IllegalArgumentException("σ_1 never reaches " + fraction + " of its final value");
    }

    /** Median over the heads of {@code layer} of {@link #onsetRatio}. */
    static double medianOnsetRatio(AnalysisRun run, int layer, String product, double fraction) {
        double[] r = new double[run.heads()];
        for (int h = 0; h < r.length; h++) {
            r[h] = onsetRatio(run.spectrum(layer, h, product, "delta"), fraction);
        }
        return SeedStatistic.median(r);
    }

    /**
     * {@code incremental-sharper-small-scale}: per seed present at both scales, the mean over ΔKQ, ΔPV of the
     * median-head onset ratio at the largest scale minus that at the smallest.
     */
    static ClaimCheck sharperClaim(TreeMap<Long, AnalysisRun> small, TreeMap<Long, AnalysisRun> large, int layer, double fraction) {
        List<Double> perSeed = new ArrayList<>();
        StringBuilder measured = new StringBuilder(String.format(Locale.ROOT, "median over the %d heads of layer %d of σ_2/σ_1 when σ_1 first "
                + "reaches %.2f of its final value, scale %s vs %s:", small.firstEntry().getValue().heads(), layer + 1, fraction,
                small.firstEntry().getValue().initScale(), large.firstEntry().getValue().initScale()));
        for (long seed : SeedStatistic.pairedSeeds(small, large)) {
            double d = 0;
            measured.append(" seed ").append(seed).append(':');
            for (String product : List.of("KQ", "PV")) {
                double rs = medianOnsetRatio(small.get(seed), layer, product, fraction);
                double rl = medianOnsetRatio(large.get(seed), layer, product, fraction);
                d += (rl - rs) / 2;
                measured.append(String.format(Locale.ROOT, " Δ%s %.3f vs %.3f", product, rs, rl));
            }
            measured.append(';');
            perSeed.add(d);
        }
        Effect effect = SeedEffect.of("mean over ΔKQ, ΔPV of [median-head σ_2/σ_1 at onset, largest scale] − [same, smallest scale], paired by seed",
                perSeed.stream().mapToDouble(Double::doubleValue).toArray(), 0);
        return ClaimCheck.claim("incremental-sharper-small-scale",
                "singular values of the perturbation switch on one at a time, more pronounced at smaller init scale",
                measured.toString().replaceAll(";$", ""), "95% t interval over seeds above 0", effect);
    }

    /** {@code low-rank-all-scales}: per seed, 1 − the worst scale's median-head sr(ΔKQ final)/sr(KQ init). */
    static ClaimCheck lowRankClaim(TreeMap<Double, TreeMap<Long, AnalysisRun>> byScale, int layer, double maxRatio) {
        TreeMap<Long, Double> worst = new TreeMap<>();
        StringBuilder measured = new StringBuilder("median over the heads of layer " + (layer + 1) + " of sr(ΔKQ final)/sr(KQ init):");
        for (Map.Entry<Double, TreeMap<Long, AnalysisRun>> scale : byScale.entrySet()) {
            measured.append(" scale ").append(scale.getKey()).append(':');
            for (Map.Entry<Long, AnalysisRun> e : scale.getValue().entrySet()) {
                AnalysisRun run = e.getValue();
                double[] r = new double[run.heads()];
                for (int h = 0; h < r.length; h++) {
                    r[h] = run.finalStableRank(layer, h, "KQ", "delta") / run.finalStableRank(layer, h, "KQ", "init");
                }
                double m = SeedStatistic.median(r);
                worst.merge(e.getKey(), m, Math::max);
                measured.append(String.format(Locale.ROOT, " seed %d %.3f", e.getKey(), m));
            }
            measured.append(';');
        }
        double[] perSeed = worst.values().stream().mapToDouble(v -> 1 - v).toArray();
        Effect effect = SeedEffect.of("1 − max over scales of the median-head stable rank(ΔKQ final) / stable rank(KQ init)", perSeed, 1 - maxRatio);
        return ClaimCheck.claim("low-rank-all-scales", "the learned ΔKQ is low-rank at every init scale",
                measured.toString().replaceAll(";$", ""), String.format(Locale.ROOT, "95%% t interval over seeds above %.2f", 1 - maxRatio), effect);
    }
}
