package io.rankrepro.tasks.incontext;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rankrepro.tasks.task.ClaimCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Kobayashi2024Fig2ChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A run whose two layers share rank, imbalance end/start (start 10) and relative gap. */
    private static Kobayashi2024Fig2Task.Run run(double lambda, int rank, double ratio, double gap) {
        ObjectNode s = JSON.createObjectNode();
        s.put("lambda", lambda);
        ArrayNode layers = s.putArray("layers");
        for (int l = 0; l < 2; l++) {
            layers.addObject().put("layer", l).put("numerical_rank", rank).put("imbalance_initial", 10.0)
                    .put("imbalance_final", 10.0 * ratio).put("relative_gap", gap).put("gap", 5 * gap);
        }
        return new Kobayashi2024Fig2Task.Run(lambda, s, null, null, null);
    }

    private static TreeMap<Double, Kobayashi2024Fig2Task.Run> sweep(Kobayashi2024Fig2Task.Run... runs) {
        TreeMap<Double, Kobayashi2024Fig2Task.Run> m = new TreeMap<>();
        for (Kobayashi2024Fig2Task.Run r : runs) {
            m.put(r.lambda(), r);
        }
        return m;
    }

    @Test
    void theClaimedTrendPassesAllThree() {
        List<ClaimCheck> c = Kobayashi2024Fig2Task.checks(sweep(run(0, 32, 1.2, 0.4), run(0.3, 20, 0.2, 0.1), run(3, 5, 1e-4, 0.01)), 0.05);
        assertEquals(List.of(true, true, true), c.stream().map(ClaimCheck::passed).toList());
        assertTrue(c.get(0).measured().contains("λ=0.300: 20"), c.get(0).measured());
        assertTrue(c.get(1).measured().contains("λ=3: 0.0001"), c.get(1).measured());
    }

    @Test
    void eachBrokenTrendFailsItsOwnCheckOnly() {
        // rank does not fall
        List<ClaimCheck> rank = Kobayashi2024Fig2Task.checks(sweep(run(0, 32, 1.2, 0.4), run(0.3, 32, 0.2, 0.1), run(3, 32, 1e-4, 0.01)), 0.05);
        assertEquals(List.of(false, true, true), rank.stream().map(ClaimCheck::passed).toList());
        // the imbalance shrinks less at the middle λ than at λ = 0
        List<ClaimCheck> ratio = Kobayashi2024Fig2Task.checks(sweep(run(0, 32, 0.5, 0.4), run(0.3, 20, 0.6, 0.1), run(3, 5, 1e-4, 0.01)), 0.05);
        assertEquals(List.of(true, false, true), ratio.stream().map(ClaimCheck::passed).toList());
        // the gap at the largest λ stays above the tolerance
        List<ClaimCheck> gap = Kobayashi2024Fig2Task.checks(sweep(run(0, 32, 1.2, 0.4), run(0.3, 20, 0.2, 0.1), run(3, 5, 1e-4, 0.2)), 0.05);
        assertEquals(List.of(true, true, false), gap.stream().map(ClaimCheck::passed).toList());
    }

    @Test
    void aSweepWithoutLambdaZeroIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> Kobayashi2024Fig2Task.checks(sweep(run(0.1, 32, 1, 0.4), run(0.3, 20, 0.2, 0.1), run(3, 5, 1e-4, 0.01)), 0.05));
    }
}
