package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;
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
import io.rankrepro.tasks.task.TaskInput;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code boix2023/fig1}: gathers every {@code analyze} output (one per α, α from its sweep point) into
 * paper B's Figure 1 ({@code fig1.png}, {@code fig1.svg}), {@code figure-data.csv} (panel,series,
 * style,x,y: exactly what is drawn) and {@code checks.json}:
 * <ul>
 *   <li>{@code greedy-stage-times}: at the smallest α, GD's stage times (see {@link StageComparison})
 *       within {@code stage_tolerance} (default 0.1) rescaled time of the greedy algorithm's;</li>
 *   <li>{@code plateaus-sharpen}: the plateau deviation |ln(ℓ_GD/ℓ_greedy)| at mid-plateau does not
 *       grow as α falls, is smaller at the smallest α than at the largest, and is at most
 *       {@code plateau_tolerance} (default 0.05) at the smallest α.</li>
 * </ul>
 * Losses are drawn clipped below at {@code loss_floor_ratio}·ℓ(0) (default 1e-7): the teacher is
 * realizable, so the last plateau is 0. Params: {@link Config}. Reads, per α, the {@code analyze}
 * output's {@code train.json}, {@code loss.csv}, {@code entries.csv}, {@code greedy.csv} and
 * {@code greedy-weights.csv}.
 */
public final class Boix2023Fig1Task implements Task {
    public static final String KIND = "boix2023/fig1";
    static final String ANALYZE_STAGE = "analyze";
    /** Entries whose |value| never exceeds this are left out of panel (b) (they stay at 0). */
    static final double ENTRY_VISIBLE = 1e-3;

    /** One α's analysis. */
    record Run(double alpha, Path dir, TrainRecord train, LossCurve loss) { }

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * @param stageTolerance   largest |τ_GD − τ_greedy| of a stage time at the smallest α
     * @param plateauTolerance largest plateau deviation at the smallest α
     * @param lossFloorRatio   losses are drawn clipped below at this fraction of ℓ(0)
     * @param onThreshold      |entry| at or above which an entry of a diagonal product counts as switched on
     */
    public record Config(@Default("0.1") double stageTolerance, @Default("0.05") double plateauTolerance,
                         @Default("1e-7") double lossFloorRatio, @Default("0.05") double onThreshold) {
        public Config {
            ParamCheck.require(onThreshold > 0, "on_threshold", "must be > 0, got " + onThreshold);
            ParamCheck.require(stageTolerance > 0, "stage_tolerance", "must be > 0, got " + stageTolerance);
            ParamCheck.require(plateauTolerance > 0, "plateau_tolerance", "must be > 0, got " + plateauTolerance);
            ParamCheck.require(lossFloorRatio > 0 && lossFloorRatio < 1, "loss_floor_ratio",
                    "must be in (0, 1), got " + lossFloorRatio);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(ANALYZE_STAGE, ToyFiles.TRAIN_RECORD, ToyFiles.LOSS, ToyFiles.ENTRIES, ToyFiles.GREEDY,
                    ToyFiles.GREEDY_WEIGHTS)
            .writes("figure-data.csv", "fig1.png", "fig1.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        List<Run> runs = runs(ctx);
        Run smallest = runs.get(runs.size() - 1);
        TrainRecord cfg = smallest.train();
        List<GreedyStage> greedy = GreedyTables.read(smallest.dir(), cfg.dim());
        double floor = c.lossFloorRatio() * greedy.get(0).loss();

        List<PlotSeries> series = series(runs, greedy, floor, cfg.dim());
        Path out = ctx.outputDir();
        PlotSeries.table(series).write(out.resolve("figure-data.csv"));
        Fig1Renderer.write(series, floor, caption(ctx.spec(), cfg), out);

        List<ClaimCheck> checks = List.of(
                stageTimeCheck(greedy, smallest, cfg.dim(), c.stageTolerance()),
                sharpeningCheck(greedy, runs, c.plateauTolerance()),
                oneEntryPerStageCheck(EntrySwitchOns.of(greedy, smallest.loss().tauMax(),
                        Table.read(smallest.dir().resolve(ToyFiles.ENTRIES)), c.onThreshold()), smallest.alpha(), c.onThreshold()));
        ClaimChecks.write(out, checks);
        for (ClaimCheck check : checks) {
            ctx.tracker().logMetric("claim/" + check.id() + "/passed", check.passed() ? 1 : 0, 0);
        }
        ctx.tracker().flush();
    }

    /** The analyze outputs, largest α first. */
    static List<Run> runs(TaskContext ctx) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (TaskInput in : ctx.inputs(ANALYZE_STAGE)) {
            Object alpha = in.sweepPoint().get("alpha");
            if (!(alpha instanceof Number a)) {
                throw new IllegalStateException(in.taskId() + " has no numeric sweep value 'alpha' (sweep point "
                        + in.sweepPoint() + ")");
            }
            runs.add(new Run(a.doubleValue(), in.dir(), TrainRecord.read(in.dir().resolve(ToyFiles.TRAIN_RECORD)),
                    LossCurve.of(Table.read(in.dir().resolve(ToyFiles.LOSS)))));
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException(ctx.taskId() + " found no '" + ANALYZE_STAGE + "' inputs");
        }
        runs.sort(Comparator.comparingDouble(Run::alpha).reversed());
        return runs;
    }

    static List<PlotSeries> series(List<Run> runs, List<GreedyStage> greedy, double floor, int dim) throws IOException {
        List<PlotSeries> out = new ArrayList<>();
        for (Run r : runs) {
            double[] loss = r.loss().loss();
            for (int i = 0; i < loss.length; i++) {
                loss[i] = Math.max(loss[i], floor);
            }
            out.add(new PlotSeries("a", "GD, α = " + alphaLabel(r.alpha()), r.loss().tau(), loss, PlotSeries.Style.LINE));
        }
        // greedy prediction as a staircase: flat at each plateau, dropping at each stage start
        double horizon = runs.get(0).loss().tauMax();
        List<double[]> steps = new ArrayList<>();
        for (int k = 0; k < greedy.size(); k++) {
            double level = Math.max(greedy.get(k).loss(), floor);
            steps.add(new double[] {greedy.get(k).tau(), level});
            double end = k + 1 < greedy.size() ? greedy.get(k + 1).tau() : horizon;
            steps.add(new double[] {end, level});
        }
        out.add(new PlotSeries("a", "greedy (α → 0)", column(steps, 0), column(steps, 1), PlotSeries.Style.DASHED));

        Run smallest = runs.get(runs.size() - 1);
        Table entries = Table.read(smallest.dir().resolve(ToyFiles.ENTRIES));
        Map<String, List<double[]>> byEntry = new LinkedHashMap<>();
        List<String> product = entries.strings("product");
        double[] index = entries.doubles("index");
        double[] tau = entries.doubles("tau");
        double[] value = entries.doubles("value");
        for (int i = 0; i < tau.length; i++) {
            byEntry.computeIfAbsent(product.get(i) + "[" + (int) index[i] + "]", k -> new ArrayList<>())
                    .add(new double[] {tau[i], value[i]});
        }
        for (String p : List.of(ProductCoordinate.KQ, ProductCoordinate.VO)) {
            for (int i = 0; i < dim; i++) {
                List<double[]> points = byEntry.get(p + "[" + i + "]");
                if (points != null && points.stream().anyMatch(v -> Math.abs(v[1]) > ENTRY_VISIBLE)) {
                    out.add(new PlotSeries("b", p + "[" + i + "], α = " + alphaLabel(smallest.alpha()),
                            column(points, 0), column(points, 1), PlotSeries.Style.LINE));
                }
            }
        }
        List<double[]> marks = new ArrayList<>();
        for (GreedyStage s : greedy.subList(1, greedy.size())) {
            marks.add(new double[] {s.tau(), s.w()[s.coordinate()]});
        }
        if (!marks.isEmpty()) {
            out.add(new PlotSeries("b", "greedy switch-on (τ_k, value)", column(marks, 0), column(marks, 1),
                    PlotSeries.Style.MARKERS));
        }
        return out;
    }

    static ClaimCheck stageTimeCheck(List<GreedyStage> greedy, Run run, int dim, double tolerance) {
        List<StageComparison.StageTime> times = StageComparison.stageTimes(greedy, dim, run.loss(), 0);
        double worst = 0;
        boolean allFound = !times.isEmpty();
        StringBuilder measured = new StringBuilder("α = " + alphaLabel(run.alpha()) + ":");
        for (StageComparison.StageTime t : times) {
            allFound &= !Double.isNaN(t.gdTau());
            worst = Math.max(worst, Math.abs(t.error()));
            measured.append(String.format(Locale.ROOT, " stage %d (%s) greedy τ = %.3f, GD τ = %.3f;", t.stage(),
                    t.coordinate(), t.greedyTau(), t.gdTau()));
        }
        measured.append(String.format(Locale.ROOT, " max |Δτ| = %.4f over %d stages", worst, times.size()));
        Effect effect = Effect.deterministic("−max |τ_GD − τ_greedy| over the greedy stages at the smallest α",
                allFound ? -worst : Double.NaN, -tolerance);
        return ClaimCheck.claim("greedy-stage-times",
                "the greedy algorithm predicts the stage times of gradient descent from small initialization",
                measured.toString(),
                String.format(Locale.ROOT, "at the smallest α every greedy stage within the horizon is reached and "
                        + "max |τ_GD − τ_greedy| ≤ %s (τ_GD: loss first at the midpoint of consecutive greedy plateaus)",
                        tolerance),
                effect);
    }

    static ClaimCheck sharpeningCheck(List<GreedyStage> greedy, List<Run> runs, double tolerance) {
        StringBuilder measured = new StringBuilder("max plateau deviation |ln(ℓ_GD(τ_mid)/ℓ_k)|:");
        double[] deviation = new double[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            deviation[i] = StageComparison.plateauDeviation(greedy, runs.get(i).loss());
            measured.append(String.format(Locale.ROOT, " α = %s: %.4g (%d plateaus);", alphaLabel(runs.get(i).alpha()),
                    deviation[i], StageComparison.plateausCompared(greedy, runs.get(i).loss())));
        }
        boolean monotone = true;
        for (int i = 1; i < deviation.length; i++) {
            monotone &= deviation[i] <= deviation[i - 1];
        }
        double last = deviation[deviation.length - 1];
        measured.append(String.format(Locale.ROOT, "; the deviation %s as α falls", monotone ? "never grows" : "grows somewhere"));
        Effect effect = Effect.deterministic("−max plateau deviation |ln(ℓ_GD(τ_mid)/ℓ_k)| at the smallest α", -last, -tolerance);
        return ClaimCheck.claim("plateaus-sharpen",
                "in rescaled time the loss converges to the greedy plateaus as α → 0 (plateaus and sharp drops)",
                measured.toString().replaceAll(";$", ""),
                String.format(Locale.ROOT, "the deviation at the smallest α is below %s (statistic > −%s)", tolerance, tolerance),
                effect);
    }

    /** {@code one-entry-per-stage}: at most one entry of the two diagonal products switches on per stage, at the smallest α. */
    static ClaimCheck oneEntryPerStageCheck(EntrySwitchOns s, double alpha, double threshold) {
        StringBuilder measured = new StringBuilder(String.format(Locale.ROOT, "α = %s, entries on (|entry| ≥ %s) at %d plateau midpoints;",
                alphaLabel(alpha), threshold, s.midpoints().size()));
        for (int k = 0; k < s.stages(); k++) {
            measured.append(String.format(Locale.ROOT, " stage %d (τ %.2f → %.2f): new %s;", k + 1, s.midpoints().get(k), s.midpoints().get(k + 1),
                    s.newAt(k)));
        }
        Effect effect = Effect.deterministic("−(most entries switching on between two consecutive plateau midpoints)",
                s.stages() >= 2 ? -s.maxNew() : Double.NaN, -1.5);
        return ClaimCheck.claim("one-entry-per-stage",
                "the rank of diag(w_K⊙w_Q) and diag(w_V⊙w_O) increases incrementally: at most one new entry per stage",
                measured.toString().replaceAll(";$", ""), "at least two stages observed and at most one new entry in every stage", effect);
    }

    static String alphaLabel(double alpha) {
        return String.format(Locale.ROOT, "%.0e", alpha).replace("e-0", "e-");
    }

    private static Caption caption(SpecInfo spec, TrainRecord cfg) {
        return Caption.of(spec).note(String.format(Locale.ROOT, "d = %d, n = %d tokens, N = %d samples, "
                        + "η = %s, full-batch GD in float64 · dashed: greedy algorithm",
                cfg.dim(), cfg.tokens(), cfg.samples(), cfg.learningRate()));
    }

    private static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }
}
