package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Task;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The toy kinds' params records: snake_case names, defaults, and every check that used to be in validate. */
class ToyParamsTest {
    private static final Map<String, Object> PREPARE = Map.of("tokens", 4, "samples", 64,
            "teacher_kq", List.of(0.5, 0.0, 0.0, -1.0, 0.0), "teacher_vo", List.of(1.2, 0.0, -0.5, 0.0, 0.0));
    private static final Map<String, Object> TRAIN = Map.of("alpha", 1e-8, "learning_rate", 0.01, "tau_max", 3.5,
            "checkpoints", 40, "log_every", 5);
    private static final Map<String, Object> PERTURB = Map.ofEntries(Map.entry("alpha", 1e-8),
            Map.entry("learning_rate", 0.01), Map.entry("tau_max", 2.2), Map.entry("inside_stage", 2),
            Map.entry("inside_scale", 0.2), Map.entry("relax_tau", 0.15), Map.entry("start_stage", 2),
            Map.entry("start_scale", 0.3), Map.entry("lead_tau", 0.3), Map.entry("perturb_seed", 0));

    private static Map<String, Object> with(Map<String, Object> base, Object... keyValues) {
        Map<String, Object> m = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                m.remove((String) keyValues[i]);
            } else {
                m.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }

    /** Binding {@code values} fails with exactly one problem, which starts with {@code prefix}. */
    private static void refused(Class<? extends Record> type, Map<String, Object> values, String prefix) {
        var p = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, values));
        assertEquals(1, p.problems().size(), p.problems().toString());
        assertTrue(p.problems().get(0).startsWith(prefix), p.problems().get(0) + " should start with " + prefix);
    }

    @Test
    void everyKindDeclaresItsConfigAndOnlyStagesOfTheShippedSpecs() {
        Map<Task, Class<? extends Record>> kinds = Map.of(
                new DiagonalToyPrepareTask(), DiagonalToyPrepareTask.Config.class,
                new DiagonalToyTrainTask(), DiagonalToyTrainTask.Config.class,
                new DiagonalToyAnalyzeTask(), DiagonalToyAnalyzeTask.Config.class,
                new DiagonalToyPerturbTask(), DiagonalToyPerturbTask.Config.class,
                new Boix2023Fig1Task(), Boix2023Fig1Task.Config.class,
                new Boix2023Fig2Task(), Boix2023Fig2Task.Config.class);
        for (var e : kinds.entrySet()) {
            Contract c = e.getKey().contract();
            assertEquals(e.getValue(), c.params(), e.getKey().kind());
            for (Contract.Input in : c.inputs()) {
                assertTrue(List.of("prepare", "train", "checkpoint", "analyze", "perturb").contains(in.stage()), in.stage());
            }
        }
        assertTrue(new DiagonalToyAnalyzeTask().contract().input("checkpoint").orElseThrow().optional());
        // what each reader reads, its producer declares it writes
        Contract train = new DiagonalToyTrainTask().contract();
        Contract analyze = new DiagonalToyAnalyzeTask().contract();
        for (String f : analyze.input("train").orElseThrow().files()) {
            assertTrue(train.provides(f), f);
        }
        for (String f : new Boix2023Fig1Task().contract().input("analyze").orElseThrow().files()) {
            assertTrue(analyze.provides(f), f);
        }
        for (String f : new Boix2023Fig2Task().contract().input("perturb").orElseThrow().files()) {
            assertTrue(new DiagonalToyPerturbTask().contract().provides(f), f);
        }
        for (Contract reader : List.of(train, analyze, new DiagonalToyPerturbTask().contract())) {
            for (String f : reader.input("prepare").orElseThrow().files()) {
                assertTrue(new DiagonalToyPrepareTask().contract().provides(f), f);
            }
        }
    }

    @Test
    void defaultsAreTheOldFallbacks() {
        assertEquals(0, ParamsBinding.bind(DiagonalToyPrepareTask.Config.class, PREPARE).dataSeed());
        var train = ParamsBinding.bind(DiagonalToyTrainTask.Config.class, TRAIN);
        assertEquals(0, train.uniformCheckpoints());
        assertEquals(2000, train.resumeEvery());
        assertEquals(1e-2, ParamsBinding.bind(DiagonalToyAnalyzeTask.Config.class, Map.of()).numericalRankTol());
        assertEquals(2, ParamsBinding.bind(DiagonalToyPerturbTask.Config.class, PERTURB).recordEvery());
        assertEquals(new Boix2023Fig1Task.Config(0.1, 0.05, 1e-7, 0.05), ParamsBinding.bind(Boix2023Fig1Task.Config.class, Map.of()));
        assertEquals(new Boix2023Fig2Task.Config(0.01, 0.02, 0.3), ParamsBinding.bind(Boix2023Fig2Task.Config.class, Map.of()));
    }

    @Test
    void misspelledParamsAreRefusedWithTheNearestName() {
        var typo = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(DiagonalToyTrainTask.Config.class,
                with(TRAIN, "log_every", null, "log_evrey", 5)));
        assertEquals(List.of("log_evrey: unknown parameter (did you mean log_every?)", "log_every: required"), typo.problems());
        var camel = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(DiagonalToyPerturbTask.Config.class,
                with(PERTURB, "relax_tau", null, "relaxTau", 0.15)));
        assertTrue(camel.problems().contains("relaxTau: unknown parameter (did you mean relax_tau? spec params are snake_case)"),
                camel.problems().toString());
        var figure = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(Boix2023Fig2Task.Config.class, Map.of("shape_tolerence", 0.02)));
        assertEquals(List.of("shape_tolerence: unknown parameter (did you mean shape_tolerance?)"), figure.problems());
    }

    @Test
    void prepareChecks() {
        var c = ParamsBinding.bind(DiagonalToyPrepareTask.Config.class, with(PREPARE, "data_seed", 3));
        assertEquals(3, c.dataSeed());
        assertEquals(5, c.teacher().dim());
        refused(DiagonalToyPrepareTask.Config.class, with(PREPARE, "tokens", 0), "tokens: must be > 0");
        refused(DiagonalToyPrepareTask.Config.class, with(PREPARE, "samples", -1), "samples: must be > 0");
        refused(DiagonalToyPrepareTask.Config.class, with(PREPARE, "tokens", 1.5), "tokens: must be an integer");
        refused(DiagonalToyPrepareTask.Config.class, with(PREPARE, "teacher_kq", List.of()), "teacher_kq: needs one number");
        refused(DiagonalToyPrepareTask.Config.class, with(PREPARE, "teacher_vo", List.of(1.0, 2.0)),
                "teacher_vo: must have the same length as teacher_kq");
        refused(DiagonalToyPrepareTask.Config.class, with(PREPARE, "samples", 10_000_000),
                "samples: samples x tokens x d = 200000000 values is too large");
        refused(DiagonalToyPrepareTask.Config.class, with(PREPARE, "tokens", null), "tokens: required");
    }

    @Test
    void trainChecks() {
        for (double alpha : new double[] {0, 1, -0.5, 2}) {
            refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "alpha", alpha), "alpha: must be in (0, 1)");
        }
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "alpha", null), "alpha: required");
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "learning_rate", 0), "learning_rate: must be > 0");
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "tau_max", -1), "tau_max: must be > 0");
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "log_every", 0), "log_every: must be > 0");
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "log_every", 2.5), "log_every: must be an integer");
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "resume_every", 0), "resume_every: must be >= 1");
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "checkpoints", 1), "checkpoints: must be >= 2");
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "uniform_checkpoints", -1), "uniform_checkpoints: must be >= 0");
        refused(DiagonalToyTrainTask.Config.class, with(TRAIN, "tau_max", 1e12), "tau_max: tau_max·log(1/alpha)/learning_rate = ");
        var p = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(DiagonalToyTrainTask.Config.class, with(TRAIN, "tau_max", 1e12)));
        assertTrue(p.getMessage().contains("steps exceeds " + DiagonalToyTrainTask.MAX_STEPS), p.getMessage());
        // just under the guard is accepted
        long steps = new RescaledTime(1e-8, 0.01).steps(3.5);
        assertTrue(steps <= DiagonalToyTrainTask.MAX_STEPS);
        assertEquals(steps, ParamsBinding.bind(DiagonalToyTrainTask.Config.class, TRAIN).time().steps(3.5));
    }

    @Test
    void analyzeChecks() {
        assertEquals(0.5, ParamsBinding.bind(DiagonalToyAnalyzeTask.Config.class, Map.of("numerical_rank_tol", 0.5)).numericalRankTol());
        for (double tol : new double[] {0, 1, -0.1}) {
            refused(DiagonalToyAnalyzeTask.Config.class, Map.of("numerical_rank_tol", tol), "numerical_rank_tol: must be in (0, 1)");
        }
    }

    @Test
    void perturbChecks() {
        for (String key : List.of("learning_rate", "tau_max", "inside_scale", "relax_tau", "start_scale", "lead_tau")) {
            refused(DiagonalToyPerturbTask.Config.class, with(PERTURB, key, 0.0), key + ": must be > 0");
            refused(DiagonalToyPerturbTask.Config.class, with(PERTURB, key, null), key + ": required");
        }
        refused(DiagonalToyPerturbTask.Config.class, with(PERTURB, "alpha", 1.0), "alpha: must be in (0, 1)");
        refused(DiagonalToyPerturbTask.Config.class, with(PERTURB, "inside_stage", 0), "inside_stage: must be >= 1");
        refused(DiagonalToyPerturbTask.Config.class, with(PERTURB, "start_stage", 0), "start_stage: must be >= 1");
        refused(DiagonalToyPerturbTask.Config.class, with(PERTURB, "record_every", 0), "record_every: must be >= 1");
        refused(DiagonalToyPerturbTask.Config.class, with(PERTURB, "perturb_seed", null), "perturb_seed: required");
        refused(DiagonalToyPerturbTask.Config.class, with(PERTURB, "learning_rate", 1e-5),
                "tau_max: tau_max·log(1/alpha)/learning_rate = " + new RescaledTime(1e-8, 1e-5).steps(2.2) + " steps exceeds 2000000");
        var experiment = ParamsBinding.bind(DiagonalToyPerturbTask.Config.class, PERTURB).experiment();
        assertEquals(new PerturbationExperiment.Config(new RescaledTime(1e-8, 0.01), 2.2, 2, 0.2, 0.15, 2, 0.3, 0.3, 0),
                experiment);
    }

    @Test
    void figureChecks() {
        refused(Boix2023Fig1Task.Config.class, Map.of("stage_tolerance", 0), "stage_tolerance: must be > 0");
        refused(Boix2023Fig1Task.Config.class, Map.of("plateau_tolerance", -0.1), "plateau_tolerance: must be > 0");
        for (double floor : new double[] {0, 1}) {
            refused(Boix2023Fig1Task.Config.class, Map.of("loss_floor_ratio", floor), "loss_floor_ratio: must be in (0, 1)");
        }
        for (String key : List.of("return_tolerance", "shape_tolerance", "align_window_tau")) {
            refused(Boix2023Fig2Task.Config.class, Map.of(key, 0.0), key + ": must be > 0");
        }
    }
}
