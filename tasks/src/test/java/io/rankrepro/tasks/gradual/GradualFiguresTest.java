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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The boix2023 figure kinds' params records, contracts, and the pairing of analyze with train inputs. */
class GradualFiguresTest {
    private static final String LAYER_HEADER = "step,layer,product,which,metric,mean,std\n";
    private static final String SPECTRA_HEADER = "step,layer,head,product,which,index,sigma\n";

    @TempDir
    Path root;

    @Test
    void defaultsAreTheOldFallbacks() {
        assertEquals(new StableRankCurvesFigure.Config(0, 0.5, 0), ParamsBinding.bind(StableRankCurvesFigure.Config.class, Map.of()));
        assertEquals(new PerLayerStableRankFigure.Config(0, 0.5), ParamsBinding.bind(PerLayerStableRankFigure.Config.class, Map.of()));
        assertEquals(new InitVersusLearnedSpectrumFigure.Config(List.of(0), 0.5, List.of(0.1, 0.3, 1.0)),
                ParamsBinding.bind(InitVersusLearnedSpectrumFigure.Config.class, Map.of()));
        assertEquals(new InitScaleTrajectoriesFigure.Config(1, 0, 0.25, 0.5), ParamsBinding.bind(InitScaleTrajectoriesFigure.Config.class, Map.of()));
        assertEquals(new RankVersusInitScaleFigure.Config(List.of(0)), ParamsBinding.bind(RankVersusInitScaleFigure.Config.class, Map.of()));
        // the shipped specs' figure params bind
        assertEquals(new StableRankCurvesFigure.Config(1, 0.5, 25), ParamsBinding.bind(StableRankCurvesFigure.Config.class,
                Map.of("layer", 1, "max_rank_fraction", 0.5, "from_step", 25)));
        assertEquals(new InitVersusLearnedSpectrumFigure.Config(List.of(0, 2, 4), 0.5, List.of(0.1, 1.0)),
                ParamsBinding.bind(InitVersusLearnedSpectrumFigure.Config.class,
                Map.of("layers", List.of(0, 2, 4), "max_rank_ratio", 0.5, "spectra_at", List.of(0.1, 1.0))));
    }

    @Test
    void everyOldValidateCheckStillRefusesNamingTheParameter() {
        refuses(StableRankCurvesFigure.Config.class, Map.of("layer", -1), "layer");
        refuses(StableRankCurvesFigure.Config.class, Map.of("from_step", -1), "from_step");
        refuses(StableRankCurvesFigure.Config.class, Map.of("max_rank_fraction", 0), "max_rank_fraction");
        refuses(StableRankCurvesFigure.Config.class, Map.of("max_rank_fraction", 1.01), "max_rank_fraction");
        ParamsBinding.bind(StableRankCurvesFigure.Config.class, Map.of("max_rank_fraction", 1, "layer", 0, "from_step", 0));

        refuses(PerLayerStableRankFigure.Config.class, Map.of("from_step", -1), "from_step");
        refuses(PerLayerStableRankFigure.Config.class, Map.of("max_rank_fraction", -0.5), "max_rank_fraction");
        refuses(PerLayerStableRankFigure.Config.class, Map.of("max_rank_fraction", 2), "max_rank_fraction");

        refuses(InitVersusLearnedSpectrumFigure.Config.class, Map.of("layers", List.of(0, -1)), "layers");
        refuses(InitVersusLearnedSpectrumFigure.Config.class, Map.of("layers", List.of(0, 1.5)), "layers");
        refuses(InitVersusLearnedSpectrumFigure.Config.class, Map.of("max_rank_ratio", 0), "max_rank_ratio");
        refuses(InitVersusLearnedSpectrumFigure.Config.class, Map.of("max_rank_ratio", 1.5), "max_rank_ratio");

        refuses(InitScaleTrajectoriesFigure.Config.class, Map.of("layer", -1), "layer");
        refuses(InitScaleTrajectoriesFigure.Config.class, Map.of("head", -1), "head");
        refuses(InitScaleTrajectoriesFigure.Config.class, Map.of("onset_fraction", 0), "onset_fraction");
        refuses(InitScaleTrajectoriesFigure.Config.class, Map.of("onset_fraction", 1), "onset_fraction");
        refuses(InitScaleTrajectoriesFigure.Config.class, Map.of("max_rank_ratio", 0), "max_rank_ratio");
        refuses(InitVersusLearnedSpectrumFigure.Config.class, Map.of("spectra_at", List.of(0.0)), "spectra_at");
        refuses(InitVersusLearnedSpectrumFigure.Config.class, Map.of("spectra_at", List.of(1.5)), "spectra_at");

        refuses(RankVersusInitScaleFigure.Config.class, Map.of("layers", List.of(-2)), "layers");
        refuses(RankVersusInitScaleFigure.Config.class, Map.of("layers", List.of(0.5)), "layers");
    }

    @Test
    void aMisspelledParamIsRefusedWithTheNearestName() {
        var p = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(StableRankCurvesFigure.Config.class,
                Map.of("layer", 1, "max_rank_fracton", 0.5)));
        assertEquals(List.of("max_rank_fracton: unknown parameter (did you mean max_rank_fraction?)"), p.problems());
        var camel = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(InitScaleTrajectoriesFigure.Config.class,
                Map.of("onsetFraction", 0.3)));
        assertEquals(List.of("onsetFraction: unknown parameter (did you mean onset_fraction? spec params are snake_case)"), camel.problems());
    }

    @Test
    void eachFigureDeclaresTheOneRankTableItReadsAndTheTrainModel() {
        Map<Task, String> tables = Map.of(new StableRankCurvesFigure(), RankTables.BY_LAYER, new PerLayerStableRankFigure(), RankTables.BY_LAYER,
                new RankVersusInitScaleFigure(), RankTables.BY_LAYER, new InitVersusLearnedSpectrumFigure(), RankTables.SPECTRA,
                new InitScaleTrajectoriesFigure(), RankTables.SPECTRA);
        Map<String, String> figure = Map.of("boix2023/fig3", "B-fig3", "boix2023/app", "B-app", "boix2023/rank-vs-scale", "B-rank-vs-scale",
                "boix2023/fig4", "B-fig4", "boix2023/fig5", "B-fig5");
        tables.forEach((task, table) -> {
            var contract = task.contract();
            assertEquals(List.of("analyze", "train"), contract.inputs().stream().map(i -> i.stage()).toList(), task.kind());
            assertEquals(List.of(table), contract.input("analyze").orElseThrow().files(), task.kind());
            assertEquals(List.of("model.json"), contract.input("train").orElseThrow().files(), task.kind());
            assertFalse(contract.inputs().stream().anyMatch(i -> i.optional()), task.kind());
            String name = figure.get(task.kind());
            assertTrue(contract.writes(name + ".png") && contract.writes(name + "-1.svg") && contract.writes(name + "-12.svg")
                    && contract.writes("checks.json"), task.kind());
            assertFalse(contract.writes(name + ".svg") || contract.writes("model.json"), task.kind());
        });
    }

    @Test
    void rankVersusScalePairsEachAnalysisWithTheTrainingOfItsSweepPoint() throws Exception {
        RankVersusInitScaleFigure task = new RankVersusInitScaleFigure();
        Map<String, Object> small = Map.of("init_scale", 0.1);
        Map<String, Object> large = Map.of("init_scale", 1.0);
        Path trainSmall = GradualFixtures.train(root.resolve("train-small"), "sklearn-digits", 0.1, 8, 2, 1);
        Path trainLarge = GradualFixtures.train(root.resolve("train-large"), "sklearn-digits", 1.0, 8, 2, 1);
        Path analyzeSmall = byLayer(root.resolve("analyze-small"), 1.0, 1.5);
        Path analyzeLarge = byLayer(root.resolve("analyze-large"), 3.0, 1.2);
        Path prepare = Files.createDirectories(root.resolve("prepare"));
        for (Path d : List.of(trainSmall, trainLarge)) {
            GradualFixtures.assertOnlyDeclared(task, "train", d);
        }
        for (Path d : List.of(analyzeSmall, analyzeLarge)) {
            GradualFixtures.assertOnlyDeclared(task, "analyze", d);
        }
        Path out = Files.createDirectories(root.resolve("figure"));
        // plan order scrambled: pairing is by sweep point, not by position; other stages are ignored
        task.run(context("boix2023/rank-vs-scale", Params.of("layers", List.of(0)), List.of(
                new TaskInput("analyze[init_scale=1.0]", "analyze", large, analyzeLarge),
                new TaskInput("prepare", "prepare", Map.of(), prepare),
                new TaskInput("train[init_scale=0.1]", "train", small, trainSmall),
                new TaskInput("analyze[init_scale=0.1]", "analyze", small, analyzeSmall),
                new TaskInput("train[init_scale=1.0]", "train", large, trainLarge)), out));

        List<ClaimCheck> checks = ClaimChecks.read(out);
        assertEquals(List.of("smaller-scale-lower-rank"), checks.stream().map(ClaimCheck::id).toList());
        // one seed: (3.0 − 1.0 + 1.2 − 1.5) / 2 = 0.85 > 0, but one seed bounds nothing, so it is not counted as reproduced
        ClaimCheck c = checks.get(0);
        assertEquals(0.85, c.effect().estimate(), 1e-12);
        assertFalse(c.passed(), c.measured());
        assertTrue(c.measured().contains("L1 ΔKQ 1.00 vs 3.00 L1 ΔPV 1.50 vs 1.20"), c.measured());
        GradualFixtures.assertWritesDeclared(task, out);
    }

    @Test
    void aGatherWithoutTheTrainingOfASweepPointFailsNamingIt() throws Exception {
        Path analyze = byLayer(root.resolve("analyze"), 1.0, 1.0);
        Path train = GradualFixtures.train(root.resolve("train"), "sklearn-digits", 0.1, 8, 2, 1);
        Path out = Files.createDirectories(root.resolve("figure"));
        var e = assertThrows(IllegalStateException.class, () -> new RankVersusInitScaleFigure().run(context("boix2023/rank-vs-scale",
                Params.of(), List.of(new TaskInput("analyze[init_scale=0.3]", "analyze", Map.of("init_scale", 0.3), analyze),
                        new TaskInput("train[init_scale=0.1]", "train", Map.of("init_scale", 0.1), train)), out)));
        assertTrue(e.getMessage().contains("expects one 'train' input at sweep point {init_scale=0.3}"), e.getMessage());
    }

    @Test
    void fig5ComparesTheOnsetRatioOfTheScalesPairedBySeed() throws Exception {
        InitScaleTrajectoriesFigure task = new InitScaleTrajectoriesFigure();
        List<TaskInput> inputs = new java.util.ArrayList<>();
        // small scale: σ_1 grows first, σ_2 later (σ_2/σ_1 = 0.1/3 at onset); large scale: together (σ_2/σ_1 = 1.5/2)
        double[][] oneByOne = {{3, 0.1, 0.1, 0.1}, {4, 1.5, 0.2, 0.1}, {4, 2, 1, 0.5}};
        double[][] together = {{2, 1.5, 0.6, 0.3}, {3, 2, 1, 0.5}, {4, 2, 1, 0.5}};
        for (long seed = 0; seed < 3; seed++) {
            for (double scale : new double[] {0.1, 1.0}) {
                Map<String, Object> point = Map.of("init_scale", scale, "seed_offset", seed);
                String label = "[init_scale=" + scale + ",seed_offset=" + seed + "]";
                Path train = GradualFixtures.train(root.resolve("train" + label), "sklearn-digits", scale, 4, 1, 1);
                Path analyze = spectra(root.resolve("analyze" + label), scale < 1 ? oneByOne : together);
                inputs.add(new TaskInput("train" + label, "train", point, train));
                inputs.add(new TaskInput("analyze" + label, "analyze", point, analyze));
            }
        }
        GradualFixtures.assertOnlyDeclared(task, "analyze", inputs.get(1).dir());
        GradualFixtures.assertOnlyDeclared(task, "train", inputs.get(0).dir());
        Path out = Files.createDirectories(root.resolve("figure"));
        task.run(context("boix2023/fig5", Params.of("layer", 0, "head", 0, "onset_fraction", 0.25), inputs, out));

        List<ClaimCheck> checks = ClaimChecks.read(out);
        assertEquals(List.of("incremental-sharper-small-scale", "low-rank-all-scales"), checks.stream().map(ClaimCheck::id).toList());
        ClaimCheck sharper = checks.get(0);
        assertEquals(1.5 / 2 - 0.1 / 3, sharper.effect().estimate(), 1e-12);
        assertEquals(3, sharper.effect().seeds());
        assertTrue(sharper.passed(), sharper.measured());
        // final Δ spectrum (4, 2, 1, 0.5): sr = 21.25/16 = 1.328; init (1, 1, 1, 1): sr 4; ratio 0.332 < 0.5 at both scales
        ClaimCheck low = checks.get(1);
        assertEquals(1 - 21.25 / 16 / 4, low.effect().estimate(), 1e-12);
        assertTrue(Files.isRegularFile(out.resolve("B-fig5-4.svg")) && !Files.exists(out.resolve("B-fig5-5.svg")));
        GradualFixtures.assertWritesDeclared(task, out);

        // the other way round (large scale one by one, small together): the claim does not reproduce
        Path swapped = Files.createDirectories(root.resolve("figure-swapped"));
        List<TaskInput> reversed = inputs.stream().map(in -> {
            Object scale = in.sweepPoint().get("init_scale");
            String other = (double) scale < 1 ? in.taskId().replace("0.1", "1.0") : in.taskId().replace("1.0", "0.1");
            return inputs.stream().filter(x -> x.taskId().equals(other)).findFirst().map(x -> new TaskInput(in.taskId(), in.stage(),
                    in.sweepPoint(), in.stage().equals("analyze") ? x.dir() : in.dir())).orElseThrow();
        }).toList();
        task.run(context("boix2023/fig5", Params.of("layer", 0, "head", 0), reversed, swapped));
        ClaimCheck flipped = ClaimChecks.read(swapped).get(0);
        assertEquals(-(1.5 / 2 - 0.1 / 3), flipped.effect().estimate(), 1e-12);
        assertFalse(flipped.passed(), flipped.measured());
    }

    @Test
    void fig4TakesTheMedianHeadRatioPerSeed() throws Exception {
        InitVersusLearnedSpectrumFigure task = new InitVersusLearnedSpectrumFigure();
        List<TaskInput> inputs = new java.util.ArrayList<>();
        // three heads per seed; init spectrum (1, 0.9, 0.8, 0.7): sr = 2.94; Δ spectra of sr 1.0001, 1.33, 4
        double[][] deltas = {{1, 0.01, 0.001, 0.0001}, {4, 2, 1, 0.5}, {1, 1, 1, 1}};
        for (long seed = 0; seed < 3; seed++) {
            Map<String, Object> point = Map.of("seed_offset", seed);
            Path train = GradualFixtures.train(root.resolve("train" + seed), "sklearn-digits", 1.0, 12, 3, 1);
            Path analyze = Files.createDirectories(root.resolve("analyze" + seed));
            StringBuilder s = new StringBuilder(SPECTRA_HEADER);
            double[] init = {1, 0.9, 0.8, 0.7};
            for (int h = 0; h < 3; h++) {
                for (int i = 0; i < 4; i++) {
                    s.append("0,0,").append(h).append(",KQ,init,").append(i).append(',').append(init[i]).append('\n');
                    s.append("0,0,").append(h).append(",KQ,delta,").append(i).append(",0.0\n");
                    s.append("50,0,").append(h).append(",KQ,delta,").append(i).append(',').append(deltas[h][i]).append('\n');
                    s.append("50,0,").append(h).append(",KQ,current,").append(i).append(",1.0\n"); // ignored by the figures
                }
            }
            Files.writeString(analyze.resolve(RankTables.SPECTRA), s.toString());
            inputs.add(new TaskInput("train[seed_offset=" + seed + "]", "train", point, train));
            inputs.add(new TaskInput("analyze[seed_offset=" + seed + "]", "analyze", point, analyze));
        }
        GradualFixtures.assertOnlyDeclared(task, "analyze", inputs.get(1).dir());
        Path out = Files.createDirectories(root.resolve("figure"));
        task.run(context("boix2023/fig4", Params.of("layers", List.of(0), "max_rank_ratio", 0.5, "spectra_at", List.of(1.0)), inputs, out));

        List<ClaimCheck> checks = ClaimChecks.read(out);
        assertEquals(List.of("delta-lower-rank"), checks.stream().map(ClaimCheck::id).toList());
        double srInit = (1 + 0.81 + 0.64 + 0.49) / 1.0;
        double median = (21.25 / 16) / srInit; // the middle head
        ClaimCheck c = checks.get(0);
        assertEquals(1 - median, c.effect().estimate(), 1e-9);
        assertEquals(3, c.effect().seeds());
        assertTrue(c.passed(), c.measured()); // identical seeds: a zero-width interval above 0.5
        GradualFixtures.assertWritesDeclared(task, out);

        // a stricter ratio (0.4 < the median 0.452) does not reproduce
        Path strict = Files.createDirectories(root.resolve("figure-strict"));
        task.run(context("boix2023/fig4", Params.of("layers", List.of(0), "max_rank_ratio", 0.4), inputs, strict));
        assertFalse(ClaimChecks.read(strict).get(0).passed());
    }

    private static TaskContext context(String spec, Params params, List<TaskInput> inputs, Path out) {
        return new TaskContext("figure", "figure", new SpecInfo(spec, "t", "p", "d", "smoke", 0), params, Map.of(), inputs, out,
                RunTracker.none(), Progress.none());
    }

    private static void refuses(Class<? extends Record> config, Map<String, ?> values, String param) {
        var p = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(config, values), config + " " + values);
        assertTrue(p.problems().stream().anyMatch(m -> m.startsWith(param + ":")), p.problems().toString());
    }

    /** ranks_by_layer.csv of a one-layer model: Δ stable rank 0 at step 0, then the given final means (std 0.1). */
    private static Path byLayer(Path dir, double finalKq, double finalPv) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(RankTables.BY_LAYER), LAYER_HEADER
                + "0,0,KQ,delta,stable_rank,0.0,0.0\n0,0,PV,delta,stable_rank,0.0,0.0\n"
                + "10,0,KQ,delta,stable_rank,0.5,0.1\n10,0,PV,delta,stable_rank,0.5,0.1\n"
                + "100,0,KQ,delta,stable_rank," + finalKq + ",0.1\n100,0,PV,delta,stable_rank," + finalPv + ",0.1\n");
        return dir;
    }

    /** spectra.csv of layer 0, head 0: Δ = 0 at step 0, then {@code delta} rows at steps 10, 100, 1000, the same for KQ and PV. */
    private static Path spectra(Path dir, double[][] delta) throws Exception {
        Files.createDirectories(dir);
        StringBuilder s = new StringBuilder(SPECTRA_HEADER);
        long[] steps = {10, 100, 1000};
        for (String product : List.of("KQ", "PV")) {
            for (int i = 0; i < 4; i++) {
                s.append("0,0,0,").append(product).append(",delta,").append(i).append(",0.0\n");
                s.append("0,0,0,").append(product).append(",init,").append(i).append(",1.0\n");
            }
            for (int k = 0; k < steps.length; k++) {
                for (int i = 0; i < 4; i++) {
                    s.append(steps[k]).append(",0,0,").append(product).append(",delta,").append(i).append(',').append(delta[k][i]).append('\n');
                }
            }
        }
        Files.writeString(dir.resolve(RankTables.SPECTRA), s.toString());
        return dir;
    }
}
