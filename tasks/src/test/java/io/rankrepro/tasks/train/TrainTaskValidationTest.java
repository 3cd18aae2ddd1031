package io.rankrepro.tasks.train;

import io.rankrepro.tasks.task.Params;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainTaskValidationTest {

    @Test
    void validParamsPassAndBadSizesAreNamed() {
        TrainTask t = new TrainTask();
        assertEquals(List.of(), t.validate(Params.of("width", 64, "heads", 8, "layers", 5, "steps", 100, "batch_size", 32, "lr", 1e-3)));
        List<String> p = t.validate(Params.of("width", 60, "heads", 8, "layers", -1, "steps", 0, "batch_size", 1_000_000, "lr", 1e-3,
                "init_scale", 0.0));
        String all = String.join("\n", p);
        assertTrue(all.contains("width 60 must be divisible by heads 8"), all);
        assertTrue(all.contains("layers must be in [1, 256]"), all);
        assertTrue(all.contains("steps: must be in [1, 1e8]"), all);
        assertTrue(all.contains("batch_size: must be in [1, 65536]"), all);
        assertTrue(all.contains("init_scale must be in (0, 100]"), all);
        assertTrue(t.validate(Params.of("width", 64, "heads", 8, "layers", 5, "steps", 10, "batch_size", 8, "lr", 1e-3,
                "optimizer", "rmsprop")).get(0).contains("unknown optimizer 'rmsprop'"));
        assertTrue(t.validate(Params.of("width", 64, "heads", 8, "layers", 5, "steps", 10, "batch_size", 8, "lr", 1e-3,
                "dtype", "float16")).get(0).contains("dtype: must be float32 or float64, got 'float16'"));
        assertEquals(List.of(), t.validate(Params.of("width", 64, "heads", 8, "layers", 5, "steps", 10, "batch_size", 8, "lr", 1e-3,
                "dtype", "float64", "resume_every", 100)));
        assertTrue(String.join("\n", t.validate(Params.of("width", 64, "heads", 8, "layers", 5, "steps", 10, "batch_size", 8, "lr", 1e-3,
                "resume_every", 0))).contains("resume_every: must be >= 1"));
    }

    @Test
    void checkpointsStartAtInitAndAreLogSpaced() {
        assertArrayEquals(new long[] {0, 1, 10, 100, 1000}, CheckpointSchedule.logSpaced(1000, 4));
        assertArrayEquals(new long[] {0, 1, 2, 3}, CheckpointSchedule.logSpaced(3, 10)); // rounding duplicates merged
        assertEquals("step_000000042.safetensors", CheckpointSchedule.fileName(42));
    }
}
