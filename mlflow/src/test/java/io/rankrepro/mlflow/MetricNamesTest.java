package io.rankrepro.mlflow;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricNamesTest {
    @Test
    void namesWithASectionAndSlashesMatch() {
        for (String ok : new String[] {"train/loss", "rank/delta_kq/stable_rank/layer_1", "claim/greedy-stages/passed",
                "analysis/fitted_rate/lambda_0.1", "system/gpu_0_utilization_percentage", "dag/wall_seconds"}) {
            assertTrue(MetricNames.matches(ok), ok);
        }
    }

    @Test
    void dottedUnsectionedOrUpperCaseNamesDoNot() {
        for (String bad : new String[] {"loss", "train.loss", "train/", "trainer/loss", "rank/KQ/stable_rank", "train//loss",
                "claim.x", "", "train/loss value", "analysis/fitted_rate/lambda=0.1"}) {
            assertFalse(MetricNames.matches(bad), bad);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricNames.check("train.loss"));
        assertTrue(e.getMessage().contains("train.loss") && e.getMessage().contains("section"), e.getMessage());
    }

    @Test
    void builtNamesAreSafeParts() {
        assertEquals("rank/kq/stable_rank/layer_3", MetricNames.rank("kq", "stable_rank", 3));
        assertEquals("claim/stable_rank_grows/passed", MetricNames.claim("Stable rank grows", "passed"));
        assertEquals("analysis/fitted_rate/lambda_1.0e-4", MetricNames.of("analysis", "fitted_rate", "lambda=1.0E-4"));
    }
}
