package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code diagonal-toy/analyze}: per checkpoint, the entries and rank metrics of diag(w_K⊙w_Q) and
 * diag(w_V⊙w_O), plus the greedy algorithm's prediction for the same data.
 *
 * <p>Inputs: {@code prepare}, {@code train}, and {@code checkpoint} when present (its verified
 * copies are read; otherwise the train output's own {@code checkpoints/}). Params: {@link Config}
 * ({@code numerical_rank_tol}, default 1e-2). Writes {@code loss.csv} (step,tau,loss),
 * {@code entries.csv} (step,tau,product,index,value), {@code metrics.csv}
 * (step,tau,product,metric,value), {@code greedy.csv} (stage,tau,loss,coordinate,sign,value:
 * the switched-on coordinate's value at the end of the stage), {@code greedy-weights.csv}
 * (stage,tau,product,index,value) and a copy of {@code train.json}.
 */
public final class DiagonalToyAnalyzeTask implements Task {
    public static final String KIND = "diagonal-toy/analyze";

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * @param numericalRankTol relative tolerance of the numerical rank (singular values above tol·σ_max)
     */
    public record Config(@Default("1.0e-2") double numericalRankTol) {
        public Config {
            ParamCheck.require(numericalRankTol > 0 && numericalRankTol < 1, "numerical_rank_tol",
                    "must be in (0, 1), got " + numericalRankTol);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("prepare", ToyFiles.DATA)
            // checkpoints/ of train is read only when the spec has no checkpoint stage; the contract cannot say so
            .reads("train", ToyFiles.TRAIN_RECORD, ToyFiles.LOSS, ToyFiles.CHECKPOINTS + "/")
            .readsIfPresent("checkpoint", ToyFiles.CHECKPOINTS + "/")
            .writes(ToyFiles.TRAIN_RECORD, ToyFiles.LOSS, ToyFiles.ENTRIES, ToyFiles.METRICS, ToyFiles.GREEDY,
                    ToyFiles.GREEDY_WEIGHTS)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        double relTol = ctx.params(Config.class).numericalRankTol();
        Path trainDir = ctx.input("train").dir();
        List<TaskInput> verified = ctx.inputs("checkpoint");
        Path checkpointDir = (verified.isEmpty() ? trainDir : verified.get(0).dir()).resolve(ToyFiles.CHECKPOINTS);
        TrainRecord record = TrainRecord.read(trainDir.resolve(ToyFiles.TRAIN_RECORD));
        RescaledTime time = record.time();
        Path out = ctx.outputDir();
        record.write(out.resolve(ToyFiles.TRAIN_RECORD));

        Table trainLoss = Table.read(trainDir.resolve(ToyFiles.LOSS));
        Table.Builder loss = Table.builder("step", "tau", "loss");
        for (Table.Row r : trainLoss.rows()) {
            long step = Long.parseLong(r.get(trainLoss.column("step")));
            loss.row(step, time.tau(step), Double.parseDouble(r.get(trainLoss.column("loss"))));
        }
        loss.build().write(out.resolve(ToyFiles.LOSS));

        Table.Builder entries = Table.builder("step", "tau", "product", "index", "value");
        Table.Builder metrics = Table.builder("step", "tau", "product", "metric", "value");
        for (Path file : checkpoints(checkpointDir)) {
            long step = ToyFiles.checkpointStep(file);
            double tau = time.tau(step);
            DiagonalHeadWeights w = DiagonalHeadWeights.read(file);
            for (String product : List.of(ProductCoordinate.KQ, ProductCoordinate.VO)) {
                double[] diagonal = product.equals(ProductCoordinate.KQ) ? w.kq() : w.vo();
                for (int i = 0; i < diagonal.length; i++) {
                    entries.row(step, tau, product, i, diagonal[i]);
                }
                for (Map.Entry<String, Double> m : DiagonalSpectrum.named(DiagonalSpectrum.of(diagonal, relTol)).entrySet()) {
                    metrics.row(step, tau, product, m.getKey(), m.getValue());
                    if (!m.getKey().startsWith("sv_")) {
                        ctx.tracker().logMetric("rank/" + product + "/" + m.getKey(), m.getValue(), step);
                    }
                }
            }
        }
        entries.build().write(out.resolve(ToyFiles.ENTRIES));
        metrics.build().write(out.resolve(ToyFiles.METRICS));

        ToyDataset data = ToyDataset.read(ctx.input("prepare").dir().resolve(ToyFiles.DATA));
        List<GreedyStage> stages = new GreedyStagePredictor(new DiagonalHeadObjective(data),
                GreedyStagePredictor.Config.defaults(record.tauMax())).predict();
        GreedyTables.write(stages, data.dim(), out);
        ctx.tracker().logMetric("analysis/greedy_stages", stages.size() - 1, 0);
        ctx.tracker().flush();
    }

    private static List<Path> checkpoints(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(f -> ToyFiles.checkpointStep(f) >= 0).sorted().forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new IOException("no checkpoints step_%09d.npz in " + dir);
        }
        return files;
    }
}
