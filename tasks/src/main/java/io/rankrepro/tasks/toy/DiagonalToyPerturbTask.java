package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code diagonal-toy/perturb}: paper B's Figure 2 experiment ({@link PerturbationExperiment}) on the
 * {@code prepare} stage's data. Params: {@code alpha}, {@code learningRate}, {@code tauMax},
 * {@code insideStage}, {@code insideScale}, {@code relaxTau}, {@code startStage}, {@code startScale},
 * {@code leadTau}, {@code perturbSeed}, {@code recordEvery} (steps between written points; default 2).
 * Writes {@code perturb-paths.csv} (runs unperturbed, inside, start; see {@link ProductPathTable}) and
 * {@code perturbations.json} ({@link PerturbationRecord}).
 */
public final class DiagonalToyPerturbTask implements Task {
    public static final String KIND = "diagonal-toy/perturb";
    static final String PATHS = "perturb-paths.csv";
    static final String RECORD = "perturbations.json";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = ToyTaskParams.problems();
        for (String key : List.of("learningRate", "tauMax", "insideScale", "relaxTau", "startScale", "leadTau")) {
            ToyTaskParams.positive(problems, p, key);
        }
        ToyTaskParams.check(problems, () -> {
            double alpha = p.getDouble("alpha");
            if (!(alpha > 0 && alpha < 1)) {
                problems.add("parameter 'alpha' must be in (0, 1), got " + alpha);
            }
            if (p.getInt("insideStage") < 1 || p.getInt("startStage") < 1) {
                problems.add("parameters 'insideStage' and 'startStage' must be >= 1 (greedy stage numbers)");
            }
            if (p.getInt("recordEvery", 2) < 1) {
                problems.add("parameter 'recordEvery' must be >= 1");
            }
            p.getLong("perturbSeed");
        });
        if (problems.isEmpty()) {
            long steps = new RescaledTime(p.getDouble("alpha"), p.getDouble("learningRate")).steps(p.getDouble("tauMax"));
            // every step of three runs is kept in memory (4d doubles each)
            if (steps > 2_000_000L) {
                problems.add("tauMax·log(1/alpha)/learningRate = " + steps + " steps exceeds 2000000");
            }
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Params p = ctx.params();
        ToyDataset data = ToyDataset.read(ctx.input("prepare").dir().resolve(ToyFiles.DATA));
        RescaledTime time = new RescaledTime(p.getDouble("alpha"), p.getDouble("learningRate"));
        PerturbationExperiment.Config config = new PerturbationExperiment.Config(time, p.getDouble("tauMax"),
                p.getInt("insideStage"), p.getDouble("insideScale"), p.getDouble("relaxTau"), p.getInt("startStage"),
                p.getDouble("startScale"), p.getDouble("leadTau"), p.getLong("perturbSeed"));
        ctx.progress().update(0, 3, "unperturbed run and two perturbed continuations");
        PerturbationExperiment.Result r = PerturbationExperiment.run(data, config);
        int every = p.getInt("recordEvery", 2);

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
