package io.rankrepro.tasks.toy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A gradient-descent run of the toy head with its weights kept at every step, so a perturbation
 * can start from any step and two runs can be compared at any rescaled time. Steps are absolute:
 * a continuation started at step s records s, s+1, ...
 *
 * @param firstStep the step of {@code weights.get(0)}
 * @param time      converts steps to rescaled time
 * @param weights   the weights after firstStep, firstStep+1, ... updates
 */
public record RecordedTrajectory(long firstStep, RescaledTime time, List<DiagonalHeadWeights> weights) {

    public RecordedTrajectory {
        weights = List.copyOf(weights);
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("a trajectory needs at least one step");
        }
    }

    /** Runs {@code steps} updates of {@link DiagonalHeadTrainer} from {@code start}, which sits at step {@code firstStep}. */
    public static RecordedTrajectory train(ToyDataset data, DiagonalHeadWeights start, long firstStep, long steps,
                                           RescaledTime time) throws IOException {
        long[] every = new long[(int) steps + 1];
        for (int i = 0; i < every.length; i++) {
            every[i] = i;
        }
        List<DiagonalHeadWeights> kept = new ArrayList<>(every.length);
        // the loss is not needed: log it only once, at the end, where the trainer always reports it
        DiagonalHeadTrainer.train(data, start, new DiagonalHeadTrainer.Config(time.learningRate(), steps,
                Math.max(1, steps), every), new TrainingObserver() {
                    @Override
                    public void onLoss(long step, double loss) { }

                    @Override
                    public void onCheckpoint(long step, DiagonalHeadWeights w) {
                        kept.add(w);
                    }
                });
        return new RecordedTrajectory(firstStep, time, kept);
    }

    public long lastStep() {
        return firstStep + weights.size() - 1;
    }

    public DiagonalHeadWeights at(long step) {
        if (step < firstStep || step > lastStep()) {
            throw new IllegalArgumentException("step " + step + " outside [" + firstStep + ", " + lastStep() + "]");
        }
        return weights.get((int) (step - firstStep));
    }

    public double tau(long step) {
        return time.tau(step);
    }

    /** The first recorded step at or after rescaled time {@code tau} (clamped to the recorded range). */
    public long stepAt(double tau) {
        return Math.max(firstStep, Math.min(lastStep(), time.steps(tau)));
    }

    /** Product coordinates w = (kq, vo) at every recorded step, as a {@link ProductPath}. */
    public ProductPath products() {
        double[] tau = new double[weights.size()];
        double[][] w = new double[weights.size()][];
        for (int i = 0; i < tau.length; i++) {
            tau[i] = time.tau(firstStep + i);
            w[i] = weights.get(i).products();
        }
        return new ProductPath(tau, w);
    }
}
