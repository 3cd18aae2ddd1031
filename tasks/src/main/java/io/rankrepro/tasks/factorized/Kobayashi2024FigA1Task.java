package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.Effect;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code kobayashi2024/figA1} (gather): trajectories in the (w1, w2) plane, one panel per λ with the
 * four runs, and two claims paired by λ (for λ > min|w*_i|): under Adam + L2 the factorized run ends
 * at least {@code separation} times closer to an axis than the direct one (L2 on factors acts like
 * L1); under AdamW it ends closer than the direct one (the decoupled half, direction only).
 *
 * <p>Params: {@link Config}. Reads {@code trajectories.csv} of every {@code train}.
 */
public final class Kobayashi2024FigA1Task implements Task {

    @Override
    public String kind() {
        return "kobayashi2024/figA1";
    }

    /**
     * @param target        w*, two numbers (for the markers and the L1 regime λ > min|w*_i|)
     * @param separation    how many times closer to an axis the factorized Adam + L2 run must end than
     *                      the direct one (exact zeros are not asked of a constant-step Adam)
     */
    public record Config(List<Double> target, @Default("100") double separation) {
        public Config {
            ParamCheck.range("separation", separation, 1, 1e12);
            ParamCheck.require(target != null && target.size() == 2 && target.stream().allMatch(Objects::nonNull), "target",
                    "must be two numbers, got " + target);
            target = List.copyOf(target);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("train", TwoParameterTrainTask.FILE)
            .writes(ClaimChecks.FILE_NAME, "figA1.png", "figA1.svg")
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        double[] target = c.target().stream().mapToDouble(Double::doubleValue).toArray();
        TreeMap<Double, Map<String, double[][]>> byLambda = new TreeMap<>();
        for (TaskInput in : ctx.inputs("train")) {
            double lambda = ((Number) in.sweepPoint().get("lambda")).doubleValue();
            byLambda.put(lambda, read(in));
        }
        List<XYChart> panels = new ArrayList<>();
        byLambda.forEach((lambda, curves) -> panels.add(panel(lambda, curves, target)));
        double l1Threshold = Math.min(Math.abs(target[0]), Math.abs(target[1]));
        List<ClaimCheck> checks = List.of(
                separation(byLambda, l1Threshold, "adam-l2", "figA1-factorized-l2-is-l1",
                        "with L2 on the factors w_i = a_i b_i, Adam+L2 drives a coordinate to 0 (L1-like); on w directly it only shrinks",
                        Math.log(c.separation())),
                separation(byLambda, l1Threshold, "adamw", "figA1-adamw-factorized-sparser",
                        "with decoupled decay (AdamW) the factorized run is also pushed toward an axis, more than the direct run", 0));
        ClaimChecks.write(ctx.outputDir(), checks);
        Figure.of("figA1", Caption.of(ctx.spec()), panels, 3).write(ctx.outputDir());
    }

    /**
     * min over λ > min|w*_i| of ln(min_i|w_i| direct / min_i|w_i| factorized) at the end, under one
     * optimizer; reproduces above {@code threshold}. NaN (never reproduces) when no λ is in that regime.
     */
    static ClaimCheck separation(TreeMap<Double, Map<String, double[][]>> byLambda, double l1Threshold, String optimizer,
                                 String id, String claim, double threshold) {
        StringBuilder m = new StringBuilder();
        double worst = Double.NaN;
        for (Map.Entry<Double, Map<String, double[][]>> e : byLambda.entrySet()) {
            if (e.getKey() <= l1Threshold) {
                continue;
            }
            double fac = minAbsFinal(e.getValue().get("factorized," + optimizer));
            double dir = minAbsFinal(e.getValue().get("direct," + optimizer));
            double v = Math.log(dir / fac);
            worst = Double.isNaN(worst) ? v : Math.min(worst, v);
            m.append(String.format(Locale.ROOT, "λ=%s: min_i|w_i| direct %.3e, factorized %.3e (ln ratio %.2f); ",
                    Kobayashi2024Fig1Task.fmt(e.getKey()), dir, fac, v));
        }
        return ClaimCheck.claim(id, claim,
                m.isEmpty() ? "no λ above min|w*_i| = " + l1Threshold + " in the sweep" : m.toString().trim(),
                String.format(Locale.ROOT, "for every λ > min|w*_i| = %s (%s): ln(min_i|w_i| direct / factorized) > %.3g",
                        Kobayashi2024Fig1Task.fmt(l1Threshold), optimizer, threshold),
                Effect.deterministic("min over λ > min|w*_i| of ln(min_i|w_i| direct / min_i|w_i| factorized), " + optimizer, worst, threshold));
    }

    static Map<String, double[][]> read(TaskInput in) throws java.io.IOException {
        Map<String, List<double[]>> rows = new LinkedHashMap<>();
        for (Table.Row r : Table.read(in.dir().resolve(TwoParameterTrainTask.FILE)).rows()) {
            // keyed "parameterization,optimizer" (the chart names a series by it)
            rows.computeIfAbsent(r.get("parameterization") + "," + r.get("optimizer"), k -> new ArrayList<>())
                    .add(new double[] {r.number("w1"), r.number("w2")});
        }
        Map<String, double[][]> out = new LinkedHashMap<>();
        rows.forEach((k, v) -> out.put(k, v.toArray(new double[0][])));
        return out;
    }

    static double minAbsFinal(double[][] curve) {
        double[] last = curve[curve.length - 1];
        return Math.min(Math.abs(last[0]), Math.abs(last[1]));
    }

    static XYChart panel(double lambda, Map<String, double[][]> curves, double[] target) {
        XYChart c = Kobayashi2024Fig1Task.chart("λ = " + Kobayashi2024Fig1Task.fmt(lambda), "w1", "w2", false);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        for (Map.Entry<String, double[][]> e : curves.entrySet()) {
            double[][] pts = e.getValue();
            double[] x = new double[pts.length], y = new double[pts.length];
            for (int i = 0; i < pts.length; i++) {
                x[i] = pts[i][0];
                y[i] = pts[i][1];
            }
            XYSeries s = c.addSeries(e.getKey().replace(",", " + "), x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        XYSeries star = c.addSeries("w*", new double[] {target[0]}, new double[] {target[1]});
        star.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        star.setMarker(SeriesMarkers.DIAMOND);
        star.setMarkerColor(java.awt.Color.BLACK);
        double[] direct = TwoParameterToy.minimizer(TwoParameterToy.Parameterization.DIRECT, target, lambda);
        double[] fac = TwoParameterToy.minimizer(TwoParameterToy.Parameterization.FACTORIZED, target, lambda);
        XYSeries minima = c.addSeries("minimizers (direct, factorized)", new double[] {direct[0], fac[0]}, new double[] {direct[1], fac[1]});
        minima.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        minima.setMarker(SeriesMarkers.CROSS);
        minima.setMarkerColor(java.awt.Color.DARK_GRAY);
        return c;
    }
}
