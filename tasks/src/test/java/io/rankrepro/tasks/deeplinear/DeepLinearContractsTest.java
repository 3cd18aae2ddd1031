package io.rankrepro.tasks.deeplinear;

import io.rankrepro.tasks.factorized.ContractRunner;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.TaskInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.rankrepro.tasks.factorized.ContractRunner.assertRefused;
import static io.rankrepro.tasks.factorized.ContractRunner.assertRequired;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The params records and contracts of deep-linear/train and kobayashi2024/lin. */
class DeepLinearContractsTest {
    /** pipeline/experiments/kobayashi2024/lin.yaml's train params at one sweep point. */
    static Map<String, Object> linTrain(int depth, double lambda) {
        Map<String, Object> m = new HashMap<>(Map.of("dim", 16, "hidden", 16, "teacher_singular_values", List.of(1.0, 0.8, 0.6, 0.4),
                "noise", 0.3, "optimizer", "sgd", "lr", 0.05, "momentum", 0.0, "batch_size", 32, "steps", 4000, "init_scale", 1.0));
        m.putAll(Map.of("rel_tol", 0.01, "snapshots", 24, "depth", depth, "lambda", lambda));
        return m;
    }

    static final Map<String, Object> LIN_FIGURE = Map.of("detail_depth", 2, "detail_lambda", 0.05, "check_lambda", 0.05,
            "prediction_tolerance", 0.05);

    @Test
    void theShippedSpecsParamsBindAndMomentumDefaultsToZero() {
        DeepLinearTrainTask.Config c = ParamsBinding.bind(DeepLinearTrainTask.Config.class, linTrain(3, 0.02));
        assertEquals(new DeepLinearTrainTask.Config(16, 16, 3, List.of(1.0, 0.8, 0.6, 0.4), 0.3, 0.02, "sgd", 0.05, 0.0, 32, 4000,
                1.0, 0.01, 24), c);
        Map<String, Object> noMomentum = new HashMap<>(linTrain(2, 0));
        noMomentum.remove("momentum");
        assertEquals(0.0, ParamsBinding.bind(DeepLinearTrainTask.Config.class, noMomentum).momentum());
        assertEquals(new Kobayashi2024LinTask.Config(2, 0.05, 0.05, 0.05), ParamsBinding.bind(Kobayashi2024LinTask.Config.class, LIN_FIGURE));
    }

    @Test
    void trainRefusesEachBadValue() {
        Class<DeepLinearTrainTask.Config> type = DeepLinearTrainTask.Config.class;
        Map<String, Object> good = linTrain(2, 0.05);
        assertRefused(type, good, "dim", 0);
        assertRefused(type, good, "dim", 513);
        assertRefused(type, good, "hidden", 0);
        assertRefused(type, good, "hidden", 513);
        assertRefused(type, good, "depth", 0);
        assertRefused(type, good, "depth", 17);
        assertRefused(type, good, "noise", -0.1);
        assertRefused(type, good, "noise", 101);
        assertRefused(type, good, "lambda", -0.01);
        assertRefused(type, good, "lambda", 101);
        assertRefused(type, good, "optimizer", "adam");
        assertRefused(type, good, "optimizer", 1);
        assertRefused(type, good, "lr", 0.0);
        assertRefused(type, good, "lr", 11);
        assertRefused(type, good, "momentum", 1.0);
        assertRefused(type, good, "momentum", -0.1);
        assertRefused(type, good, "batch_size", 0);
        assertRefused(type, good, "batch_size", 65_537);
        assertRefused(type, good, "steps", 0);
        assertRefused(type, good, "steps", 10_000_001);
        assertRefused(type, good, "init_scale", 0.0);
        assertRefused(type, good, "init_scale", 101);
        assertRefused(type, good, "rel_tol", 0.0);
        assertRefused(type, good, "rel_tol", 0.9995);
        assertRefused(type, good, "snapshots", 0);
        assertRefused(type, good, "snapshots", 1001);
        assertRefused(type, good, "teacher_singular_values", List.of());
        assertRefused(type, good, "teacher_singular_values", Collections.nCopies(17, 0.5)); // more than dim = 16
        assertRefused(type, good, "teacher_singular_values", List.of(0.4, 0.8));
        assertRefused(type, good, "teacher_singular_values", List.of(1.0, 0.0));
        assertRefused(type, good, "teacher_singular_values", List.of(1.0, -0.5));
        for (String key : good.keySet()) {
            if (!key.equals("momentum")) {
                assertRequired(type, good, key);
            }
        }
        assertEquals("optimizer: unknown optimizer 'adam'; use one of [sgd, adam-l2, adamw]",
                assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, with(good, "optimizer", "adam"))).getMessage());
        assertEquals("teacher_singular_values: need 1..dim values, got 5", assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(type, with(with(good, "dim", 4), "teacher_singular_values", List.of(1.0, 0.8, 0.6, 0.4, 0.2))))
                .getMessage());
    }

    @Test
    void linRefusesEachBadValue() {
        Class<Kobayashi2024LinTask.Config> type = Kobayashi2024LinTask.Config.class;
        assertRefused(type, LIN_FIGURE, "detail_depth", 0);
        assertRefused(type, LIN_FIGURE, "detail_depth", 17);
        assertRefused(type, LIN_FIGURE, "detail_lambda", -0.1);
        assertRefused(type, LIN_FIGURE, "detail_lambda", 101);
        assertRefused(type, LIN_FIGURE, "check_lambda", 0.0);
        assertRefused(type, LIN_FIGURE, "check_lambda", 101);
        assertRefused(type, LIN_FIGURE, "prediction_tolerance", 0.0);
        assertRefused(type, LIN_FIGURE, "prediction_tolerance", 11);
        assertEquals(0.0, ParamsBinding.bind(type, with(LIN_FIGURE, "detail_lambda", 0)).detailLambda());
        for (String key : LIN_FIGURE.keySet()) {
            assertRequired(type, LIN_FIGURE, key);
        }
    }

    @Test
    void aMisspelledParamIsRefusedWithTheNearestName() {
        Map<String, Object> typo = new HashMap<>(linTrain(2, 0.05));
        typo.put("batch_sise", typo.remove("batch_size"));
        var e = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(DeepLinearTrainTask.Config.class, typo));
        assertEquals(List.of("batch_sise: unknown parameter (did you mean batch_size?)", "batch_size: required"), e.problems());
        var camel = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(Kobayashi2024LinTask.Config.class, with(LIN_FIGURE, "checkLambda", 0.05)));
        assertEquals(List.of("checkLambda: unknown parameter (did you mean check_lambda? spec params are snake_case)"), camel.problems());
    }

    @Test
    void everyDeclaredReadIsADeclaredWriteUpstream() {
        ContractRunner.assertProvides(new DeepLinearTrainTask(), new Kobayashi2024LinTask(), "train");
    }

    /** A tiny A-lin (depth 2, λ ∈ {0, 0.05}), each task seeing only what it declares. */
    @Test
    void linRunsOnItsDeclaredInputsAlone(@TempDir Path root) throws Exception {
        ContractRunner runner = new ContractRunner(root, new SpecInfo("kobayashi2024/lin", "deep linear", "Kobayashi et al. 2024",
                "synthetic", "smoke", 0));
        List<TaskInput> trains = new ArrayList<>();
        for (double lambda : new double[] {0, 0.05}) {
            Map<String, Object> params = linTrain(2, lambda);
            params.putAll(Map.of("dim", 4, "hidden", 4, "teacher_singular_values", List.of(1.0), "steps", 60, "snapshots", 4,
                    "batch_size", 8));
            trains.add(runner.run(new DeepLinearTrainTask(), "train[depth=2,lambda=" + lambda + "]", "train", params,
                    Map.of("depth", 2, "lambda", lambda), List.of()));
        }
        assertEquals(List.of("hidden_units.csv", "layer_spectra.csv", "loss.csv", "spectra.csv", "summary.json"),
                ContractRunner.files(trains.get(0).dir()));
        TaskInput figure = runner.run(new Kobayashi2024LinTask(), "figure", "figure", LIN_FIGURE, Map.of(), trains);
        assertEquals(List.of("checks.json", "lin.png", "lin.svg"), ContractRunner.files(figure.dir()));
        List<String> ids = ClaimChecks.read(figure.dir()).stream().map(ClaimCheck::id).toList();
        assertEquals(List.of("lin-product-rank-to-teacher", "lin-unused-hidden-vanish", "lin-balanced-critical-point"), ids);
        assertTrue(ContractRunner.files(figure.dir()).contains("lin.png"));
    }

    static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
        Map<String, Object> out = new HashMap<>(m);
        out.put(key, value);
        return out;
    }
}
