package io.rankrepro.tasks.factorized;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code factorized-toy/train}: Kobayashi et al. 2024 Fig. 1's toy — A, B ∈ R^{n×n}, D = diag(d),
 * plain full-batch gradient descent in float64 — at one λ. Writes {@code trajectory.csv}
 * (every {@code recordEvery} steps) and {@code run.json} (the settings the analysis needs).
 *
 * <p>Params: {@code lambda}, {@code targetDiagonal} (d), {@code learningRate} (η), {@code initScale}
 * (entries N(0, initScale²)), {@code steps}, {@code halfInLoss}, {@code recordEvery}. The seed is
 * the experiment's, shared by every λ so all runs start from the same (A₀, B₀).
 */
public final class FactorizedToyTrainTask implements Task {
    static final String RUN_FILE = "run.json";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@code run.json} holds. */
    public record RunInfo(double lambda, double learningRate, boolean halfInLoss, double initScale, long steps,
                          long seed, double[] targetDiagonal) { }

    @Override
    public String kind() {
        return "factorized-toy/train";
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = new ArrayList<>();
        ParamRules.number(p, "lambda", true, 100, problems);
        ParamRules.number(p, "learningRate", false, 10, problems);
        ParamRules.number(p, "initScale", false, 100, problems);
        ParamRules.integer(p, "steps", 1, 10_000_000, problems);
        ParamRules.integer(p, "recordEvery", 1, 10_000_000, problems);
        ParamRules.bool(p, "halfInLoss", problems);
        try {
            List<Double> d = p.getDoubleList("targetDiagonal");
            if (d.isEmpty() || d.size() > 1000) {
                problems.add("targetDiagonal: needs 1..1000 entries, got " + d.size());
            }
            if (d.stream().anyMatch(x -> !(x >= 0) || Double.isInfinite(x))) {
                problems.add("targetDiagonal: entries must be finite and >= 0 (they are D's singular values), got " + d);
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (problems.isEmpty() && p.getLong("steps") / p.getLong("recordEvery") > 1_000_000) {
            problems.add("recordEvery: would record " + p.getLong("steps") / p.getLong("recordEvery") + " rows; at most 1e6");
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Params p = ctx.params();
        double[] d = p.getDoubleList("targetDiagonal").stream().mapToDouble(Double::doubleValue).toArray();
        RunInfo info = new RunInfo(p.getDouble("lambda"), p.getDouble("learningRate"), p.getBoolean("halfInLoss", false),
                p.getDouble("initScale"), p.getLong("steps"), ctx.spec().seed(), d);
        long every = p.getLong("recordEvery");

        FactorizedObjective objective = new FactorizedObjective(CommonOps_DDRM.diag(d), info.lambda(), info.halfInLoss());
        DMatrixRMaj[] ab = FactorizedGradientDescent.gaussianInit(d.length, d.length, d.length, info.initScale(), info.seed());
        List<ToySnapshot> rows = FactorizedGradientDescent.run(objective, ab[0], ab[1], info.learningRate(), info.steps(),
                t -> t % every == 0, ctx.progress());

        ToyTrajectoryTable.write(ctx.outputDir().resolve(ToyTrajectoryTable.FILE_NAME), rows);
        JSON.writeValue(ctx.outputDir().resolve(RUN_FILE).toFile(), info);

        ToySnapshot last = rows.get(rows.size() - 1);
        for (ToySnapshot r : rows) {
            if (r.step() % Math.max(every, 10) == 0 || r == last) {
                ctx.tracker().logMetric("loss", r.loss(), r.step());
                ctx.tracker().logMetric("gap", r.gap(), r.step());
                ctx.tracker().logMetric("imbalance", r.imbalance(), r.step());
            }
        }
    }
}
