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
 * decay rate of ‖AᵀA − BᵀB‖_F next to 2ηλ (gradient flow) and −2ln(1 − ηλ) (gradient descent's
 * (1 − ηλ)² factor, exact up to O(η²), see {@link FactorizedGradientDescent}), min Δ, and the final singular
 * values next to the soft-threshold prediction. Writes {@code analysis.json}.
 *
 * <p>Params: {@link Config}. Reads {@code run.json} and {@code trajectory.csv} of its {@code train}.
 */
public final class FactorizedToyAnalyzeTask implements Task {
    static final String FILE = "analysis.json";

    /** What {@code analysis.json} holds. */
    public record Analysis(double lambda, double learningRate, boolean halfInLoss, double effectiveThreshold,
                           double fittedRate, int fitPoints, long fitFirstStep, long fitLastStep,
                           double rateGradientFlow, double rateSquaredFactor,
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
        long[] steps = new long[rows.size()];
        double[] imbalance = new double[rows.size()];
        double minGap = Double.POSITIVE_INFINITY;
        for (int i = 0; i < rows.size(); i++) {
            steps[i] = rows.get(i).step();
            imbalance[i] = rows.get(i).imbalance();
            minGap = Math.min(minGap, rows.get(i).gap());
        }
        DecayRateFit fit = DecayRateFit.fit(steps, imbalance, floor);
        double el = info.learningRate() * info.lambda();

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
                2 * el, el < 1 ? -2 * Math.log1p(-el) : Double.NaN,
                minGap, measured, predicted, maxError,
                SoftThreshold.distanceToThreshold(descending, info.lambda(), info.halfInLoss()));
    }
}
