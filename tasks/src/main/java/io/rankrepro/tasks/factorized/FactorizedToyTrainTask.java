package io.rankrepro.tasks.factorized;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.List;

/**
 * {@code factorized-toy/train}: Kobayashi et al. 2024 Fig. 1's toy — A, B ∈ R^{n×n}, D = diag(d),
 * plain full-batch gradient descent in float64 — at one λ. Writes {@code trajectory.csv}
 * (every {@code record_every} steps) and {@code run.json} (the settings the analysis needs).
 *
 * <p>Params: {@link Config}. The seed is the experiment's, shared by every λ so all runs start
 * from the same (A₀, B₀).
 */
public final class FactorizedToyTrainTask implements Task {
    static final String RUN_FILE = "run.json";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@code run.json} holds. */
    public record RunInfo(double lambda, double learningRate, boolean halfInLoss, double initScale, long steps,
                          long seed, double[] targetDiagonal, double initialImbalanceNuclear) { }

    @Override
    public String kind() {
        return "factorized-toy/train";
    }

    /**
     * @param lambda         λ, the weight decay
     * @param targetDiagonal d, D's diagonal (its singular values)
     * @param learningRate   η
     * @param initScale      entries of A₀, B₀ are N(0, initScale²)
     * @param halfInLoss     loss ½‖AB^T − D‖² instead of ‖AB^T − D‖² (moves the soft threshold from λ/2 to λ)
     * @param recordEvery    steps between recorded rows
     */
    public record Config(double lambda, List<Double> targetDiagonal, double learningRate, double initScale, long steps,
                         @Default("false") boolean halfInLoss, @Default("1") long recordEvery) {
        public Config {
            ParamCheck.range("lambda", lambda, 0, 100);
            ParamCheck.positive("learning_rate", learningRate, 10);
            ParamCheck.positive("init_scale", initScale, 100);
            ParamCheck.range("steps", steps, 1, 10_000_000);
            ParamCheck.range("record_every", recordEvery, 1, 10_000_000);
            ParamCheck.size("target_diagonal", targetDiagonal, 1, 1000);
            ParamCheck.require(targetDiagonal.stream().allMatch(x -> x >= 0 && Double.isFinite(x)), "target_diagonal",
                    "entries must be finite and >= 0 (they are D's singular values), got " + targetDiagonal);
            ParamCheck.require(steps / recordEvery <= 1_000_000, "record_every",
                    "would record " + steps / recordEvery + " rows; at most 1e6");
            targetDiagonal = List.copyOf(targetDiagonal);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .writes(ToyTrajectoryTable.FILE_NAME, RUN_FILE)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        double[] d = c.targetDiagonal().stream().mapToDouble(Double::doubleValue).toArray();
        long every = c.recordEvery();
        DMatrixRMaj[] ab = FactorizedGradientDescent.gaussianInit(d.length, d.length, d.length, c.initScale(), ctx.spec().seed());
        // ‖A₀ᵀA₀ − B₀ᵀB₀‖_*, the constant of the caption's bound Δ(t) ≤ ½e^{−2λt}‖A₀ᵀA₀ − B₀ᵀB₀‖_*
        RunInfo info = new RunInfo(c.lambda(), c.learningRate(), c.halfInLoss(), c.initScale(), c.steps(), ctx.spec().seed(), d,
                FactorizedGradientDescent.imbalanceNuclear(ab[0], ab[1]));

        FactorizedObjective objective = new FactorizedObjective(CommonOps_DDRM.diag(d), info.lambda(), info.halfInLoss());
        List<ToySnapshot> rows = FactorizedGradientDescent.run(objective, ab[0], ab[1], info.learningRate(), info.steps(),
                t -> t % every == 0, ctx.progress());

        ToyTrajectoryTable.write(ctx.outputDir().resolve(ToyTrajectoryTable.FILE_NAME), rows);
        JSON.writeValue(ctx.outputDir().resolve(RUN_FILE).toFile(), info);

        ToySnapshot last = rows.get(rows.size() - 1);
        for (ToySnapshot r : rows) {
            if (r.step() % Math.max(every, 10) == 0 || r == last) {
                ctx.tracker().logMetric("train/loss", r.loss(), r.step());
                ctx.tracker().logMetric("balance/ab/gap", r.gap(), r.step());
                ctx.tracker().logMetric("balance/ab/imbalance", r.imbalance(), r.step());
            }
        }
    }
}
