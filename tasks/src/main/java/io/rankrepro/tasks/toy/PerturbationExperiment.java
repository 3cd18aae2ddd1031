package io.rankrepro.tasks.toy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Paper B's Figure 2 experiment on the toy head: one unperturbed gradient-descent run from init
 * scale α, and two continuations of it from perturbed weights.
 * <ul>
 *   <li><b>inside</b> a stage: at a seeded random time on the plateau after stage {@code insideStage}
 *       switched on, only the coordinates active there (nonzero in the greedy prediction) are perturbed;
 *       the claim is that the run returns to the plateau point (the rest point of the active coordinates).</li>
 *   <li><b>start</b> of a stage: {@code leadTau} before stage {@code startStage}'s coordinate switches on
 *       (while it is still small), every coordinate is perturbed; the claim is that the jump that follows
 *       is the same nonlinear evolution, only shifted in time (the incoming coordinate's log-size moved).</li>
 * </ul>
 * Stage times are GD's own: the first τ at which the stage's coordinate reaches half the value the greedy
 * algorithm predicts for it ({@link #switchOnTimes}).
 */
public final class PerturbationExperiment {

    /**
     * @param time         α and η
     * @param tauMax       horizon of every run
     * @param insideStage  greedy stage (≥ 1) whose plateau is perturbed
     * @param insideScale  log-factor noise of the inside perturbation
     * @param relaxTau     the inside time is drawn so that this much τ remains on the plateau after it
     * @param startStage   greedy stage (≥ 1) whose switch-on is preceded by the start perturbation
     * @param startScale   log-factor noise of the start perturbation
     * @param leadTau      how long before GD's switch-on of {@code startStage} the start perturbation happens
     * @param seed         seeds the inside time and both perturbations
     */
    public record Config(RescaledTime time, double tauMax, int insideStage, double insideScale, double relaxTau,
                         int startStage, double startScale, double leadTau, long seed) {
        public Config {
            if (insideStage < 1 || startStage < 1) {
                throw new IllegalArgumentException("stages are numbered from 1 (stage 0 is the start at w = 0), got "
                        + insideStage + ", " + startStage);
            }
            if (!(tauMax > 0 && relaxTau > 0 && leadTau > 0)) {
                throw new IllegalArgumentException("tauMax, relaxTau and leadTau must be > 0");
            }
        }
    }

    /** A continuation from perturbed weights. */
    public record Perturbed(String name, int stage, String stageCoordinate, long step, double tau, double scale,
                            List<String> perturbedCoordinates, ProductPath path) { }

    /** Everything the figure needs. */
    public record Result(List<GreedyStage> greedy, double[] switchOnTimes, ProductPath unperturbed, Perturbed inside,
                         Perturbed start) { }

    private PerturbationExperiment() { }

    public static Result run(ToyDataset data, Config config) throws IOException {
        int dim = data.dim();
        List<GreedyStage> greedy = new GreedyStagePredictor(new DiagonalHeadObjective(data),
                GreedyStagePredictor.Config.defaults(config.tauMax())).predict();
        int lastStage = greedy.size() - 1;
        if (config.insideStage() > lastStage || config.startStage() > lastStage) {
            throw new IllegalArgumentException("the greedy algorithm predicts " + lastStage + " stages before τ = "
                    + config.tauMax() + "; insideStage " + config.insideStage() + " and startStage " + config.startStage()
                    + " must be among them");
        }
        RescaledTime time = config.time();
        long steps = time.steps(config.tauMax());
        RecordedTrajectory base = RecordedTrajectory.train(data, DiagonalHeadWeights.smallInit(dim, time.alpha()), 0, steps, time);
        ProductPath path = base.products();
        double[] switchOn = switchOnTimes(greedy, path);
        Random random = new Random(config.seed());

        // inside: a random time on the plateau of insideStage, leaving relaxTau before the next switch-on
        int k = config.insideStage();
        double plateauStart = switchOn[k];
        double plateauEnd = k + 1 <= lastStage && !Double.isNaN(switchOn[k + 1]) ? switchOn[k + 1] : path.end();
        double length = plateauEnd - plateauStart;
        double lo = plateauStart + length / 4; // past the jump's settling
        double hi = plateauEnd - config.relaxTau() - length / 8;
        if (Double.isNaN(plateauStart) || !(hi > lo)) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "stage %d's plateau in GD runs from τ = %.3f to %.3f: too short for a relaxation window of %.3f "
                            + "(lower relaxTau or pick another insideStage)", k, plateauStart, plateauEnd, config.relaxTau()));
        }
        double insideTau = lo + random.nextDouble() * (hi - lo);
        boolean[] active = new boolean[2 * dim];
        double[] plateauPoint = greedy.get(k).w();
        for (int i = 0; i < active.length; i++) {
            active[i] = plateauPoint[i] != 0;
        }
        Perturbed inside = continueFrom(data, base, "inside", k, greedy, insideTau, active,
                new FactorPerturbation(config.insideScale(), random.nextLong()));

        // start: leadTau before startStage's switch-on, every coordinate
        int s = config.startStage();
        double startTau = switchOn[s] - config.leadTau();
        double previous = switchOn[s - 1];
        if (Double.isNaN(switchOn[s]) || !(startTau > previous)) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "stage %d switches on in GD at τ = %.3f, the previous one at %.3f: leadTau %.3f reaches back past it",
                    s, switchOn[s], previous, config.leadTau()));
        }
        boolean[] all = new boolean[2 * dim];
        java.util.Arrays.fill(all, true);
        Perturbed start = continueFrom(data, base, "start", s, greedy, startTau, all,
                new FactorPerturbation(config.startScale(), random.nextLong()));
        return new Result(greedy, switchOn, path, inside, start);
    }

    /**
     * GD's switch-on time of each greedy stage k ≥ 1: the first τ after the previous one at which the
     * stage's coordinate reaches half its greedy value (NaN when it does not within the run); index 0 is 0.
     */
    public static double[] switchOnTimes(List<GreedyStage> greedy, ProductPath path) {
        double[] out = new double[greedy.size()];
        double from = path.start();
        for (int k = 1; k < greedy.size(); k++) {
            GreedyStage g = greedy.get(k);
            out[k] = path.firstReach(g.coordinate(), 0.5 * Math.abs(g.w()[g.coordinate()]), from);
            from = Double.isNaN(out[k]) ? from : out[k];
        }
        return out;
    }

    private static Perturbed continueFrom(ToyDataset data, RecordedTrajectory base, String name, int stage,
                                          List<GreedyStage> greedy, double tau, boolean[] chosen,
                                          FactorPerturbation perturbation) throws IOException {
        int dim = data.dim();
        long step = base.stepAt(tau);
        DiagonalHeadWeights kicked = perturbation.apply(base.at(step), chosen);
        RecordedTrajectory run = RecordedTrajectory.train(data, kicked, step, base.lastStep() - step, base.time());
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) {
            if (chosen[i]) {
                labels.add(ProductCoordinate.of(i, dim).label());
            }
        }
        String coordinate = ProductCoordinate.of(greedy.get(stage).coordinate(), dim).label();
        return new Perturbed(name, stage, coordinate, step, base.tau(step), perturbation.scale(), labels, run.products());
    }
}
