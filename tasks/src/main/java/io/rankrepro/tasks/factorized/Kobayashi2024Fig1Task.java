package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.Effect;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code kobayashi2024/fig1} (gather): the four panels of Kobayashi et al. 2024 Fig. 1 from every
 * λ's trajectory and analysis, and the theory as claim checks.
 *
 * <p>Params: {@link Config}. Reads {@code analysis.json} of every {@code analyze} and
 * {@code trajectory.csv} of every {@code train}, paired by sweep point.
 */
public final class Kobayashi2024Fig1Task implements Task {
    static final double LOG_FLOOR = 1e-18;

    record Run(double lambda, List<ToySnapshot> rows, FactorizedToyAnalyzeTask.Analysis analysis) { }

    @Override
    public String kind() {
        return "kobayashi2024/fig1";
    }

    /**
     * @param svPanelLambda   panel 4's λ; the nearest swept λ is used and named
     * @param gapTolerance    the sanity check passes when Δ ≥ −tol (rounding)
     * @param rateTolerance   relative allowance of the fitted imbalance rate outside the gradient-descent
     *                        band [−2ln(1−ηλ), −ln(1−2ηλ)] (the fit of a mixture of exponentials)
     * @param svTolerance     absolute, final singular values vs the soft threshold (panel 3)
     * @param thresholdMargin panel 3 skips λ whose λ_eff lies within this of some d_i, where convergence
     *                        to 0 is algebraic rather than exponential
     * @param panelTolerance  absolute, panel 4's final singular values vs the soft threshold; covers the
     *                        algebraic tail s(t) ≈ 1/(4ηt) of a direction exactly at its threshold
     */
    public record Config(double svPanelLambda, double gapTolerance, double rateTolerance, double svTolerance,
                         double thresholdMargin, @Default("0.01") double panelTolerance) {
        public Config {
            ParamCheck.range("sv_panel_lambda", svPanelLambda, 0, 100);
            ParamCheck.range("gap_tolerance", gapTolerance, 0, 1);
            ParamCheck.positive("rate_tolerance", rateTolerance, 1);
            ParamCheck.positive("sv_tolerance", svTolerance, 1);
            ParamCheck.range("threshold_margin", thresholdMargin, 0, 10);
            ParamCheck.positive("panel_tolerance", panelTolerance, 10);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("analyze", FactorizedToyAnalyzeTask.FILE)
            .reads("train", ToyTrajectoryTable.FILE_NAME)
            .writes(ClaimChecks.FILE_NAME, "fig1.png", "fig1.svg")
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        List<Run> runs = new ArrayList<>();
        for (TaskInput analyzeInput : ctx.inputs("analyze")) {
            FactorizedToyAnalyzeTask.Analysis a = FactorizedToyTrainTask.JSON.readValue(
                    analyzeInput.dir().resolve(FactorizedToyAnalyzeTask.FILE).toFile(), FactorizedToyAnalyzeTask.Analysis.class);
            TaskInput train = ctx.inputs("train").stream()
                    .filter(t -> t.sweepPoint().equals(analyzeInput.sweepPoint())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no train input for " + analyzeInput.taskId()));
            runs.add(new Run(a.lambda(), ToyTrajectoryTable.read(train.dir().resolve(ToyTrajectoryTable.FILE_NAME)), a));
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException("no analyze inputs; the spec must gather over factorized-toy/analyze");
        }
        runs.sort(Comparator.comparingDouble(Run::lambda));

        List<ClaimCheck> checks = checks(runs, c);
        ClaimChecks.write(ctx.outputDir(), checks);
        Figure.of("fig1", Caption.of(ctx.spec()), List.of(gapPanel(runs), imbalancePanel(runs), finalSingularValuesPanel(runs),
                singularValuesOverTimePanel(runs, c.svPanelLambda())), 2).write(ctx.outputDir());
        for (Run r : runs) {
            ctx.tracker().logMetric("analysis/fitted_rate/lambda_" + fmt(r.lambda()).toLowerCase(java.util.Locale.ROOT), r.analysis().fittedRate(), 0);
        }
    }

    static List<ClaimCheck> checks(List<Run> runs, Config c) {
        List<ClaimCheck> checks = new ArrayList<>();
        double minGap = runs.stream().mapToDouble(r -> r.analysis().minGap()).min().orElseThrow();
        checks.add(ClaimCheck.sanity("gap-nonnegative",
                "Δ = ½(‖A‖²+‖B‖²) − ‖ABᵀ‖_* ≥ 0 at every step (an identity: ‖ABᵀ‖_* ≤ ‖A‖_F‖B‖_F ≤ ½(‖A‖²+‖B‖²))",
                String.format(Locale.ROOT, "min Δ = %.3e over %d runs, every recorded step", minGap, runs.size()),
                String.format(Locale.ROOT, "min Δ ≥ −%.0e", c.gapTolerance()), minGap >= -c.gapTolerance()));
        List<FactorizedToyAnalyzeTask.Analysis> decayed = runs.stream().map(Run::analysis).filter(a -> a.lambda() > 0).toList();
        checks.add(gapDecays(decayed));
        checks.add(imbalanceRate(decayed, c.rateTolerance()));
        checks.add(softThreshold(runs, c));
        checks.add(panelFour(runs, c));
        return checks;
    }

    /** Panel 1: Δ under the caption's envelope ½‖A₀ᵀA₀ − B₀ᵀB₀‖_*·e^{−2ηλt} for every λ > 0. */
    static ClaimCheck gapDecays(List<FactorizedToyAnalyzeTask.Analysis> decayed) {
        StringBuilder m = new StringBuilder();
        double worst = decayed.isEmpty() ? Double.NaN : Double.POSITIVE_INFINITY;
        for (FactorizedToyAnalyzeTask.Analysis a : decayed) {
            worst = Math.min(worst, a.gapEnvelopeMargin());
            m.append(String.format(Locale.ROOT, "λ=%s: %.2f e-folds below (%d steps); ", fmt(a.lambda()), a.gapEnvelopeMargin(),
                    a.gapEnvelopePoints()));
        }
        return ClaimCheck.claim("fig1-gap-decays-exponentially",
                "Δ decays exponentially to 0 for every λ > 0: Δ(t) ≤ ½e^{−2λt}‖A₀ᵀA₀ − B₀ᵀB₀‖_* (t = η·steps)",
                decayed.isEmpty() ? "no λ > 0 in the sweep" : "min over steps of ln(envelope/Δ): " + m.toString().trim(),
                "min over λ > 0 and steps with the envelope above the fit floor of ln(envelope_t/Δ_t) > 0",
                Effect.deterministic("min over λ > 0 and steps of ln(envelope_t / Δ_t)", worst, 0));
    }

    /** Panel 2: the fitted per-step rate of ‖AᵀA − BᵀB‖ inside [−2ln(1−ηλ), −ln(1−2ηλ)]. */
    static ClaimCheck imbalanceRate(List<FactorizedToyAnalyzeTask.Analysis> decayed, double tolerance) {
        StringBuilder m = new StringBuilder();
        double worst = decayed.isEmpty() ? Double.NaN : Double.POSITIVE_INFINITY;
        for (FactorizedToyAnalyzeTask.Analysis a : decayed) {
            double inside = bandPosition(a.fittedRate(), a.rateSquaredFactor(), a.rateActive());
            worst = Math.min(worst, inside);
            m.append(String.format(Locale.ROOT, "λ=%s: fit %.6f in [%.6f, %.6f] (%+.2e; 2ηλ = %.6f; %d pts, steps %d–%d); ",
                    fmt(a.lambda()), a.fittedRate(), a.rateSquaredFactor(), a.rateActive(), inside, a.rateGradientFlow(),
                    a.fitPoints(), a.fitFirstStep(), a.fitLastStep()));
        }
        return ClaimCheck.claim("fig1-imbalance-rate",
                "‖AᵀA − BᵀB‖ decays exponentially at a rate ∝ λ: per gradient-descent step inside [−2ln(1−ηλ), −ln(1−2ηλ)] (2λ in gradient flow)",
                decayed.isEmpty() ? "no λ > 0 in the sweep" : m.toString().trim(),
                String.format(Locale.ROOT, "min over λ > 0 of min(r/lo − 1, 1 − r/hi) > −%.0e (r fitted over the later half of the steps above the floor)", tolerance),
                Effect.deterministic("min over λ > 0 of the fitted rate's position in the band, min(r/lo − 1, 1 − r/hi)", worst, -tolerance));
    }

    /** min(r/lo − 1, 1 − r/hi): ≥ 0 inside the band, the relative miss outside; NaN when undefined. */
    static double bandPosition(double rate, double lo, double hi) {
        return Math.min(rate / lo - 1, 1 - rate / hi);
    }

    /** Panel 3: final singular values on the soft threshold, away from the thresholds. */
    static ClaimCheck softThreshold(List<Run> runs, Config c) {
        StringBuilder sv = new StringBuilder();
        StringBuilder skipped = new StringBuilder();
        double worst = 0;
        int svRuns = 0;
        for (Run r : runs) {
            FactorizedToyAnalyzeTask.Analysis a = r.analysis();
            if (a.distanceToThreshold() < c.thresholdMargin()) {
                skipped.append(String.format(Locale.ROOT, "λ=%s (max err %.2e) ", fmt(a.lambda()), a.maxSingularValueError()));
                continue;
            }
            svRuns++;
            worst = Math.max(worst, a.maxSingularValueError());
            sv.append(String.format(Locale.ROOT, "λ=%s: max|s−ŝ| = %.2e; ", fmt(a.lambda()), a.maxSingularValueError()));
        }
        if (skipped.length() > 0) {
            sv.append("not checked (within ").append(c.thresholdMargin()).append(" of a threshold): ").append(skipped.toString().trim());
        }
        boolean half = runs.get(0).analysis().halfInLoss();
        return ClaimCheck.claim("fig1-soft-threshold",
                "singular values of ABᵀ at the end equal max(d_i − λ_eff, 0), λ_eff = " + (half ? "λ (½ in the loss)" : "λ/2 (no ½ in the loss)"),
                svRuns == 0 ? "no λ away from a threshold" : sv.toString().trim(),
                String.format(Locale.ROOT, "max_i |s_i − max(d_i − λ_eff, 0)| < %.0e for every λ with |λ_eff − d_i| ≥ %s for all i",
                        c.svTolerance(), c.thresholdMargin()),
                Effect.deterministic("−max_i |s_i(T) − ŝ_i| over λ away from a threshold", svRuns == 0 ? Double.NaN : -worst,
                        -c.svTolerance()));
    }

    /** Panel 4: at its λ, every singular value ends at its soft-thresholded value. */
    static ClaimCheck panelFour(List<Run> runs, Config c) {
        Run run = panelRun(runs, c.svPanelLambda());
        FactorizedToyAnalyzeTask.Analysis a = run.analysis();
        return ClaimCheck.claim("fig1-singular-values-over-training",
                "over training at λ = " + fmt(run.lambda()) + " each singular value of ABᵀ converges to max(d_i − λ_eff, 0); those at or below the threshold go to 0",
                String.format(Locale.ROOT, "λ=%s, step %d: s = %s vs ŝ = %s, max|s−ŝ| = %.2e", fmt(run.lambda()),
                        run.rows().get(run.rows().size() - 1).step(), vector(a.finalSingularValues()), vector(a.predictedSingularValues()),
                        a.maxSingularValueError()),
                String.format(Locale.ROOT, "max_i |s_i(T) − ŝ_i| < %s (twice the 1/(4ηT) tail of a direction exactly at its threshold)",
                        fmt(c.panelTolerance())),
                Effect.deterministic("−max_i |s_i(T) − ŝ_i| at panel 4's λ", -a.maxSingularValueError(), -c.panelTolerance()));
    }

    static Run panelRun(List<Run> runs, double wanted) {
        return runs.stream().min(Comparator.comparingDouble(r -> Math.abs(r.lambda() - wanted))).orElseThrow();
    }

    private static String vector(double[] v) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
        }
        return s.append(')').toString();
    }

    static XYChart gapPanel(List<Run> runs) {
        XYChart c = chart("(1) balance gap Δ vs step", "step t", "Δ (floored at 1e-18 for the log axis)", true);
        for (Run r : runs) {
            line(c, "λ=" + fmt(r.lambda()), steps(r), r.rows().stream().mapToDouble(s -> Math.max(s.gap(), LOG_FLOOR)).toArray());
        }
        return c;
    }

    static XYChart imbalancePanel(List<Run> runs) {
        XYChart c = chart("(2) imbalance ‖AᵀA − BᵀB‖_F vs step", "step t", "‖AᵀA − BᵀB‖_F", true);
        for (Run r : runs) {
            line(c, "λ=" + fmt(r.lambda()), steps(r), r.rows().stream().mapToDouble(s -> Math.max(s.imbalance(), LOG_FLOOR)).toArray());
        }
        return c;
    }

    static XYChart finalSingularValuesPanel(List<Run> runs) {
        boolean half = runs.get(0).analysis().halfInLoss();
        long lastStep = runs.get(0).rows().get(runs.get(0).rows().size() - 1).step();
        XYChart c = chart("(3) singular values of ABᵀ at t=" + lastStep + " vs λ (lines: max(d_i − λ" + (half ? "" : "/2") + ", 0))",
                "λ", "singular value", false);
        int k = runs.get(0).analysis().finalSingularValues().length;
        double[] lambdas = runs.stream().mapToDouble(Run::lambda).toArray();
        double maxLambda = lambdas[lambdas.length - 1];
        double[] grid = new double[201];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = maxLambda * i / (grid.length - 1);
        }
        double[] d = runs.get(0).analysis().predictedSingularValues().clone();
        double t0 = runs.get(0).analysis().effectiveThreshold();
        for (int i = 0; i < d.length; i++) {
            d[i] += t0; // predicted values are max(d − t0, 0); recover d where positive
        }
        for (int i = 0; i < k; i++) {
            final int idx = i;
            double[] measured = runs.stream().mapToDouble(r -> r.analysis().finalSingularValues()[idx]).toArray();
            XYSeries s = c.addSeries("s" + (i + 1), lambdas, measured);
            s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            double di = d[i];
            double[] predicted = java.util.Arrays.stream(grid)
                    .map(l -> Math.max(di - SoftThreshold.effectiveThreshold(l, half), 0)).toArray();
            XYSeries line = c.addSeries("ŝ" + (i + 1), grid, predicted);
            line.setMarker(SeriesMarkers.NONE);
            line.setShowInLegend(false);
            line.setLineColor(s.getMarkerColor() == null ? java.awt.Color.GRAY : s.getMarkerColor());
        }
        return c;
    }

    static XYChart singularValuesOverTimePanel(List<Run> runs, double wanted) {
        Run run = panelRun(runs, wanted);
        String note = run.lambda() == wanted ? "" : " (nearest swept to " + fmt(wanted) + ")";
        XYChart c = chart("(4) singular values of ABᵀ vs step at λ=" + fmt(run.lambda()) + note, "step t", "singular value", false);
        int k = run.rows().get(0).singularValues().length;
        for (int i = 0; i < k; i++) {
            final int idx = i;
            line(c, "s" + (i + 1), steps(run), run.rows().stream().mapToDouble(s -> s.singularValues()[idx]).toArray());
        }
        double[] predicted = run.analysis().predictedSingularValues();
        double[] ends = {0, run.rows().get(run.rows().size() - 1).step()};
        for (int i = 0; i < predicted.length; i++) {
            XYSeries s = c.addSeries("ŝ" + (i + 1), ends, new double[] {predicted[i], predicted[i]});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(java.awt.Color.LIGHT_GRAY);
            s.setLineStyle(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
            s.setShowInLegend(i == 0);
        }
        return c;
    }

    static XYChart chart(String title, String x, String y, boolean logY) {
        return Panels.xy(title, x, y, false, logY);
    }

    static void line(XYChart c, String name, double[] x, double[] y) {
        Panels.curve(c, name, x, y);
    }

    static double[] steps(Run r) {
        return r.rows().stream().mapToDouble(ToySnapshot::step).toArray();
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }
}
