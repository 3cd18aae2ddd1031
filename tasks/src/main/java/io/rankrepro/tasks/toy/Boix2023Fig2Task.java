package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.Effect;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code boix2023/fig2}: paper B's Figure 2 from a {@code diagonal-toy/perturb} output — entries of
 * kq and vo vs rescaled time, perturbed (solid) against unperturbed (dashed), for (a) a perturbation of
 * the active coordinates inside a stage and (b) a perturbation of every coordinate at a stage start;
 * (c) the distance to the unperturbed run after (a); (d) the jump after (b), time-shifted to align the
 * switch-on. Writes {@code fig2.png}, {@code fig2.svg}, {@code figure-data.csv} and {@code checks.json}:
 * <ul>
 *   <li>{@code returns-to-plateau}: ‖w_perturbed − w_unperturbed‖ one relaxation window after (a) is at
 *       most {@code return_tolerance} (default 0.01);</li>
 *   <li>{@code same-nonlinear-evolution}: after (b), the largest entry deviation from the unperturbed run,
 *       time-shifted so the switch-ons coincide, within {@code align_window_tau} (default 0.3) of the switch-on,
 *       is at most {@code shape_tolerance} (default 0.02).</li>
 * </ul>
 * Params: {@link Config}. Reads the {@code perturb} output's {@code perturbations.json} and
 * {@code perturb-paths.csv}.
 */
public final class Boix2023Fig2Task implements Task {
    public static final String KIND = "boix2023/fig2";
    static final String PERTURB_STAGE = "perturb";

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * @param returnTolerance largest ‖w_perturbed − w_unperturbed‖ one relaxation window after (a)
     * @param shapeTolerance  largest time-shifted entry deviation after (b)
     * @param alignWindowTau  half-width in τ, around the switch-on, of the window compared after (b)
     */
    public record Config(@Default("0.01") double returnTolerance, @Default("0.02") double shapeTolerance,
                         @Default("0.3") double alignWindowTau) {
        public Config {
            ParamCheck.require(returnTolerance > 0, "return_tolerance", "must be > 0, got " + returnTolerance);
            ParamCheck.require(shapeTolerance > 0, "shape_tolerance", "must be > 0, got " + shapeTolerance);
            ParamCheck.require(alignWindowTau > 0, "align_window_tau", "must be > 0, got " + alignWindowTau);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(PERTURB_STAGE, DiagonalToyPerturbTask.RECORD, DiagonalToyPerturbTask.PATHS)
            .writes("figure-data.csv", "fig2.png", "fig2.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        Path in = ctx.input(PERTURB_STAGE).dir();
        PerturbationRecord record = PerturbationRecord.read(in.resolve(DiagonalToyPerturbTask.RECORD));
        Map<String, ProductPath> paths = ProductPathTable.read(in.resolve(DiagonalToyPerturbTask.PATHS));
        ProductPath base = require(paths, "unperturbed");
        ProductPath inside = require(paths, "inside");
        ProductPath start = require(paths, "start");
        PerturbationRecord.Run insideRun = record.run("inside");
        PerturbationRecord.Run startRun = record.run("start");
        int dim = record.dim();
        int switching = new ProductCoordinate(startRun.stageCoordinate().substring(0, 2),
                Integer.parseInt(startRun.stageCoordinate().replaceAll("\\D", ""))).flatIndex(dim);

        PerturbationChecks.Return back = PerturbationChecks.returnToPlateau(base, inside, insideRun.window());
        double window = c.alignWindowTau();
        PerturbationChecks.Alignment aligned = PerturbationChecks.alignSwitchOn(base, start, switching,
                startRun.switchLevel(), window);

        List<PlotSeries> series = new ArrayList<>();
        entries(series, "a", base, inside, dim, 0);
        marker(series, "a", insideRun.tau(), "perturbation (active only)");
        entries(series, "b", base, start, dim, 0);
        marker(series, "b", startRun.tau(), "perturbation (all entries)");
        distance(series, base, inside, back);
        shifted(series, base, start, aligned, dim);

        Path out = ctx.outputDir();
        PlotSeries.table(series).write(out.resolve("figure-data.csv"));
        List<Fig2Renderer.Panel> panels = List.of(
                new Fig2Renderer.Panel("a", String.format(Locale.ROOT, "(a) active entries perturbed inside stage %d, τ = %.3f",
                        insideRun.stage(), insideRun.tau()), "rescaled time τ", "entry", false),
                new Fig2Renderer.Panel("b", String.format(Locale.ROOT, "(b) all entries perturbed at the start of stage %d (%s), τ = %.3f",
                        startRun.stage(), startRun.stageCoordinate(), startRun.tau()), "rescaled time τ", "entry", false),
                new Fig2Renderer.Panel("c", "(c) after (a): distance to the unperturbed run",
                        "τ − τ_perturbation", "‖w_perturbed − w_unperturbed‖", true),
                new Fig2Renderer.Panel("d", String.format(Locale.ROOT, "(d) after (b): shifted by Δτ = %.4f to align %s",
                        aligned.shift(), startRun.stageCoordinate()), "τ − τ_switch-on (unperturbed)", "entry", false));
        Fig2Renderer.write(series, panels, caption(ctx.spec(), record), out);

        List<ClaimCheck> checks = List.of(returnCheck(back, insideRun, c.returnTolerance()),
                shapeCheck(aligned, startRun, c.shapeTolerance()));
        ClaimChecks.write(out, checks);
        for (ClaimCheck check : checks) {
            ctx.tracker().logMetric("claim/" + check.id() + "/passed", check.passed() ? 1 : 0, 0);
        }
        ctx.tracker().logMetric("analysis/return_distance", back.relaxed(), 0);
        ctx.tracker().logMetric("analysis/aligned_deviation", Double.isNaN(aligned.aligned()) ? -1 : aligned.aligned(), 0);
        ctx.tracker().flush();
    }

    static ClaimCheck returnCheck(PerturbationChecks.Return back, PerturbationRecord.Run run, double tolerance) {
        return ClaimCheck.claim("returns-to-plateau",
                "perturbed inside a stage (active coordinates only), the weights return to the plateau point",
                String.format(Locale.ROOT, "stage %d, perturbed at τ = %.4f (log-factor noise %.2f on %s): ‖Δw‖ = %.4g right after, "
                        + "%.4g after Δτ = %.3f", run.stage(), run.tau(), run.scale(), String.join(" ", run.perturbed()),
                        back.initial(), back.relaxed(), back.relaxTau()),
                String.format(Locale.ROOT, "‖Δw‖ after the relaxation window below %s", tolerance),
                Effect.deterministic("−‖w_perturbed − w_unperturbed‖ after the relaxation window", -back.relaxed(), -tolerance));
    }

    static ClaimCheck shapeCheck(PerturbationChecks.Alignment a, PerturbationRecord.Run run, double tolerance) {
        boolean found = a.points() > 0 && !Double.isNaN(a.aligned());
        return ClaimCheck.claim("same-nonlinear-evolution",
                "perturbed at a stage start, the run follows the same nonlinear evolution as the unperturbed one",
                found ? String.format(Locale.ROOT, "stage %d (%s), all entries perturbed at τ = %.4f (log-factor noise %.2f): "
                                + "switch-on τ %.4f unperturbed, %.4f perturbed (shift %.4f); max |Δentry| within ±%.2f of the "
                                + "switch-on: %.4g aligned, %.4g unaligned, over %d points", run.stage(), run.stageCoordinate(),
                        run.tau(), run.scale(), a.unperturbedSwitch(), a.perturbedSwitch(), a.shift(), a.window(), a.aligned(),
                        a.unaligned(), a.points())
                        : String.format(Locale.ROOT, "the switch-on of %s was not found in both runs (τ %.4f, %.4f)",
                        run.stageCoordinate(), a.unperturbedSwitch(), a.perturbedSwitch()),
                String.format(Locale.ROOT, "time-shifted max |Δentry| below %s", tolerance),
                Effect.deterministic("−max |Δentry| within the window around the switch-on, time-shifted", found ? -a.aligned() : Double.NaN,
                        -tolerance));
    }

    private static ProductPath require(Map<String, ProductPath> paths, String name) {
        ProductPath p = paths.get(name);
        if (p == null) {
            throw new IllegalStateException(DiagonalToyPerturbTask.PATHS + " lacks run '" + name + "' (has " + paths.keySet() + ")");
        }
        return p;
    }

    /** Entries that ever leave 0 (|w| > 1e-3), perturbed solid from its start and unperturbed dashed throughout. */
    private static void entries(List<PlotSeries> out, String panel, ProductPath base, ProductPath perturbed, int dim, double offset) {
        for (int c = 0; c < 2 * dim; c++) {
            if (!visible(base, c) && !visible(perturbed, c)) {
                continue;
            }
            String label = ProductCoordinate.of(c, dim).label();
            ProductPath solid = sparse(perturbed, 600);
            ProductPath dashed = sparse(base, 200); // a dash needs several pixels between points to show
            out.add(new PlotSeries(panel, label + " perturbed", shift(times(solid), -offset), column(solid, c),
                    PlotSeries.Style.LINE));
            out.add(new PlotSeries(panel, label + " unperturbed", shift(times(dashed), -offset), column(dashed, c),
                    PlotSeries.Style.DASHED));
        }
    }

    private static void marker(List<PlotSeries> out, String panel, double tau, String name) {
        out.add(new PlotSeries(panel, name, new double[] {tau}, new double[] {0}, PlotSeries.Style.MARKERS));
    }

    private static void distance(List<PlotSeries> out, ProductPath base, ProductPath inside, PerturbationChecks.Return back) {
        int n = inside.size();
        double horizon = Math.min(inside.end(), inside.start() + 3 * back.relaxTau());
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < n && inside.tauAt(i) <= horizon; i++) {
            double t = inside.tauAt(i);
            double d = PerturbationChecks.distance(base.at(t), inside.at(t));
            if (d > 0) { // the log axis cannot show exact agreement
                points.add(new double[] {t - inside.start(), d});
            }
        }
        out.add(new PlotSeries("c", "‖Δw‖", points.stream().mapToDouble(r -> r[0]).toArray(),
                points.stream().mapToDouble(r -> r[1]).toArray(), PlotSeries.Style.LINE));
        if (back.relaxed() > 0) {
            out.add(new PlotSeries("c", "end of relaxation window", new double[] {back.relaxTau()},
                    new double[] {back.relaxed()}, PlotSeries.Style.MARKERS));
        }
    }

    private static void shifted(List<PlotSeries> out, ProductPath base, ProductPath start, PerturbationChecks.Alignment a,
                                int dim) {
        if (Double.isNaN(a.shift())) {
            return;
        }
        double from = Math.max(start.start(), a.unperturbedSwitch() - a.window());
        double to = Math.min(base.end(), a.unperturbedSwitch() + a.window());
        ProductPath u = sparse(base.thinned(from, to, 1), 60);
        ProductPath pp = sparse(start.thinned(Math.max(start.start(), from + a.shift()), Math.min(start.end(), to + a.shift()), 1), 300);
        for (int c = 0; c < 2 * dim; c++) {
            if (!visible(u, c)) {
                continue;
            }
            String label = ProductCoordinate.of(c, dim).label();
            out.add(new PlotSeries("d", label + " perturbed, shifted", shift(times(pp), -a.perturbedSwitch()), column(pp, c),
                    PlotSeries.Style.LINE));
            out.add(new PlotSeries("d", label + " unperturbed", shift(times(u), -a.unperturbedSwitch()), column(u, c),
                    PlotSeries.Style.DASHED));
        }
    }

    /** At most about {@code points} points of {@code p}, for drawing. */
    private static ProductPath sparse(ProductPath p, int points) {
        return p.thinned(p.start(), p.end(), Math.max(1, p.size() / points));
    }

    private static boolean visible(ProductPath p, int c) {
        for (int i = 0; i < p.size(); i++) {
            if (Math.abs(p.valueAt(i, c)) > Boix2023Fig1Task.ENTRY_VISIBLE) {
                return true;
            }
        }
        return false;
    }

    private static double[] times(ProductPath p) {
        double[] t = new double[p.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = p.tauAt(i);
        }
        return t;
    }

    private static double[] column(ProductPath p, int c) {
        double[] v = new double[p.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = p.valueAt(i, c);
        }
        return v;
    }

    private static double[] shift(double[] x, double by) {
        double[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += by;
        }
        return out;
    }

    private static Caption caption(SpecInfo spec, PerturbationRecord r) {
        return Caption.of(spec).note(String.format(Locale.ROOT, "d = %d, α = %s, η = %s, full-batch GD in float64",
                r.dim(), Boix2023Fig1Task.alphaLabel(r.alpha()), r.learningRate()) + " · solid: perturbed, dashed: unperturbed");
    }
}
