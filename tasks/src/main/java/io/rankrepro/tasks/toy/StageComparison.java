package io.rankrepro.tasks.toy;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradient descent's stages set against the greedy prediction.
 *
 * <p>GD's time for greedy stage k (k ≥ 1) is the first τ at which its loss falls to the midpoint
 * (ℓ_{k−1} + ℓ_k)/2 of the greedy plateaus before and after the stage starts — the middle of the
 * drop, which does not depend on how sharp the drop is. Only stages starting before the run's
 * horizon (minus {@code margin}) are compared.
 *
 * <p>A plateau's deviation at one α is |ln(ℓ_GD(τ_mid)/ℓ_k)| at the middle τ_mid of greedy plateau k;
 * plateaus ending in a later stage are used (the last one's loss is the global minimum, ≈ 0).
 */
public final class StageComparison {

    /** One greedy stage start and GD's time for it (NaN when GD never got there). */
    public record StageTime(int stage, String coordinate, double greedyTau, double gdTau) {
        public double error() {
            return gdTau - greedyTau;
        }
    }

    private StageComparison() { }

    public static List<StageTime> stageTimes(List<GreedyStage> greedy, int dim, LossCurve gd, double margin) {
        List<StageTime> out = new ArrayList<>();
        double from = 0;
        for (int k = 1; k < greedy.size(); k++) {
            GreedyStage s = greedy.get(k);
            if (s.tau() > gd.tauMax() - margin) {
                break;
            }
            double level = 0.5 * (greedy.get(k - 1).loss() + s.loss());
            double t = gd.firstAtOrBelow(level, from);
            out.add(new StageTime(k, ProductCoordinate.of(s.coordinate(), dim).label(), s.tau(), t));
            if (!Double.isNaN(t)) {
                from = t;
            }
        }
        return out;
    }

    /** max_k |ln(ℓ_GD(τ_mid,k)/ℓ_k)| over the plateaus that end in a later stage within the run. */
    public static double plateauDeviation(List<GreedyStage> greedy, LossCurve gd) {
        double worst = 0;
        for (int k = 0; k + 1 < greedy.size(); k++) {
            double end = greedy.get(k + 1).tau();
            if (end > gd.tauMax()) {
                break;
            }
            double mid = 0.5 * (greedy.get(k).tau() + end);
            worst = Math.max(worst, Math.abs(Math.log(gd.at(mid) / greedy.get(k).loss())));
        }
        return worst;
    }

    /** Number of plateaus {@link #plateauDeviation} looks at. */
    public static int plateausCompared(List<GreedyStage> greedy, LossCurve gd) {
        int n = 0;
        for (int k = 0; k + 1 < greedy.size() && greedy.get(k + 1).tau() <= gd.tauMax(); k++) {
            n++;
        }
        return n;
    }
}
