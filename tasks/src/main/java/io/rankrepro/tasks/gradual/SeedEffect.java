package io.rankrepro.tasks.gradual;

import io.rankrepro.tasks.task.Effect;

import java.util.List;

/** A per-seed statistic as an {@link Effect}: the t interval over seeds, or, with one seed, no interval and no verdict. */
final class SeedEffect {
    private SeedEffect() { }

    static Effect of(String statistic, double[] perSeed, double threshold) {
        if (perSeed.length >= 2) {
            return Effect.overSeeds(statistic, perSeed, threshold);
        }
        // one seed bounds nothing: the claim is reported, never counted as reproduced
        double v = perSeed[0];
        return new Effect(statistic, List.of(v), v, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Effect.LEVEL,
                "one seed: no interval (needs >= 2 seeds)", threshold, v > threshold ? 1 : 0);
    }
}
