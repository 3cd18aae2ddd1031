package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
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
 * four runs, and the claim that factorized + L2 acts like L1 (a coordinate reaches 0) while direct
 * + L2 only shrinks.
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
     * @param zeroTolerance |w_i| below it counts as 0
     */
    public record Config(List<Double> target, double zeroTolerance) {
        public Config {
            ParamCheck.positive("zero_tolerance", zeroTolerance, 1);
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
        double zeroTol = c.zeroTolerance();
        TreeMap<Double, Map<String, double[][]>> byLambda = new TreeMap<>();
        for (TaskInput in : ctx.inputs("train")) {
            double lambda = ((Number) in.sweepPoint().get("lambda")).doubleValue();
            byLambda.put(lambda, read(in));
        }
        List<XYChart> panels = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        double l1Threshold = Math.min(Math.abs(target[0]), Math.abs(target[1]));
        StringBuilder measured = new StringBuilder();
        boolean ok = true;
        int inRegime = 0;
        for (Map.Entry<Double, Map<String, double[][]>> e : byLambda.entrySet()) {
            double lambda = e.getKey();
            panels.add(panel(lambda, e.getValue(), target));
            double fac = minAbsFinal(e.getValue().get("factorized,adam-l2"));
            double dir = minAbsFinal(e.getValue().get("direct,adam-l2"));
            double facW = minAbsFinal(e.getValue().get("factorized,adamw"));
            boolean regime = lambda > l1Threshold;
            measured.append(String.format(Locale.ROOT, "λ=%s%s: min_i|w_i| factorized+Adam-L2 %.2e, direct+Adam-L2 %.2e, factorized+AdamW %.2e; ",
                    Kobayashi2024Fig1Task.fmt(lambda), regime ? " (λ > min|w*_i|)" : "", fac, dir, facW));
            if (regime) {
                inRegime++;
                ok &= fac < zeroTol && dir >= zeroTol;
            }
        }
        checks.add(new ClaimCheck("factorized-l2-is-l1",
                "with L2 on the factors w_i = a_i b_i, Adam+L2 drives a coordinate to 0 (L1-like); on w directly it only shrinks",
                inRegime == 0 ? "no λ above min|w*_i| = " + l1Threshold + " in the sweep: " + measured.toString().trim() : measured.toString().trim(),
                String.format(Locale.ROOT, "for every λ > min|w*_i| = %s: factorized+Adam-L2 has some |w_i| < %.0e at the end and direct+Adam-L2 has none",
                        l1Threshold, zeroTol),
                inRegime > 0 && ok));
        ClaimChecks.write(ctx.outputDir(), checks);
        Figure.of("figA1", Caption.of(ctx.spec()), panels, 3).write(ctx.outputDir());
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
