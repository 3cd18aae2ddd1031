package io.rankrepro.tasks.incontext;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rankrepro.tasks.task.ClaimCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The A-fig2 claims on constructed summaries: per seed, AdamW for rank and SGD for balance. */
class Kobayashi2024Fig2ChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A run whose two layers share rank, normalised-imbalance e-folds (start 1), relative gap and raw
     * imbalance ratio exp(−efolds) against {@code predicted} e-folds.
     */
    static Kobayashi2024Fig2Task.Run run(String optimizer, long seed, double lambda, int rank, double efolds, double gap, double predicted) {
        ObjectNode s = JSON.createObjectNode();
        s.put("lambda", lambda).put("optimizer", optimizer).put("seed_offset", seed).put("decay_efolds", predicted);
        ArrayNode layers = s.putArray("layers");
        for (int l = 0; l < 2; l++) {
            layers.addObject().put("layer", l).put("numerical_rank", rank).put("stable_rank", rank / 2.0).put("imbalance_initial", 10.0)
                    .put("imbalance_final", 10.0 * Math.exp(-predicted)).put("normalized_imbalance_initial", 1.0)
                    .put("normalized_imbalance_final", Math.exp(-efolds)).put("relative_gap", gap).put("gap", 5 * gap);
        }
        return new Kobayashi2024Fig2Task.Run(lambda, s, null, null, null);
    }

    /** Three seeds of AdamW and SGD over λ = 0, 0.3, 3; {@code bump} perturbs each seed a little. */
    static Map<String, TreeMap<Long, TreeMap<Double, Kobayashi2024Fig2Task.Run>>> sweep(int[] ranks, double[] efolds, double[] gaps) {
        Map<String, TreeMap<Long, TreeMap<Double, Kobayashi2024Fig2Task.Run>>> m = new TreeMap<>();
        double[] lambdas = {0, 0.3, 3};
        for (String opt : List.of("adamw", "sgd")) {
            for (long seed = 0; seed < 3; seed++) {
                for (int i = 0; i < 3; i++) {
                    double bump = 1 + 0.01 * seed;
                    m.computeIfAbsent(opt, k -> new TreeMap<>()).computeIfAbsent(seed, k -> new TreeMap<>())
                            .put(lambdas[i], run(opt, seed, lambdas[i], ranks[i] + (int) seed % 2, efolds[i] * bump, gaps[i] * bump, 5.7 * lambdas[i]));
                }
            }
        }
        return m;
    }

    @Test
    void theClaimedTrendsReproduceAndTheRateSanityHolds() {
        List<ClaimCheck> c = Kobayashi2024Fig2Task.checks(sweep(new int[] {32, 20, 5}, new double[] {0.01, 0.5, 5}, new double[] {0.4, 0.1, 0.01}), 0.05);
        assertEquals(List.of("fig2-pv-rank-falls", "fig2-imbalance-decays-faster", "fig2-gap-vanishes", "sgd-imbalance-rate"),
                c.stream().map(ClaimCheck::id).toList());
        assertEquals(List.of(true, true, true, true), c.stream().map(ClaimCheck::passed).toList(), c.toString());
        assertEquals(3, c.get(0).effect().seeds());
        assertEquals(27, c.get(0).effect().estimate(), 1e-12);
        assertEquals(1, c.get(1).effect().estimate(), 1e-12);
        assertEquals(Math.log(40), c.get(2).effect().estimate(), 1e-12);
        assertFalse(c.get(3).countsAsClaim());
    }

    @Test
    void eachBrokenTrendFailsItsOwnClaimOnly() {
        List<ClaimCheck> rank = Kobayashi2024Fig2Task.checks(sweep(new int[] {32, 32, 32}, new double[] {0.01, 0.5, 5}, new double[] {0.4, 0.1, 0.01}), 0.05);
        assertEquals(List.of(false, true, true), rank.subList(0, 3).stream().map(ClaimCheck::passed).toList());
        // the normalised imbalance loses fewer e-folds at larger λ
        List<ClaimCheck> balance = Kobayashi2024Fig2Task.checks(sweep(new int[] {32, 20, 5}, new double[] {0.5, 0.3, 0.1}, new double[] {0.4, 0.1, 0.01}), 0.05);
        assertEquals(List.of(true, false, true), balance.subList(0, 3).stream().map(ClaimCheck::passed).toList());
        // the relative gap is larger at the largest λ than at λ = 0
        List<ClaimCheck> gap = Kobayashi2024Fig2Task.checks(sweep(new int[] {32, 20, 5}, new double[] {0.01, 0.5, 5}, new double[] {0.1, 0.1, 0.2}), 0.05);
        assertEquals(List.of(true, true, false), gap.subList(0, 3).stream().map(ClaimCheck::passed).toList());
    }

    @Test
    void theRateSanityFailsWhenTheImbalanceDoesNotFollowTheCoupledDecay() {
        Map<String, TreeMap<Long, TreeMap<Double, Kobayashi2024Fig2Task.Run>>> m = sweep(new int[] {32, 20, 5}, new double[] {0.01, 0.5, 5},
                new double[] {0.4, 0.1, 0.01});
        // seed 0's λ = 0.3 SGD run claims 1.71 predicted e-folds but lost 3.42
        ObjectNode s = (ObjectNode) m.get("sgd").get(0L).get(0.3).summary();
        s.put("decay_efolds", 0.5 * 5.7 * 0.3);
        List<ClaimCheck> c = Kobayashi2024Fig2Task.checks(m, 0.05);
        assertFalse(c.get(3).passed(), c.get(3).toString());
    }

    @Test
    void aSweepWithoutLambdaZeroIsAnError() {
        Map<String, TreeMap<Long, TreeMap<Double, Kobayashi2024Fig2Task.Run>>> m = sweep(new int[] {32, 20, 5}, new double[] {0.01, 0.5, 5},
                new double[] {0.4, 0.1, 0.01});
        m.get("adamw").get(1L).remove(0.0);
        assertThrows(IllegalArgumentException.class, () -> Kobayashi2024Fig2Task.checks(m, 0.05));
    }
}
