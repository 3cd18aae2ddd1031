package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which entries of diag(w_K⊙w_Q) and diag(w_V⊙w_O) are on at each plateau of a run, and how many switch
 * on from one plateau to the next. The rank of a diagonal product is its number of nonzero entries, so
 * "the rank grows by at most one per stage" is "at most one entry switches on between two plateaus".
 * Plateaus are read at their midpoints (greedy stage times), where no entry is mid-jump.
 *
 * @param midpoints τ of each plateau midpoint within the run
 * @param on        the entries on (|value| ≥ threshold) at each midpoint, as {@code kq[i]}/{@code vo[i]}
 */
public record EntrySwitchOns(List<Double> midpoints, List<Set<String>> on) {

    /**
     * @param greedy    the greedy stages (their τ separate the plateaus)
     * @param tauMax    the run's last τ
     * @param entries   {@code entries.csv} of diagonal-toy/analyze (step,tau,product,index,value)
     * @param threshold |entry| at or above which an entry is on
     */
    public static EntrySwitchOns of(List<GreedyStage> greedy, double tauMax, Table entries, double threshold) {
        TreeMap<Double, Set<String>> onAt = new TreeMap<>();
        List<String> product = entries.strings("product");
        double[] index = entries.doubles("index");
        double[] tau = entries.doubles("tau");
        double[] value = entries.doubles("value");
        for (int i = 0; i < tau.length; i++) {
            Set<String> s = onAt.computeIfAbsent(tau[i], k -> new TreeSet<>());
            if (Math.abs(value[i]) >= threshold) {
                s.add(product.get(i) + "[" + (int) index[i] + "]");
            }
        }
        List<Double> mids = new ArrayList<>();
        for (int k = 0; k < greedy.size(); k++) {
            double end = k + 1 < greedy.size() ? greedy.get(k + 1).tau() : tauMax;
            if (end > tauMax) {
                break;
            }
            mids.add(0.5 * (greedy.get(k).tau() + end));
        }
        List<Set<String>> on = new ArrayList<>();
        for (double m : mids) {
            Map.Entry<Double, Set<String>> at = onAt.floorEntry(m); // the last record at or before the midpoint
            on.add(at == null ? Set.of() : Set.copyOf(at.getValue()));
        }
        return new EntrySwitchOns(List.copyOf(mids), List.copyOf(on));
    }

    /** Stages observed: transitions between consecutive plateaus. */
    public int stages() {
        return Math.max(0, on.size() - 1);
    }

    /** Entries on at plateau k+1 that were off at plateau k. */
    public Set<String> newAt(int stage) {
        Set<String> s = new TreeSet<>(on.get(stage + 1));
        s.removeAll(on.get(stage));
        return s;
    }

    /** The most entries that switch on within one stage (0 with no stage observed). */
    public int maxNew() {
        int worst = 0;
        for (int k = 0; k < stages(); k++) {
            worst = Math.max(worst, newAt(k).size());
        }
        return worst;
    }
}
