package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code factorized-toy/analyze}: one λ's trajectory against the theory — the fitted per-step
 * decay rate of ‖AᵀA − BᵀB‖_F (over the later half of the steps above the fit floor, past the
 * transient) next to 2ηλ (gradient flow) and the gradient-descent band [−2ln(1 − ηλ), −ln(1 − 2ηλ)]
 * (see {@link FactorizedGradientDescent}); how far Δ stays below the caption's envelope
 * ½‖A₀ᵀA₀ − B₀ᵀB₀‖_*·e^{−2ηλt}; min Δ; the final singular values next to the soft-threshold
 * prediction. Writes {@code analysis.json}.
 *
 * <p>Params: {@link Config}. Reads {@code run.json} and {@code trajectory.csv} of its {@code train}.
 */
public final class FactorizedToyAnalyzeTask implements Task {
    static final String FILE = "analysis.json";

    /** What {@code analysis.json} holds. */
    public record Analysis(double lambda, double learningRate, boolean halfInLoss, double effectiveThreshold,
                           double fittedRate, int fitPoints, long fitFirstStep, long fitLastStep,
                           double rateGradientFlow, double rateSquaredFactor, double rateActive,
                           double gapEnvelopeMargin, int gapEnvelopePoints,
                           double minGap, double[] finalSingularValues, double[] predictedSingularValues,
                           double maxSingularValueError, double distanceToThreshold) { }

    @Override
    public String kind() {
        return "factorized-toy/analyze";
    }

    /**
     * @param rateFitFloor imbalance values below it are left out of the fit (float64 rounding floor,
     *                     fixed a priori at 1e-11 for factors of order 1)
     */
    public record Config(double rateFitFloor) {
        public Config {
            ParamCheck.positive("rate_fit_floor", rateFitFloor, 1);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("train", FactorizedToyTrainTask.RUN_FILE, ToyTrajectoryTable.FILE_NAME)
            .writes(FILE)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        TaskInput train = ctx.input("train");
        Analysis a = analyze(train.dir(), c.rateFitFloor());
        FactorizedToyTrainTask.JSON.writeValue(ctx.outputDir().resolve(FILE).toFile(), a);
        ctx.tracker().logMetric("analysis/fitted_imbalance_rate", a.fittedRate(), 0);
        ctx.tracker().logMetric("balance/ab/min_gap", a.minGap(), 0);
        ctx.tracker().logMetric("analysis/max_singular_value_error", a.maxSingularValueError(), 0);
    }

    static Analysis analyze(Path trainDir, double floor) throws java.io.IOException {
        FactorizedToyTrainTask.RunInfo info = FactorizedToyTrainTask.JSON.readValue(
                trainDir.resolve(FactorizedToyTrainTask.RUN_FILE).toFile(), FactorizedToyTrainTask.RunInfo.class);
        List<ToySnapshot> rows = ToyTrajectoryTable.read(trainDir.resolve(ToyTrajectoryTable.FILE_NAME));
        double el = info.learningRate() * info.lambda();
        double minGap = rows.stream().mapToDouble(ToySnapshot::gap).min().orElseThrow();
        DecayRateFit fit = lateFit(rows, floor);
        double[] envelope = envelopeMargin(rows, info.initialImbalanceNuclear(), el, floor);

        double[] d = info.targetDiagonal().clone();
        java.util.Arrays.sort(d);
        double[] descending = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            descending[i] = d[d.length - 1 - i];
        }
        double[] predicted = SoftThreshold.predict(descending, info.lambda(), info.halfInLoss());
        double[] measured = rows.get(rows.size() - 1).singularValues();
        double maxError = 0;
        for (int i = 0; i < predicted.length; i++) {
            maxError = Math.max(maxError, Math.abs(measured[i] - predicted[i]));
        }
        return new Analysis(info.lambda(), info.learningRate(), info.halfInLoss(),
                SoftThreshold.effectiveThreshold(info.lambda(), info.halfInLoss()),
                fit.rate(), fit.points(), fit.first(), fit.last(),
                2 * el, el < 1 ? -2 * Math.log1p(-el) : Double.NaN, 2 * el < 1 ? -Math.log1p(-2 * el) : Double.NaN,
                envelope[0], (int) envelope[1],
                minGap, measured, predicted, maxError,
                SoftThreshold.distanceToThreshold(descending, info.lambda(), info.halfInLoss()));
    }

    /**
     * The decay-rate fit over the later half of the steps whose imbalance is at least {@code floor}:
     * the per-step factor (1 − ηλ)² − η²g² holds the band only once the loss gradient g has settled.
     */
    static DecayRateFit lateFit(List<ToySnapshot> rows, double floor) {
        List<ToySnapshot> above = rows.stream().filter(r -> r.imbalance() >= floor && r.imbalance() > 0).toList();
        List<ToySnapshot> late = above.subList(above.size() / 2, above.size());
        return DecayRateFit.fit(late.stream().mapToLong(ToySnapshot::step).toArray(),
                late.stream().mapToDouble(ToySnapshot::imbalance).toArray(), floor);
    }

    /**
     * {min over steps of ln(envelope_t / Δ_t), steps used}, envelope_t = ½‖M₀‖_*·e^{−2ηλt}, over the
     * steps where the envelope is at least {@code floor} (below it Δ is rounding). A step with Δ ≤ 0
     * (rounding below zero) is under the envelope and counts as +∞.
     */
    static double[] envelopeMargin(List<ToySnapshot> rows, double initialImbalanceNuclear, double etaLambda, double floor) {
        double margin = Double.POSITIVE_INFINITY;
        int points = 0;
        for (ToySnapshot r : rows) {
            double envelope = 0.5 * initialImbalanceNuclear * Math.exp(-2 * etaLambda * r.step());
            if (envelope < floor) {
                break;
            }
            points++;
            if (r.gap() > 0) {
                margin = Math.min(margin, Math.log(envelope / r.gap()));
            }
        }
        return new double[] {points == 0 ? Double.NaN : margin, points};
    }
}
