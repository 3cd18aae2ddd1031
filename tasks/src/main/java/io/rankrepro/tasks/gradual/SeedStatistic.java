package io.rankrepro.tasks.gradual;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Grouping of analysed runs by condition and by seed, and the median the per-head statistics use. */
final class SeedStatistic {
    private SeedStatistic() { }

    /** Runs grouped by {@code key} (in first-seen order), each group sorted by seed. */
    static Map<String, List<AnalysisRun>> bySeedWithin(List<AnalysisRun> runs, Function<AnalysisRun, String> key) {
        Map<String, List<AnalysisRun>> out = new LinkedHashMap<>();
        for (AnalysisRun r : runs) {
            out.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
        }
        out.values().forEach(l -> l.sort(Comparator.comparingLong(AnalysisRun::seed)));
        return out;
    }

    /** seed → run, for one condition; a seed twice in one condition is an error (the pairing would be ambiguous). */
    static TreeMap<Long, AnalysisRun> seeds(List<AnalysisRun> runs) {
        TreeMap<Long, AnalysisRun> out = new TreeMap<>();
        for (AnalysisRun r : runs) {
            if (out.put(r.seed(), r) != null) {
                throw new IllegalArgumentException("two runs with seed_offset " + r.seed() + " in one condition (" + r.sweepPoint() + ")");
            }
        }
        return out;
    }

    /** The seeds run in both conditions, in order: a paired statistic uses only these. */
    static List<Long> pairedSeeds(TreeMap<Long, AnalysisRun> a, TreeMap<Long, AnalysisRun> b) {
        List<Long> out = a.keySet().stream().filter(b::containsKey).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no seed_offset run in both conditions (" + a.keySet() + " vs " + b.keySet() + ")");
        }
        return out;
    }

    static double median(double[] v) {
        if (v.length == 0) {
            throw new IllegalArgumentException("median of no values");
        }
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
