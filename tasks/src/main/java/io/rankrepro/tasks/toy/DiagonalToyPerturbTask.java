package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code diagonal-toy/perturb}: paper B's Figure 2 experiment ({@link PerturbationExperiment}) on the
 * {@code prepare} stage's data ({@code data.npz}). Params: {@link Config} ({@code alpha},
 * {@code learning_rate}, {@code tau_max}, {@code inside_stage}, {@code inside_scale}, {@code relax_tau},
 * {@code start_stage}, {@code start_scale}, {@code lead_tau}, {@code perturb_seed}, {@code record_every}:
 * steps between written points, default 2).
 * Writes {@code perturb-paths.csv} (runs unperturbed, inside, start; see {@link ProductPathTable}) and
 * {@code perturbations.json} ({@link PerturbationRecord}).
 */
public final class DiagonalToyPerturbTask implements Task {
    public static final String KIND = "diagonal-toy/perturb";
    static final String PATHS = "perturb-paths.csv";
    static final String RECORD = "perturbations.json";
    /** Steps above this are refused. */
    static final long MAX_STEPS = 2_000_000L;

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * @param alpha        init scale α
     * @param learningRate η
     * @param tauMax       horizon of every run
     * @param insideStage  greedy stage (≥ 1) whose plateau is perturbed
     * @param insideScale  log-factor noise of the inside perturbation
     * @param relaxTau     τ left on the plateau after the inside perturbation (its relaxation window)
     * @param startStage   greedy stage (≥ 1) whose switch-on is preceded by the start perturbation
     * @param startScale   log-factor noise of the start perturbation
     * @param leadTau      how long before GD's switch-on of {@code start_stage} the start perturbation happens
     * @param perturbSeed  seeds the inside time and both perturbations
     * @param recordEvery  steps between written points
     */
    public record Config(double alpha, double learningRate, double tauMax, int insideStage, double insideScale,
                         double relaxTau, int startStage, double startScale, double leadTau, long perturbSeed,
                         @Default("2") int recordEvery) {
        public Config {
            positive("learning_rate", learningRate);
            positive("tau_max", tauMax);
            positive("inside_scale", insideScale);
            positive("relax_tau", relaxTau);
            positive("start_scale", startScale);
            positive("lead_tau", leadTau);
            ParamCheck.require(alpha > 0 && alpha < 1, "alpha", "must be in (0, 1), got " + alpha);
            ParamCheck.require(insideStage >= 1, "inside_stage", "must be >= 1 (a greedy stage number), got " + insideStage);
            ParamCheck.require(startStage >= 1, "start_stage", "must be >= 1 (a greedy stage number), got " + startStage);
            ParamCheck.require(recordEvery >= 1, "record_every", "must be >= 1, got " + recordEvery);
            long steps = new RescaledTime(alpha, learningRate).steps(tauMax);
            // every step of three runs is kept in memory (4d doubles each)
            ParamCheck.require(steps <= MAX_STEPS, "tau_max",
                    "tau_max·log(1/alpha)/learning_rate = " + steps + " steps exceeds " + MAX_STEPS);
        }

        private static void positive(String param, double value) {
            ParamCheck.require(value > 0, param, "must be > 0, got " + value);
        }

        PerturbationExperiment.Config experiment() {
            return new PerturbationExperiment.Config(new RescaledTime(alpha, learningRate), tauMax, insideStage,
                    insideScale, relaxTau, startStage, startScale, leadTau, perturbSeed);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("prepare", ToyFiles.DATA)
            .writes(PATHS, RECORD)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        ToyDataset data = ToyDataset.read(ctx.input("prepare").dir().resolve(ToyFiles.DATA));
        PerturbationExperiment.Config config = c.experiment();
        RescaledTime time = config.time();
        ctx.progress().update(0, 3, "unperturbed run and two perturbed continuations");
        PerturbationExperiment.Result r = PerturbationExperiment.run(data, config);
        int every = c.recordEvery();

        Map<String, ProductPath> paths = new LinkedHashMap<>();
        paths.put("unperturbed", r.unperturbed().thinned(r.unperturbed().start(), r.unperturbed().end(), every));
        for (PerturbationExperiment.Perturbed run : List.of(r.inside(), r.start())) {
            paths.put(run.name(), run.path().thinned(run.path().start(), run.path().end(), every));
        }
        ProductPathTable.write(paths, data.dim(), ctx.outputDir().resolve(PATHS));

        double[] switchOn = r.switchOnTimes();
        for (int i = 0; i < switchOn.length; i++) {
            switchOn[i] = Double.isNaN(switchOn[i]) ? -1 : switchOn[i];
        }
        new PerturbationRecord(time.alpha(), time.learningRate(), data.dim(), switchOn, List.of(
                record(r.inside(), r.greedy(), config.relaxTau()),
                record(r.start(), r.greedy(), config.leadTau()))).write(ctx.outputDir().resolve(RECORD));
        ctx.progress().update(3, 3, "done");
    }

    private static PerturbationRecord.Run record(PerturbationExperiment.Perturbed run, List<GreedyStage> greedy, double window) {
        GreedyStage g = greedy.get(run.stage());
        return new PerturbationRecord.Run(run.name(), run.stage(), run.stageCoordinate(),
                0.5 * Math.abs(g.w()[g.coordinate()]), run.step(), run.tau(), run.scale(), window, run.perturbedCoordinates());
    }
}
