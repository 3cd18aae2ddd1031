package io.rankrepro.tasks.gradual;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.rank.RankTables;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
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

    @Test
    void checksEveryLayerAndDrawsOnePanelPerLayer() throws Exception {
        Map<String, Object> point = Map.of("dataset", "sklearn-digits");
        Path train = Files.createDirectories(root.resolve("train"));
        Files.writeString(train.resolve("model.json"), "{\"model\":\"vit\",\"dataset\":\"sklearn-digits\",\"data\":\"proxy digits\","
                + "\"width\":16,\"heads\":2,\"layers\":2,\"init_scale\":1.0}");
        Path analyze = Files.createDirectories(root.resolve("analyze"));
        StringBuilder layers = new StringBuilder("step,layer,product,which,metric,mean,std\n");
        // layer 1: KQ 1.9 (step 2) → 1.2 (step 30) → 1.5; layer 2: KQ 1.1 → 1.4 → 1.3; PV grows in both
        double[][] kq = {{1.9, 1.2, 1.5}, {1.1, 1.4, 1.3}};
        long[] steps = {2, 30, 600};
        for (int l = 0; l < 2; l++) {
            layers.append("0,").append(l).append(",KQ,delta,stable_rank,0.0,0.0\n");
            layers.append("0,").append(l).append(",PV,delta,stable_rank,0.0,0.0\n");
            for (int i = 0; i < 3; i++) {
                layers.append(steps[i]).append(',').append(l).append(",KQ,delta,stable_rank,").append(kq[l][i]).append(",0.1\n");
                layers.append(steps[i]).append(',').append(l).append(",PV,delta,stable_rank,").append(1 + i * 0.5).append(",0.1\n");
            }
        }
        Files.writeString(analyze.resolve(RankTables.BY_LAYER), layers.toString());
        Path out = Files.createDirectories(root.resolve("figure"));
        PerLayerStableRankFigure task = new PerLayerStableRankFigure();
        assertTrue(TaskKinds.discover().find(task.kind()).isPresent());
        Params params = Params.of("from_step", 25, "max_rank_fraction", 0.5);
        assertEquals(new PerLayerStableRankFigure.Config(25, 0.5), ParamsBinding.bind(PerLayerStableRankFigure.Config.class, params.asMap()));
        GradualFixtures.assertOnlyDeclared(task, "train", train);
        GradualFixtures.assertOnlyDeclared(task, "analyze", analyze);
        task.run(new TaskContext("figure", "figure", new SpecInfo("boix2023/app", "t", "p", "d", "smoke", 0), params, Map.of(),
                List.of(new TaskInput("train", "train", point, train), new TaskInput("analyze", "analyze", point, analyze)),
                out, RunTracker.none(), Progress.none()));

        List<ClaimCheck> checks = ClaimChecks.read(out);
        assertEquals(List.of("rank-grows-every-layer-KQ-sklearn-digits", "rank-grows-every-layer-PV-sklearn-digits",
                "rank-stays-low-every-layer-KQ-sklearn-digits"), checks.stream().map(ClaimCheck::id).toList());
        // from step 30: layer 1 grows 1.2 → 1.5, layer 2 falls 1.4 → 1.3
        assertFalse(checks.get(0).passed());
        assertTrue(checks.get(0).measured().startsWith("grew in 1 of 2 layers"), checks.get(0).measured());
        assertTrue(checks.get(0).measured().contains("L1 1.20→1.50") && checks.get(0).measured().contains("L2 1.40→1.30"));
        assertTrue(checks.get(1).passed(), checks.get(1).measured());
        // d_h = 16/2 = 8: finals 1.5 and 1.3 are below 4
        assertTrue(checks.get(2).passed());
        assertTrue(checks.get(2).measured().contains("L1 1.50; L2 1.30; d_h = 8"), checks.get(2).measured());
        assertTrue(Files.size(out.resolve("B-app.png")) > 1000);
        assertTrue(Files.isRegularFile(out.resolve("B-app-2.svg")) && !Files.exists(out.resolve("B-app-3.svg")));
        GradualFixtures.assertWritesDeclared(task, out);
    }
}
