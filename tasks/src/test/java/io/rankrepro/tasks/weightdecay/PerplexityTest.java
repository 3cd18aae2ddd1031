package io.rankrepro.tasks.weightdecay;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PerplexityTest {

    /**
     * Two tokens over a 2-symbol vocabulary: logits (0, 0) give p = 1/2 to the target, logits
     * (ln 3, 0) give p = 3/4 to target 0. Mean NLL = (ln 2 + ln 4/3)/2, so perplexity = √(8/3).
     * A third token added in a second call with p = 1/4 (logits (0, ln 3), target 0) checks that
     * the mean runs over tokens, not over calls: exp((ln 2 + ln 4/3 + ln 4)/3) = (32/3)^(1/3).
     */
    @Test
    void perplexityIsExpOfTheMeanNllOverTokens() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Perplexity p = new Perplexity();
            p.add(m.create(new double[] {0, 0, Math.log(3), 0}, new Shape(2, 2)), m.create(new long[] {1, 0}));
            assertEquals((Math.log(2) + Math.log(4.0 / 3)) / 2, p.meanNll(), 1e-12);
            assertEquals(Math.sqrt(8.0 / 3), p.value(), 1e-12);
            p.add(m.create(new double[] {0, Math.log(3)}, new Shape(1, 2)), m.create(new long[] {0}));
            assertEquals(3, p.tokens());
            assertEquals(Math.cbrt(32.0 / 3), p.value(), 1e-12);
        }
    }

    @Test
    void uniformLogitsGiveTheVocabularySize() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Perplexity p = new Perplexity();
            p.add(m.zeros(new Shape(5, 7), ai.djl.ndarray.types.DataType.FLOAT64), m.create(new long[] {0, 1, 2, 3, 6}));
            assertEquals(7, p.value(), 1e-9);
        }
    }

    @Test
    void gridSummarizesMeanAndSampleStd() {
        PerplexityGrid g = new PerplexityGrid();
        g.add(0, 0.1, 2.0);
        g.add(0, 0.1, 4.0);
        g.add(0, 0.1, 6.0);
        g.add(1, 0.1, 5.0);
        assertEquals(4.0, g.cell(0, 0.1).mean(), 1e-12);
        assertEquals(2.0, g.cell(0, 0.1).std(), 1e-12); // sample std of 2, 4, 6
        assertEquals(0.0, g.cell(1, 0.1).std(), 0);
    }

    /**
     * Paired by seed: the seeds' spread (2, 4, 6) is shared by both conditions, so a steady +0.5 from
     * attention decay reproduces although the unpaired cells overlap; a sign that flips does not.
     */
    @Test
    void tab1ComparesPairedBySeed() {
        PerplexityGrid g = new PerplexityGrid();
        java.util.TreeMap<Long, java.util.Map<java.util.List<Double>, Double>> bySeed = new java.util.TreeMap<>();
        double[] base = {2, 4, 6, 3, 5};
        double[] shift = {0.5, 0.6, 0.4, 0.5, 0.55};
        for (int s = 0; s < base.length; s++) {
            put(g, bySeed, s, 0, base[s]);
            put(g, bySeed, s, 1, base[s] + shift[s]);
        }
        var holds = Kobayashi2024Tab1Task.check(g, bySeed);
        assertEquals(0.51, holds.effect().estimate(), 1e-12);
        assertEquals(5, holds.effect().seeds());
        assertEquals(true, holds.passed(), holds.toString());

        PerplexityGrid g2 = new PerplexityGrid();
        java.util.TreeMap<Long, java.util.Map<java.util.List<Double>, Double>> flips = new java.util.TreeMap<>();
        double[] mixed = {0.5, -0.6, 0.4, -0.5, 0.3};
        for (int s = 0; s < base.length; s++) {
            put(g2, flips, s, 0, base[s]);
            put(g2, flips, s, 1, base[s] + mixed[s]);
        }
        assertEquals(false, Kobayashi2024Tab1Task.check(g2, flips).passed());
    }

    private static void put(PerplexityGrid g, java.util.TreeMap<Long, java.util.Map<java.util.List<Double>, Double>> bySeed,
                            long seed, double att, double ppl) {
        g.add(att, 0.1, ppl);
        bySeed.computeIfAbsent(seed, k -> new java.util.HashMap<>()).put(java.util.List.of(att, 0.1), ppl);
    }
}
