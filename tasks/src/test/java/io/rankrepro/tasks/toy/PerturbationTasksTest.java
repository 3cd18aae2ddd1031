package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prepare → perturb → boix2023/fig2 on the cpu teacher with a coarse step, through the task contract. */
class PerturbationTasksTest {
    private static final SpecInfo SPEC = new SpecInfo("boix2023/fig2", "assumptions on the toy",
            "Boix-Adsera et al. 2023, Figure 2", "synthetic", "smoke", 0);

    @TempDir
    static Path root;
    private static TaskInput perturb;
    private static TaskInput figure;

    /** Runs {@code task} as the runner will: params bound to its contract, only its declared inputs, only declared outputs. */
    private static TaskInput run(Task task, String id, Params params, List<TaskInput> inputs) throws Exception {
        Contract contract = task.contract();
        ParamsBinding.bind(contract.params(), params.asMap()); // throws ParamsBinding.Problems when refused
        Path out = Files.createDirectories(root.resolve(id));
        List<TaskInput> declared = ToyFixtures.declared(contract, inputs, root.resolve("inputs-of-" + id));
        task.run(new TaskContext(id, id, SPEC, params, Map.of(), declared, out, RunTracker.none(), Progress.none()));
        ToyFixtures.assertWritesDeclared(contract, out);
        return new TaskInput(id, id, Map.of(), out);
    }

    @BeforeAll
    static void pipeline() throws Exception {
        TaskInput prepare = run(new DiagonalToyPrepareTask(), "prepare", Params.of("tokens", 4, "samples", 64,
                "teacher_kq", List.of(0.5, 0.0, 0.0, -1.0, 0.0), "teacher_vo", List.of(1.2, 0.0, -0.5, 0.0, 0.0)), List.of());
        perturb = run(new DiagonalToyPerturbTask(), "perturb", Params.of("alpha", 1e-8, "learning_rate", 0.04, "tau_max", 2.2,
                "inside_stage", 2, "inside_scale", 0.2, "relax_tau", 0.15, "start_stage", 2, "start_scale", 0.3, "lead_tau", 0.3,
                "perturb_seed", 0, "record_every", 1), List.of(prepare));
        figure = run(new Boix2023Fig2Task(), "figure", Params.of("return_tolerance", 0.01, "shape_tolerance", 0.02,
                "align_window_tau", 0.15), List.of(prepare, perturb));
    }

    @Test
    void kindsAreRegistered() {
        TaskKinds kinds = TaskKinds.discover();
        assertTrue(kinds.find(DiagonalToyPerturbTask.KIND).isPresent());
        assertTrue(kinds.find(Boix2023Fig2Task.KIND).isPresent());
    }

    @Test
    void insidePerturbationHitsOnlyTheActiveCoordinatesOnTheirPlateau() throws Exception {
        PerturbationRecord r = PerturbationRecord.read(perturb.dir().resolve(DiagonalToyPerturbTask.RECORD));
        PerturbationRecord.Run inside = r.run("inside");
        assertEquals(List.of("kq[0]", "vo[0]"), inside.perturbed(), "stage 2 of this teacher has vo[0] then kq[0] on");
        double[] switchOn = r.switchOnTimes();
        assertTrue(switchOn[2] < inside.tau() && inside.tau() + inside.window() < switchOn[3],
                "τ = " + inside.tau() + " must lie on stage 2's plateau " + switchOn[2] + ".." + switchOn[3]);
        assertEquals(10, r.run("start").perturbed().size(), "the start perturbation moves every coordinate");
        assertTrue(r.run("start").tau() < switchOn[2] && r.run("start").tau() > switchOn[1]);

        Map<String, ProductPath> paths = ProductPathTable.read(perturb.dir().resolve(DiagonalToyPerturbTask.PATHS));
        ProductPath base = paths.get("unperturbed");
        ProductPath kicked = paths.get("inside");
        double[] u = base.at(kicked.start());
        // only kq[0] (index 0) and vo[0] (index 5) differ at the perturbation; every other entry is untouched
        assertTrue(u[0] != kicked.valueAt(0, 0) && u[5] != kicked.valueAt(0, 5));
        for (int c = 0; c < 10; c++) {
            if (c != 0 && c != 5) {
                assertEquals(u[c], kicked.valueAt(0, c), 0.0, "entry " + c);
            }
        }
    }

    @Test
    void perturbedRunsReturnAndKeepTheirShapeAndTheFigureSaysSo() throws Exception {
        List<ClaimCheck> checks = ClaimChecks.read(figure.dir());
        assertEquals(List.of("returns-to-plateau", "same-nonlinear-evolution"), checks.stream().map(ClaimCheck::id).toList());
        Map<String, ProductPath> paths = ProductPathTable.read(perturb.dir().resolve(DiagonalToyPerturbTask.PATHS));
        PerturbationChecks.Return back = PerturbationChecks.returnToPlateau(paths.get("unperturbed"), paths.get("inside"), 0.15);
        assertTrue(back.relaxed() < back.initial() / 5, "the kick relaxes: " + back);
        assertEquals(back.relaxed() <= 0.01, checks.get(0).passed());
        assertTrue(checks.get(0).measured().contains(String.format(java.util.Locale.ROOT, "%.4g", back.relaxed())),
                checks.get(0).measured());
        for (String f : List.of("fig2.png", "fig2.svg", "figure-data.csv")) {
            assertTrue(Files.size(figure.dir().resolve(f)) > 1000, f);
        }
        Table data = Table.read(figure.dir().resolve("figure-data.csv"));
        assertEquals(List.of("a", "b", "c", "d"), data.strings("panel").stream().distinct().toList());
        assertTrue(Files.readString(figure.dir().resolve("fig2.svg")).contains("profile smoke"));
    }

    @Test
    void aContinuationFromUnperturbedWeightsRetracesTheRunExactly() throws Exception {
        ToyDataset data = ToyFixtures.data(16);
        RescaledTime time = new RescaledTime(1e-3, 0.05);
        RecordedTrajectory base = RecordedTrajectory.train(data, DiagonalHeadWeights.smallInit(5, 1e-3), 0, 60, time);
        RecordedTrajectory again = RecordedTrajectory.train(data, base.at(25), 25, 35, time);
        assertEquals(60, again.lastStep());
        assertArrayEquals(base.at(60).products(), again.at(60).products(), 0.0);
        assertEquals(time.tau(40), again.products().tauAt(15), 0.0);
    }
}
