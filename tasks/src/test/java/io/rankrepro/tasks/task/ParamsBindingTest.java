package io.rankrepro.tasks.task;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParamsBindingTest {

    record Example(double learningRate, @Default("100") long steps, @Default("[0, 2]") List<Integer> layers,
                   @Default("adam-l2") String optimizer, @Default("null") String path, @Default("false") boolean halfInLoss) {
        Example {
            ParamCheck.positive("learning_rate", learningRate, 10);
            layers = List.copyOf(layers);
        }
    }

    @Test
    void bindsSnakeCaseNamesWithDefaults() {
        Example e = ParamsBinding.bind(Example.class, Map.of("learning_rate", 0.5, "steps", 7));
        assertEquals(new Example(0.5, 7, List.of(0, 2), "adam-l2", null, false), e);
        assertEquals(List.of("learning_rate", "steps", "layers", "optimizer", "path", "half_in_loss"), ParamsBinding.names(Example.class));
    }

    @Test
    void resolvedHoldsEveryParameterSorted() {
        Map<String, Object> r = ParamsBinding.resolved(ParamsBinding.bind(Example.class, Map.of("learning_rate", 1)));
        assertEquals(List.of("half_in_loss", "layers", "learning_rate", "optimizer", "path", "steps"), List.copyOf(r.keySet()));
        assertEquals(1.0, r.get("learning_rate"));
        assertEquals(List.of(0, 2), r.get("layers"));
        assertEquals(100L, ((Number) r.get("steps")).longValue());
        // resolved values bind back to the same record
        assertEquals(ParamsBinding.bind(Example.class, Map.of("learning_rate", 1)), ParamsBinding.bind(Example.class, r));
    }

    @Test
    void misspelledNameGetsTheNearestValidOne() {
        var p = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(Example.class, Map.of("learning_rate", 0.5, "stpes", 3)));
        assertEquals(List.of("stpes: unknown parameter (did you mean steps?)"), p.problems());
        var camel = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(Example.class, Map.of("learningRate", 0.5)));
        assertTrue(camel.problems().contains("learningRate: unknown parameter (did you mean learning_rate? spec params are snake_case)"),
                camel.problems().toString());
        assertTrue(camel.problems().contains("learning_rate: required"), camel.problems().toString());
        var far = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(Example.class, Map.of("learning_rate", 0.5, "zzzzzz", 1)));
        assertTrue(far.problems().get(0).startsWith("zzzzzz: unknown parameter (parameters: learning_rate, steps,"), far.problems().toString());
    }

    @Test
    void wrongTypesAndFailedChecksNameTheParameter() {
        var p = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(Example.class, Map.of("learning_rate", "fast", "steps", 1.5, "half_in_loss", "yes")));
        assertEquals(List.of("learning_rate: must be a number, got 'fast'", "steps: must be an integer, got 1.5",
                "half_in_loss: must be true or false, got 'yes'"), p.problems());
        var check = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(Example.class, Map.of("learning_rate", -1)));
        assertEquals(List.of("learning_rate: must be > 0 and <= 10, got -1"), check.problems());
    }

    @Test
    void distanceCountsEditsAndSwaps() {
        assertEquals(0, ParamsBinding.distance("steps", "steps"));
        assertEquals(1, ParamsBinding.distance("stpes", "steps"));
        assertEquals(1, ParamsBinding.distance("step", "steps"));
        assertEquals(3, ParamsBinding.distance("kitten", "sitting"));
    }
}
