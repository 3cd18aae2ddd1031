package io.rankrepro.tasks.gradual;

import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Params;
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
 * {@code max_rank_fraction}·d_h in every layer. Params: {@code from_step} (default 0: first checkpoint
 * with Δ ≠ 0), {@code max_rank_fraction} (default 0.5).
 */
public final class PerLayerStableRankFigure implements Task {

    @Override
    public String kind() {
        return "boix2023/app";
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = new ArrayList<>();
        if (p.getLong("from_step", 0) < 0) {
            problems.add("from_step: must be >= 0");
        }
        double f = p.getDouble("max_rank_fraction", 0.5);
        if (!(f > 0 && f <= 1)) {
            problems.add("max_rank_fraction: must be in (0, 1], got " + f);
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        long fromStep = ctx.params().getLong("from_step", 0);
        double fraction = ctx.params().getDouble("max_rank_fraction", 0.5);
        List<AnalysisRun> runs = AnalysisRun.all(ctx);
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
                XYChart c = FigureCanvas.panel(model + " / " + dataset + " — layer " + (layer + 1) + ", d_h = " + run.headWidth(),
                        "training step", "stable rank", true, false);
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
                panels.add(FigureCanvas.panel("(no layer " + (i + 1) + ")", "training step", "stable rank", true, false));
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
        List<String> caption = new ArrayList<>(FigureCanvas.caption(
                "B-app: stable rank of ΔKQ and ΔPV in every layer (mean ± std over heads)", ctx.spec(), ctx.spec().data()));
        caption.addAll(data);
        FigureCanvas.save(ctx.outputDir(), "B-app", caption, panels, columns);
        ClaimChecks.write(ctx.outputDir(), checks);
    }
}
