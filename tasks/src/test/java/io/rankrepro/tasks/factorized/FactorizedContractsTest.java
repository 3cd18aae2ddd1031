package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.TaskInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.rankrepro.tasks.factorized.ContractRunner.assertProvides;
import static io.rankrepro.tasks.factorized.ContractRunner.assertRefused;
import static io.rankrepro.tasks.factorized.ContractRunner.assertRequired;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The params records and contracts of factorized-toy/analyze, kobayashi2024/fig1, two-param-toy/train and kobayashi2024/figA1. */
class FactorizedContractsTest {
    private static final SpecInfo SPEC = new SpecInfo("kobayashi2024/fig1", "factorized toy", "Kobayashi et al. 2024, Figure 1",
            "synthetic", "smoke", 0);

    /** The shipped specs' values (pipeline/experiments/kobayashi2024/fig1.yaml and figA1.yaml). */
    static final Map<String, Object> FIG1_ANALYZE = Map.of("rate_fit_floor", 1.0e-11);
    static final Map<String, Object> FIG1_FIGURE = Map.of("sv_panel_lambda", 0.4, "gap_tolerance", 1.0e-12, "rate_tolerance", 1.0e-3,
            "sv_tolerance", 1.0e-3, "threshold_margin", 0.05);
    static final Map<String, Object> FIGA1_FIGURE = Map.of("target", List.of(1.0, 0.3), "separation", 100.0);

    static Map<String, Object> fig1Train(double lambda, int steps) {
        return Map.of("lambda", lambda, "target_diagonal", List.of(0.2, 0.4, 0.6, 0.8, 1.0), "half_in_loss", false,
                "learning_rate", 0.05, "init_scale", 0.3, "steps", steps, "record_every", 1);
    }

    static Map<String, Object> figA1Train(double lambda, int steps) {
        return Map.of("lambda", lambda, "target", List.of(1.0, 0.3), "init", List.of(0.25, 1.0), "learning_rate", 0.01,
                "steps", steps, "record_every", 5, "beta1", 0.9, "beta2", 0.999, "eps", 1.0e-8);
    }

    @Test
    void theShippedSpecsParamsBind() {
        assertEquals(new FactorizedToyAnalyzeTask.Config(1e-11), ParamsBinding.bind(FactorizedToyAnalyzeTask.Config.class, FIG1_ANALYZE));
        assertEquals(new Kobayashi2024Fig1Task.Config(0.4, 1e-12, 1e-3, 1e-3, 0.05, 0.01),
                ParamsBinding.bind(Kobayashi2024Fig1Task.Config.class, FIG1_FIGURE));
        assertEquals(new TwoParameterTrainTask.Config(0.5, List.of(1.0, 0.3), List.of(0.25, 1.0), 0.01, 3000, 5, 0.9, 0.999, 1e-8),
                ParamsBinding.bind(TwoParameterTrainTask.Config.class, figA1Train(0.5, 3000)));
        assertEquals(new Kobayashi2024FigA1Task.Config(List.of(1.0, 0.3), 100), ParamsBinding.bind(Kobayashi2024FigA1Task.Config.class, FIGA1_FIGURE));
    }

    @Test
    void analyzeRefusesABadFloor() {
        Class<FactorizedToyAnalyzeTask.Config> type = FactorizedToyAnalyzeTask.Config.class;
        assertRefused(type, FIG1_ANALYZE, "rate_fit_floor", 0.0);
        assertRefused(type, FIG1_ANALYZE, "rate_fit_floor", 1.5);
        assertRefused(type, FIG1_ANALYZE, "rate_fit_floor", "tiny");
        assertRequired(type, FIG1_ANALYZE, "rate_fit_floor");
    }

    @Test
    void fig1RefusesEachBadTolerance() {
        Class<Kobayashi2024Fig1Task.Config> type = Kobayashi2024Fig1Task.Config.class;
        assertRefused(type, FIG1_FIGURE, "sv_panel_lambda", -0.1);
        assertRefused(type, FIG1_FIGURE, "sv_panel_lambda", 100.5);
        assertRefused(type, FIG1_FIGURE, "gap_tolerance", -1e-12);
        assertRefused(type, FIG1_FIGURE, "gap_tolerance", 1.5);
        assertRefused(type, FIG1_FIGURE, "rate_tolerance", 0.0);
        assertRefused(type, FIG1_FIGURE, "rate_tolerance", 1.5);
        assertRefused(type, FIG1_FIGURE, "sv_tolerance", 0.0);
        assertRefused(type, FIG1_FIGURE, "sv_tolerance", 2.0);
        assertRefused(type, FIG1_FIGURE, "threshold_margin", -0.01);
        assertRefused(type, FIG1_FIGURE, "threshold_margin", 10.5);
        for (String key : FIG1_FIGURE.keySet()) {
            assertRequired(type, FIG1_FIGURE, key);
        }
        // zero is allowed where the old rules allowed it
        Map<String, Object> zeros = new HashMap<>(FIG1_FIGURE);
        zeros.putAll(Map.of("sv_panel_lambda", 0, "gap_tolerance", 0, "threshold_margin", 0));
        assertEquals(0.0, ParamsBinding.bind(type, zeros).thresholdMargin());
    }

    @Test
    void twoParamTrainRefusesEachBadValue() {
        Class<TwoParameterTrainTask.Config> type = TwoParameterTrainTask.Config.class;
        Map<String, Object> good = figA1Train(0.5, 3000);
        assertEquals(0.0, ParamsBinding.bind(type, with(good, "lambda", 0)).lambda());
        assertRefused(type, good, "lambda", -0.1);
        assertRefused(type, good, "lambda", 101);
        assertRefused(type, good, "learning_rate", 0.0);
        assertRefused(type, good, "learning_rate", 11.0);
        assertRefused(type, good, "steps", 0);
        assertRefused(type, good, "steps", 10_000_001);
        assertRefused(type, good, "steps", 1.5);
        assertRefused(type, good, "record_every", 0);
        assertRefused(type, good, "beta1", 1.0);
        assertRefused(type, good, "beta1", -0.1);
        assertRefused(type, good, "beta2", 1.0);
        assertRefused(type, good, "eps", 0.0);
        assertRefused(type, good, "eps", 2.0);
        assertRefused(type, good, "target", List.of(1.0));
        assertRefused(type, good, "target", List.of(1.0, Double.NaN));
        assertRefused(type, good, "init", List.of(1.0, 0.5, 0.2));
        assertRefused(type, good, "init", List.of(0.0, 1.0));
        assertRefused(type, good, "init", List.of(-0.25, 1.0));
        for (String key : good.keySet()) {
            assertRequired(type, good, key);
        }
    }

    @Test
    void figA1RefusesABadTargetOrTolerance() {
        Class<Kobayashi2024FigA1Task.Config> type = Kobayashi2024FigA1Task.Config.class;
        assertRefused(type, FIGA1_FIGURE, "separation", 0.5);
        assertRefused(type, FIGA1_FIGURE, "target", List.of(1.0, 0.3, 0.1));
        assertRefused(type, FIGA1_FIGURE, "target", List.of("one", "two"));
        assertRequired(type, FIGA1_FIGURE, "target");
    }

    @Test
    void aMisspelledParamIsRefusedWithTheNearestName() {
        var typo = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(Kobayashi2024Fig1Task.Config.class, with(FIG1_FIGURE, "sv_panel_lamda", 0.4)));
        assertEquals(List.of("sv_panel_lamda: unknown parameter (did you mean sv_panel_lambda?)"), typo.problems());
        var camel = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(FactorizedToyAnalyzeTask.Config.class, Map.of("rateFitFloor", 1e-11)));
        assertEquals(List.of("rateFitFloor: unknown parameter (did you mean rate_fit_floor? spec params are snake_case)",
                "rate_fit_floor: required"), camel.problems());
        var train = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(TwoParameterTrainTask.Config.class, with(figA1Train(0.5, 3000), "recrod_every", 5)));
        assertEquals(List.of("recrod_every: unknown parameter (did you mean record_every?)"), train.problems());
    }

    @Test
    void everyDeclaredReadIsADeclaredWriteUpstream() {
        assertProvides(new FactorizedToyTrainTask(), new FactorizedToyAnalyzeTask(), "train");
        assertProvides(new FactorizedToyAnalyzeTask(), new Kobayashi2024Fig1Task(), "analyze");
        assertProvides(new FactorizedToyTrainTask(), new Kobayashi2024Fig1Task(), "train");
        assertProvides(new TwoParameterTrainTask(), new Kobayashi2024FigA1Task(), "train");
    }

    /** A-fig1 at smoke size, each task seeing only what it declares: train (3 λ) → analyze → figure. */
    @Test
    void fig1RunsOnItsDeclaredInputsAlone(@TempDir Path root) throws Exception {
        ContractRunner runner = new ContractRunner(root, SPEC);
        List<TaskInput> trains = new ArrayList<>();
        List<TaskInput> analyses = new ArrayList<>();
        for (double lambda : new double[] {0, 0.2, 0.4}) {
            Map<String, Object> point = Map.of("lambda", lambda);
            TaskInput train = runner.run(new FactorizedToyTrainTask(), "train[lambda=" + lambda + "]", "train", fig1Train(lambda, 300),
                    point, List.of());
            trains.add(train);
            analyses.add(runner.run(new FactorizedToyAnalyzeTask(), "analyze[lambda=" + lambda + "]", "analyze", FIG1_ANALYZE,
                    point, List.of(train)));
        }
        List<TaskInput> all = new ArrayList<>(trains);
        all.addAll(analyses);
        TaskInput figure = runner.run(new Kobayashi2024Fig1Task(), "figure", "figure", FIG1_FIGURE, Map.of(), all);
        assertEquals(List.of("checks.json", "fig1.png", "fig1.svg"), ContractRunner.files(figure.dir()));
        List<ClaimCheck> checks = ClaimChecks.read(figure.dir());
        assertEquals(List.of("gap-nonnegative", "fig1-gap-decays-exponentially", "fig1-imbalance-rate", "fig1-soft-threshold",
                "fig1-singular-values-over-training"), checks.stream().map(ClaimCheck::id).toList());
        assertTrue(checks.get(0).passed() && !checks.get(0).countsAsClaim(), checks.get(0).toString());
        assertTrue(checks.subList(1, 5).stream().allMatch(c -> c.countsAsClaim() && c.effect() != null), checks.toString());
    }

    /** A-figA1 at smoke size: two-param train (2 λ) → figure on its declared inputs alone. */
    @Test
    void figA1RunsOnItsDeclaredInputsAlone(@TempDir Path root) throws Exception {
        ContractRunner runner = new ContractRunner(root, SPEC);
        List<TaskInput> trains = new ArrayList<>();
        for (double lambda : new double[] {0.1, 0.5}) {
            trains.add(runner.run(new TwoParameterTrainTask(), "train[lambda=" + lambda + "]", "train", figA1Train(lambda, 500),
                    Map.of("lambda", lambda), List.of()));
        }
        assertEquals(List.of("trajectories.csv"), ContractRunner.files(trains.get(0).dir()));
        assertTrue(Files.readString(trains.get(0).dir().resolve("trajectories.csv")).startsWith("parameterization,optimizer,step,w1,w2\n"));
        TaskInput figure = runner.run(new Kobayashi2024FigA1Task(), "figure", "figure", FIGA1_FIGURE, Map.of(), trains);
        assertEquals(List.of("checks.json", "figA1.png", "figA1.svg"), ContractRunner.files(figure.dir()));
        assertEquals(List.of("figA1-factorized-l2-is-l1", "figA1-adamw-factorized-sparser"), ClaimChecks.read(figure.dir()).stream().map(ClaimCheck::id).toList());
    }

    static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
        Map<String, Object> out = new HashMap<>(m);
        out.put(key, value);
        return out;
    }
}
