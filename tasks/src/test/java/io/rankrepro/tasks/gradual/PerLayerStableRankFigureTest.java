package io.rankrepro.tasks.gradual;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.rank.RankTables;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** boix2023/app on hand-written rank tables: one panel per layer, checks over every layer. */
class PerLayerStableRankFigureTest {
    @TempDir
    Path root;

    /** One seed's analyze + train folders: two layers, ΔPV growing in both, ΔKQ per {@code kq[layer][checkpoint]}. */
    private List<TaskInput> seed(long seed, double[][] kq) throws Exception {
        Map<String, Object> point = Map.of("dataset", "sklearn-digits", "seed_offset", seed);
        Path train = Files.createDirectories(root.resolve("train" + seed));
        Files.writeString(train.resolve("model.json"), "{\"model\":\"vit\",\"dataset\":\"sklearn-digits\",\"data\":\"proxy digits\","
                + "\"width\":16,\"heads\":2,\"layers\":2,\"init_scale\":1.0}");
        Path analyze = Files.createDirectories(root.resolve("analyze" + seed));
        StringBuilder layers = new StringBuilder("step,layer,product,which,metric,mean,std\n");
        long[] steps = {2, 30, 300, 600};
        for (int l = 0; l < 2; l++) {
            layers.append("0,").append(l).append(",KQ,delta,stable_rank,0.0,0.0\n");
            layers.append("0,").append(l).append(",PV,delta,stable_rank,0.0,0.0\n");
            for (int i = 0; i < steps.length; i++) {
                layers.append(steps[i]).append(',').append(l).append(",KQ,delta,stable_rank,").append(kq[l][i]).append(",0.1\n");
                layers.append(steps[i]).append(',').append(l).append(",PV,delta,stable_rank,").append(1 + i * 0.5).append(",0.1\n");
            }
        }
        Files.writeString(analyze.resolve(RankTables.BY_LAYER), layers.toString());
        return List.of(new TaskInput("train[seed_offset=" + seed + "]", "train", point, train),
                new TaskInput("analyze[seed_offset=" + seed + "]", "analyze", point, analyze));
    }

    private List<ClaimCheck> run(Task task, String spec, Params params, double[][] kq, String out) throws Exception {
        List<TaskInput> inputs = new java.util.ArrayList<>();
        for (long s = 0; s < 3; s++) {
            inputs.addAll(seed(s, kq));
        }
        GradualFixtures.assertOnlyDeclared(task, "train", inputs.get(0).dir());
        GradualFixtures.assertOnlyDeclared(task, "analyze", inputs.get(1).dir());
        Path dir = Files.createDirectories(root.resolve(out));
        task.run(new TaskContext("figure", "figure", new SpecInfo(spec, "t", "p", "d", "smoke", 0), params, Map.of(), inputs,
                dir, RunTracker.none(), Progress.none()));
        GradualFixtures.assertWritesDeclared(task, dir);
        return ClaimChecks.read(dir);
    }

    @Test
    void appCountsTheLayersWhoseRankTrendsUpOverSeeds() throws Exception {
        PerLayerStableRankFigure task = new PerLayerStableRankFigure();
        assertTrue(TaskKinds.discover().find(task.kind()).isPresent());
        Params params = Params.of("from_step", 25, "max_rank_fraction", 0.5);
        assertEquals(new PerLayerStableRankFigure.Config(25, 0.5), ParamsBinding.bind(PerLayerStableRankFigure.Config.class, params.asMap()));
        // from step 30: layer 1 ΔKQ grows 1.2 → 1.3 → 1.5, layer 2 ΔKQ falls 1.4 → 1.35 → 1.3; ΔPV grows in both: 3 of 4 pairs
        List<ClaimCheck> checks = run(task, "boix2023/app", params, new double[][] {{1.9, 1.2, 1.3, 1.5}, {1.1, 1.4, 1.35, 1.3}}, "grows");
        assertEquals(List.of("rank-grows-layers-vit"), checks.stream().map(ClaimCheck::id).toList());
        ClaimCheck c = checks.get(0);
        assertEquals(0.75, c.effect().estimate(), 1e-12);
        assertEquals(3, c.effect().seeds());
        assertTrue(c.passed(), c.measured());
        assertTrue(c.measured().contains("L1 ΔKQ 3/3, ΔPV 3/3; L2 ΔKQ 0/3, ΔPV 3/3"), c.measured());

        // both ΔKQ falling: 2 of 4 pairs, not above one half
        ClaimCheck half = run(task, "boix2023/app", params, new double[][] {{1.9, 1.6, 1.5, 1.4}, {1.1, 1.4, 1.35, 1.3}}, "half").get(0);
        assertEquals(0.5, half.effect().estimate(), 1e-12);
        assertFalse(half.passed(), half.measured());
        assertTrue(Files.isRegularFile(root.resolve("half/B-app-2.svg")) && !Files.exists(root.resolve("half/B-app-3.svg")));
    }

    @Test
    void fig3AsksTheTrendOfBothProductsOnItsLayer() throws Exception {
        StableRankCurvesFigure task = new StableRankCurvesFigure();
        Params params = Params.of("layer", 0, "from_step", 25);
        // layer 1: ΔKQ and ΔPV rise from step 30 on: ρ = 1 for both, every seed
        ClaimCheck up = run(task, "boix2023/fig3", params, new double[][] {{1.9, 1.2, 1.3, 1.5}, {1, 1, 1, 1}}, "up").get(0);
        assertEquals("rank-grows-vit", up.id());
        assertEquals(1.0, up.effect().estimate(), 1e-12);
        assertTrue(up.passed(), up.measured());
        // ΔKQ falls after step 30 (the high first checkpoint at step 2 is before from_step and left out): min ρ = −1
        ClaimCheck down = run(task, "boix2023/fig3", params, new double[][] {{0.5, 1.6, 1.5, 1.4}, {1, 1, 1, 1}}, "down").get(0);
        assertEquals(-1.0, down.effect().estimate(), 1e-12);
        assertFalse(down.passed(), down.measured());
        assertTrue(down.measured().contains("ΔKQ ρ = -1.00 over 3 checkpoints, 1.60 at step 30 → 1.40 at step 600"), down.measured());
    }
}
