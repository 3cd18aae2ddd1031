package io.rankrepro.tasks.train;

import io.rankrepro.tasks.task.ParamsBinding;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainTaskValidationTest {
    private static final Map<String, Object> VALID = Map.of("width", 64, "heads", 8, "layers", 5, "steps", 100, "batch_size", 32, "lr", 1e-3);

    private static TrainTask.Config bind(Map<String, Object> base, Object... more) {
        Map<String, Object> m = new HashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return ParamsBinding.bind(TrainTask.Config.class, m);
    }

    private static String problems(Map<String, Object> base, Object... more) {
        ParamsBinding.Problems p = assertThrows(ParamsBinding.Problems.class, () -> bind(base, more));
        return String.join("\n", p.problems());
    }

    @Test
    void validParamsPassAndBadSizesAreNamed() {
        TrainTask.Config c = bind(VALID);
        assertEquals(64, c.width());
        assertEquals(100, c.steps());
        String all = problems(Map.of("width", 60, "heads", 8, "layers", -1, "steps", 0, "batch_size", 1_000_000, "lr", 1e-3,
                "init_scale", 0.0));
        assertTrue(all.contains("width 60 must be divisible by heads 8"), all);
        assertTrue(all.contains("layers must be in [1, 256]"), all);
        assertTrue(all.contains("steps: must be in [1, 100000000]"), all);
        assertTrue(all.contains("batch_size: must be in [1, 65536]"), all);
        assertTrue(all.contains("init_scale must be in (0, 100]"), all);
        String optimizer = problems(VALID, "steps", 10, "batch_size", 8, "optimizer", "rmsprop");
        assertTrue(optimizer.startsWith("optimizer: ") && optimizer.contains("unknown optimizer 'rmsprop'"), optimizer);
        String dtype = problems(VALID, "steps", 10, "batch_size", 8, "dtype", "float16");
        assertTrue(dtype.startsWith("dtype: must be float32 or float64, got 'float16'"), dtype);
        assertEquals("float64", bind(VALID, "steps", 10, "batch_size", 8, "dtype", "float64", "resume_every", 100).dtype());
        assertTrue(problems(VALID, "steps", 10, "batch_size", 8, "resume_every", 0).contains("resume_every: must be >= 1"));
    }

    @Test
    void everyOtherCheckNamesItsParameter() {
        assertTrue(problems(VALID, "lr", 0.0).contains("lr: must be > 0 and <= 10"));
        assertTrue(problems(VALID, "lr", 11.0).contains("lr: must be > 0 and <= 10"));
        assertTrue(problems(VALID, "warmup_steps", 101).contains("warmup_steps: must be in [0, 100]"));
        assertTrue(problems(VALID, "checkpoints", 0).contains("checkpoints: must be in [1, 1000]"));
        assertTrue(problems(VALID, "linear_checkpoints", -1).contains("linear_checkpoints: must be in [0, 1000]"));
        assertTrue(problems(VALID, "holdout_fraction", 0.6).contains("holdout_fraction: must be in [0, 0.5]"));
        assertTrue(problems(VALID, "grad_clip", -1.0).contains("grad_clip: must be >= 0"));
        assertTrue(problems(VALID, "patch_size", 0).contains("patch_size: must be >= 1"));
        assertTrue(problems(VALID, "context", 0).contains("context: must be in [1, 65536]"));
        assertTrue(problems(VALID, "context", 70_000).contains("context: must be in [1, 65536]"));
        assertTrue(problems(VALID, "beta1", 1.0).contains("beta1: must be in [0, 1)"));
        assertTrue(problems(VALID, "beta2", -0.1).contains("beta2: must be in [0, 1)"));
        assertTrue(problems(VALID, "adam_eps", 0.0).contains("adam_eps: must be finite and > 0"));
        assertTrue(problems(VALID, "pooling", "max").contains("pooling: pooling must be 'cls' or 'mean'"));
        assertTrue(problems(VALID, "batch_size", 1.5).contains("batch_size: must be an integer"));
    }

    @Test
    void defaultsAreTheOnesTheTaskAlwaysUsed() {
        TrainTask.Config c = bind(VALID);
        assertEquals(4, c.mlpRatio());
        assertEquals(1.0, c.initScale());
        assertEquals("float32", c.dtype());
        assertNull(c.patchSize());
        assertEquals("cls", c.pooling());
        assertNull(c.context());
        assertTrue(c.tiedOutput());
        assertEquals("adam-l2", c.optimizer());
        assertEquals(0.9, c.beta1());
        assertEquals(0.999, c.beta2());
        assertEquals(1e-8, c.adamEps());
        assertEquals(0, c.momentum());
        assertEquals(0, c.weightDecayAttention());
        assertEquals(0, c.weightDecayMlp());
        assertEquals(0, c.weightDecayOther());
        assertEquals(0, c.lrStart());
        assertEquals(0, c.warmupSteps());
        assertEquals(0.1, c.lrFloor());
        assertEquals(0, c.gradClip());
        assertEquals(20, c.checkpoints());
        assertEquals(200, c.lossPoints());
        assertEquals(500, c.resumeEvery());
        assertEquals(0, c.holdoutFraction());
        assertEquals(0, c.seedOffset());
    }

    @Test
    void everyParamTheShippedSpecsSetIsKnownAndAMisspellingGetsTheNearestName() {
        // stage params, profile overrides and sweep axes of transformer/train in pipeline/experiments (GPT trainings
        // carry the ViT's patch_size/pooling, ViT trainings the GPT's context)
        for (String name : List.of("adam_eps", "batch_size", "beta1", "beta2", "checkpoints", "context", "grad_clip", "heads",
                "holdout_fraction", "init_scale", "layers", "linear_checkpoints", "lr", "lr_floor", "lr_start", "mlp_ratio", "optimizer", "patch_size",
                "pooling", "seed_offset", "steps", "tied_output", "warmup_steps", "weight_decay_attention", "weight_decay_mlp",
                "weight_decay_other", "width")) {
            assertNull(ParamsBinding.unknown(TrainTask.Config.class, name), name);
        }
        String typo = problems(VALID, "weight_decay_atention", 0.1);
        assertTrue(typo.contains("weight_decay_atention: unknown parameter (did you mean weight_decay_attention?)"), typo);
        String camel = problems(VALID, "batchSize", 32);
        assertTrue(camel.contains("batchSize: unknown parameter (did you mean batch_size? spec params are snake_case)"), camel);
    }

    @Test
    void theMemoryEstimateCountsActivationsOnlyWithAContext() {
        TrainingMemory vit = TrainingMemory.estimate(64, 8, 5, 4, 32, null);
        TrainingMemory gpt = TrainingMemory.estimate(64, 8, 5, 4, 32, 48);
        assertEquals(vit.parameters(), gpt.parameters());
        assertEquals((long) (5.0 * 12 * 64 * 64 + 2.0 * 256 * 64) * 16, vit.bytes());
        assertEquals(vit.bytes() + (long) ((32.0 * 48 * 64 * 8 + 32.0 * 48 * 8 * 48) * 5 * 4), gpt.bytes());
        assertEquals(gpt.bytes(), TrainingMemory.estimate(bind(VALID, "context", 48)).bytes());
        assertTrue(gpt.problem(1024).orElseThrow().contains("more than this machine's"));
    }

    @Test
    void theContractReadsThePreparedDataOfStagePrepare() {
        io.rankrepro.tasks.task.Contract k = new TrainTask().contract();
        assertEquals(List.of(new io.rankrepro.tasks.task.Contract.Input("prepare",
                List.of("dataset.json", "images.npz", "tokens.npz"), false)), k.inputs());
        assertTrue(k.writes("checkpoints/step_000000042.safetensors") && k.writes("loss.csv") && k.writes("model.json"));
        assertEquals(TrainTask.Config.class, k.params());
    }

    @Test
    void checkpointsStartAtInitAndAreLogSpaced() {
        assertArrayEquals(new long[] {0, 1, 10, 100, 1000}, CheckpointSchedule.logSpaced(1000, 4));
        assertArrayEquals(new long[] {0, 1, 2, 3}, CheckpointSchedule.logSpaced(3, 10)); // rounding duplicates merged
        assertEquals("step_000000042.safetensors", CheckpointSchedule.fileName(42));
    }

    @Test
    void linearCheckpointsAreAddedToTheLogSpacedOnes() {
        assertArrayEquals(CheckpointSchedule.logSpaced(1000, 4), CheckpointSchedule.linearAndLog(1000, 4, 0));
        // log 0, 1, 10, 100, 1000 and linear 250, 500, 750, 1000 merged
        assertArrayEquals(new long[] {0, 1, 10, 100, 250, 500, 750, 1000}, CheckpointSchedule.linearAndLog(1000, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> CheckpointSchedule.linearAndLog(1000, 4, -1));
    }
}
