package io.rankrepro.tasks.incontext;

import io.rankrepro.tasks.factorized.ContractRunner;
import io.rankrepro.tasks.model.TransformerConfig;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.TaskInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.rankrepro.tasks.factorized.ContractRunner.assertRefused;
import static io.rankrepro.tasks.factorized.ContractRunner.assertRequired;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The params records and contracts of in-context/train and kobayashi2024/fig2. */
class InContextContractsTest {
    /** pipeline/experiments/kobayashi2024/fig2.yaml's train params at one λ. */
    static Map<String, Object> fig2Train(double lambda) {
        Map<String, Object> m = new HashMap<>(Map.of("dim_x", 5, "context", 24, "queries", 8, "noise", 0.25, "width", 32,
                "heads", 4, "layers", 2, "mlp_ratio", 2, "init_scale", 1.0, "optimizer", "adamw"));
        m.putAll(Map.of("lr", 0.002, "warmup_steps", 100, "lr_floor", 1.0, "weight_decay_mlp", 0.0, "weight_decay_other", 0.0,
                "batch_size", 64, "steps", 3000, "snapshots", 24, "rel_tol", 0.01, "lambda", lambda));
        return m;
    }

    static final Map<String, Object> FIG2_FIGURE = Map.of("detail_layer", 1, "gap_tolerance", 0.05);

    @Test
    void theShippedSpecsParamsBindAndDecaysDefaultToZero() {
        InContextTrainTask.Config c = ParamsBinding.bind(InContextTrainTask.Config.class, fig2Train(0.3));
        assertEquals(new InContextTrainTask.Config(5, 24, 8, 0.25, 32, 4, 2, 2, 1.0, 0.3, "adamw", 0.002, 100, 1.0, 0, 0, 0, 64, 3000,
                24, 0.01, 0), c);
        Map<String, Object> bare = fig2Train(0.3);
        bare.remove("weight_decay_mlp");
        bare.remove("weight_decay_other");
        InContextTrainTask.Config d = ParamsBinding.bind(InContextTrainTask.Config.class, bare);
        assertEquals(List.of(0.0, 0.0, 0.0), List.of(d.weightDecayMlp(), d.weightDecayOther(), d.momentum()));
        assertEquals(new Kobayashi2024Fig2Task.Config(1, 0.05), ParamsBinding.bind(Kobayashi2024Fig2Task.Config.class, FIG2_FIGURE));
    }

    @Test
    void trainRefusesEachBadValue() {
        Class<InContextTrainTask.Config> type = InContextTrainTask.Config.class;
        Map<String, Object> good = fig2Train(0.3);
        assertRefused(type, good, "dim_x", 0);
        assertRefused(type, good, "dim_x", 257);
        assertRefused(type, good, "context", 0);
        assertRefused(type, good, "context", 4097);
        assertRefused(type, good, "queries", 0);
        assertRefused(type, good, "queries", 4097);
        assertRefused(type, good, "noise", -0.1);
        assertRefused(type, good, "noise", 101);
        assertRefused(type, good, "width", 0);
        assertRefused(type, good, "width", TransformerConfig.MAX_WIDTH + 1);
        assertRefused(type, good, "heads", 0);
        assertRefused(type, good, "layers", 0);
        assertRefused(type, good, "layers", TransformerConfig.MAX_LAYERS + 1);
        assertRefused(type, good, "mlp_ratio", 0);
        assertRefused(type, good, "mlp_ratio", 17);
        assertRefused(type, good, "init_scale", 0.0);
        assertRefused(type, good, "init_scale", 101);
        assertRefused(type, good, "lambda", -0.1);
        assertRefused(type, good, "lambda", 1001);
        assertRefused(type, good, "optimizer", "adam");
        assertRefused(type, good, "lr", 0.0);
        assertRefused(type, good, "lr", 11);
        assertRefused(type, good, "warmup_steps", -1);
        assertRefused(type, good, "lr_floor", -0.1);
        assertRefused(type, good, "lr_floor", 1.1);
        assertRefused(type, good, "batch_size", 0);
        assertRefused(type, good, "batch_size", 65_537);
        assertRefused(type, good, "steps", 0);
        assertRefused(type, good, "steps", 100_000_001);
        assertRefused(type, good, "snapshots", 0);
        assertRefused(type, good, "snapshots", 1001);
        assertRefused(type, good, "rel_tol", 0.0);
        assertRefused(type, good, "rel_tol", 0.9995);
        assertRefused(type, good, "weight_decay_mlp", "none");
        for (String key : good.keySet()) {
            if (!key.startsWith("weight_decay_")) {
                assertRequired(type, good, key);
            }
        }
    }

    @Test
    void trainRefusesImpossibleCombinations() {
        Class<InContextTrainTask.Config> type = InContextTrainTask.Config.class;
        Map<String, Object> good = fig2Train(0.3);
        assertEquals("heads: width 32 must be divisible by heads 5",
                assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, with(good, "heads", 5))).getMessage());
        assertEquals("warmup_steps: must be <= steps",
                assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, with(good, "warmup_steps", 3001))).getMessage());
        assertTrue(assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, with(good, "batch_size", 65_536)))
                .getMessage().startsWith("batch_size: batch_size × (context + queries) × width = 67108864 activations per layer"));
        assertTrue(assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, with(good, "optimizer", "adam")))
                .getMessage().startsWith("optimizer: unknown optimizer 'adam'"));
    }

    @Test
    void fig2RefusesEachBadValue() {
        Class<Kobayashi2024Fig2Task.Config> type = Kobayashi2024Fig2Task.Config.class;
        assertRefused(type, FIG2_FIGURE, "detail_layer", -1);
        assertRefused(type, FIG2_FIGURE, "detail_layer", 256);
        assertRefused(type, FIG2_FIGURE, "gap_tolerance", 0.0);
        assertRefused(type, FIG2_FIGURE, "gap_tolerance", 1.1);
        assertEquals(0, ParamsBinding.bind(type, with(FIG2_FIGURE, "detail_layer", 0)).detailLayer());
        assertRequired(type, FIG2_FIGURE, "detail_layer");
        assertRequired(type, FIG2_FIGURE, "gap_tolerance");
    }

    @Test
    void aMisspelledParamIsRefusedWithTheNearestName() {
        Map<String, Object> typo = fig2Train(0.3);
        typo.put("weight_decay_mpl", typo.remove("weight_decay_mlp"));
        var e = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(InContextTrainTask.Config.class, typo));
        assertEquals(List.of("weight_decay_mpl: unknown parameter (did you mean weight_decay_mlp?)"), e.problems());
        var camel = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(Kobayashi2024Fig2Task.Config.class, Map.of("detailLayer", 1, "gap_tolerance", 0.05)));
        assertEquals(List.of("detailLayer: unknown parameter (did you mean detail_layer? spec params are snake_case)",
                "detail_layer: required"), camel.problems());
    }

    @Test
    void everyDeclaredReadIsADeclaredWriteUpstream() {
        ContractRunner.assertProvides(new InContextTrainTask(), new Kobayashi2024Fig2Task(), "train");
    }

    /** A tiny A-fig2 (one layer, λ ∈ {0, 0.1, 1}), each task seeing only what it declares. */
    @Test
    void fig2RunsOnItsDeclaredInputsAlone(@TempDir Path root) throws Exception {
        ContractRunner runner = new ContractRunner(root, new SpecInfo("kobayashi2024/fig2", "in-context regression",
                "Kobayashi et al. 2024, Figure 2", "synthetic", "smoke", 0));
        List<TaskInput> trains = new ArrayList<>();
        for (double lambda : new double[] {0, 0.1, 1}) {
            Map<String, Object> params = fig2Train(lambda);
            params.putAll(Map.of("dim_x", 2, "context", 4, "queries", 2, "width", 8, "heads", 2, "layers", 1, "mlp_ratio", 1,
                    "steps", 12, "warmup_steps", 2, "snapshots", 3));
            params.put("batch_size", 4);
            trains.add(runner.run(new InContextTrainTask(), "train[lambda=" + lambda + "]", "train", params,
                    Map.of("lambda", lambda), List.of()));
        }
        assertEquals(List.of("checkpoints/step_000000000.safetensors", "checkpoints/step_000000012.safetensors", "loss.csv",
                "spectra.csv", "summary.json", "trajectory.csv"), ContractRunner.files(trains.get(0).dir()));
        TaskInput figure = runner.run(new Kobayashi2024Fig2Task(), "figure", "figure", with(FIG2_FIGURE, "detail_layer", 0), Map.of(),
                trains);
        assertEquals(List.of("checks.json", "fig2.png", "fig2.svg"), ContractRunner.files(figure.dir()));
        assertEquals(List.of("fig2-pv-rank-falls", "fig2-imbalance-decays-faster", "fig2-gap-vanishes"),
                ClaimChecks.read(figure.dir()).stream().map(ClaimCheck::id).toList());
    }

    static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
        Map<String, Object> out = new HashMap<>(m);
        out.put(key, value);
        return out;
    }
}
