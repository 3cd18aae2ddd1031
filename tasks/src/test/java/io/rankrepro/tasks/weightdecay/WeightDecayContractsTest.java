package io.rankrepro.tasks.weightdecay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.data.PreparedData;
import io.rankrepro.tasks.data.TokenStream;
import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.model.CausalDecoder;
import io.rankrepro.tasks.model.GptConfig;
import io.rankrepro.tasks.model.ModelParameters;
import io.rankrepro.tasks.model.TransformerConfig;
import io.rankrepro.tasks.rank.RankTables;
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
import io.rankrepro.tasks.train.TrainTask;
import io.rankrepro.tasks.train.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The weight-decay kinds' contracts: params bound by snake_case name (defaults, checks, misspellings
 * refused with the nearest name), and runs that see only the declared files of the declared stages
 * — as the runner will hand them — and write only declared outputs.
 */
class WeightDecayContractsTest {
    private static final RunTracker NO_TRACKING = RunTracker.none();
    private static final SpecInfo SPEC = new SpecInfo("t/t", "t", "paper", "data", "smoke", 0);
    private static final int D = 8;
    private static final int HEADS = 2;

    // ---- params ---------------------------------------------------------------------------------

    @Test
    void misspelledParamsAreRefusedWithTheNearestName() {
        var fig4 = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(Kobayashi2024Fig4Task.Config.class,
                Map.of("lambda_key", "weight_decay_attention", "check_lamda", 0.1, "max_median_relative_gap", 0.1)));
        assertTrue(fig4.problems().contains("check_lamda: unknown parameter (did you mean check_lambda?)"), fig4.problems().toString());
        assertTrue(fig4.problems().contains("check_lambda: required"), fig4.problems().toString());

        var balance = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(BalanceAnalyzeTask.Config.class, Map.of("all_checkpoint", true)));
        assertEquals(List.of("all_checkpoint: unknown parameter (did you mean all_checkpoints?)"), balance.problems());

        var camel = assertThrows(ParamsBinding.Problems.class,
                () -> ParamsBinding.bind(HeldOutPerplexityTask.Config.class, Map.of("batchSize", 8)));
        assertEquals(List.of("batchSize: unknown parameter (did you mean batch_size? spec params are snake_case)"), camel.problems());

        var tab1 = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(Kobayashi2024Tab1Task.Config.class,
                Map.of("attention_key", "weight_decay_attention", "mlp_kye", "weight_decay_mlp")));
        assertTrue(tab1.problems().contains("mlp_kye: unknown parameter (did you mean mlp_key?)"), tab1.problems().toString());
    }

    @Test
    void balanceAnalyzeDefaultsAndChecks(@TempDir Path dir) throws IOException {
        BalanceAnalyzeTask.Config c = ParamsBinding.bind(BalanceAnalyzeTask.Config.class, Map.of());
        assertNull(c.checkpoint());
        assertEquals(0, c.heads());
        assertFalse(c.allCheckpoints());
        assertEquals(List.of("checkpoint", "heads", "all_checkpoints"), ParamsBinding.names(BalanceAnalyzeTask.Config.class));

        assertProblem(BalanceAnalyzeTask.Config.class, Map.of("heads", -1), "heads: must be in [0, 4096]");
        assertProblem(BalanceAnalyzeTask.Config.class, Map.of("heads", 4097), "heads: must be in [0, 4096]");
        assertProblem(BalanceAnalyzeTask.Config.class, Map.of("heads", 2.5), "heads: must be an integer");
        assertProblem(BalanceAnalyzeTask.Config.class, Map.of("checkpoint", " "), "checkpoint: must be a .safetensors file or a folder of shards");
        assertProblem(BalanceAnalyzeTask.Config.class, Map.of("checkpoint", dir.resolve("missing").toString()), "checkpoint: ");
        assertProblem(BalanceAnalyzeTask.Config.class, Map.of("checkpoint", dir.resolve("missing").toString()), "does not exist");
        assertProblem(BalanceAnalyzeTask.Config.class, Map.of("all_checkpoints", "yes"), "all_checkpoints: must be true or false");

        Path file = Files.writeString(dir.resolve("model.safetensors"), "x");
        assertEquals(32, ParamsBinding.bind(BalanceAnalyzeTask.Config.class, Map.of("checkpoint", file.toString(), "heads", 32)).heads());
    }

    @Test
    void evaluateFigureAndTableChecks() {
        assertEquals(16, ParamsBinding.bind(HeldOutPerplexityTask.Config.class, Map.of()).batchSize());
        assertEquals(4096, ParamsBinding.bind(HeldOutPerplexityTask.Config.class, Map.of("batch_size", 4096)).batchSize());
        assertProblem(HeldOutPerplexityTask.Config.class, Map.of("batch_size", 0), "batch_size: must be in [1, 4096]");
        assertProblem(HeldOutPerplexityTask.Config.class, Map.of("batch_size", 4097), "batch_size: must be in [1, 4096]");
        assertProblem(HeldOutPerplexityTask.Config.class, Map.of("batch_size", "32"), "batch_size: must be an integer");

        Map<String, Object> fig3 = Map.of("lambda_key", "weight_decay_attention", "metric", "numerical_rank", "layers", List.of(2), "name", "fig3");
        Kobayashi2024Fig3Task.Config c3 = ParamsBinding.bind(Kobayashi2024Fig3Task.Config.class, fig3);
        assertEquals(List.of(2), c3.layers());
        assertEquals(List.of(), ParamsBinding.bind(Kobayashi2024Fig3Task.Config.class, with(fig3, "layers", List.of())).layers());
        for (String metric : Kobayashi2024Fig3Task.METRICS) {
            assertEquals(metric, ParamsBinding.bind(Kobayashi2024Fig3Task.Config.class, with(fig3, "metric", metric)).metric());
        }
        assertProblem(Kobayashi2024Fig3Task.Config.class, with(fig3, "name", "fig 3"), "name: letters, digits, _ and - only");
        assertProblem(Kobayashi2024Fig3Task.Config.class, with(fig3, "name", "../fig3"), "name: letters, digits, _ and - only");
        assertProblem(Kobayashi2024Fig3Task.Config.class, with(fig3, "metric", "rank"), "metric: must be one of");
        assertProblem(Kobayashi2024Fig3Task.Config.class, with(fig3, "layers", List.of(-1)), "layers: non-negative integers");
        assertProblem(Kobayashi2024Fig3Task.Config.class, with(fig3, "layers", List.of(1.5)), "layers: must be a list of integers");
        for (String required : List.of("lambda_key", "metric", "layers", "name")) {
            Map<String, Object> m = new LinkedHashMap<>(fig3);
            m.remove(required);
            assertProblem(Kobayashi2024Fig3Task.Config.class, m, required + ": required");
        }

        Map<String, Object> fig4 = Map.of("lambda_key", "weight_decay_attention", "check_lambda", 0, "max_median_relative_gap", 0.1);
        assertEquals(0.0, ParamsBinding.bind(Kobayashi2024Fig4Task.Config.class, fig4).checkLambda());
        assertEquals(1.0, ParamsBinding.bind(Kobayashi2024Fig4Task.Config.class, with(fig4, "max_median_relative_gap", 1)).maxMedianRelativeGap());
        assertProblem(Kobayashi2024Fig4Task.Config.class, with(fig4, "check_lambda", -0.1), "check_lambda: must be in [0, 100]");
        assertProblem(Kobayashi2024Fig4Task.Config.class, with(fig4, "check_lambda", 101), "check_lambda: must be in [0, 100]");
        assertProblem(Kobayashi2024Fig4Task.Config.class, with(fig4, "check_lambda", Double.NaN), "check_lambda: must be in [0, 100]");
        assertProblem(Kobayashi2024Fig4Task.Config.class, with(fig4, "max_median_relative_gap", 0), "max_median_relative_gap: must be > 0 and <= 1");
        assertProblem(Kobayashi2024Fig4Task.Config.class, with(fig4, "max_median_relative_gap", 1.5), "max_median_relative_gap: must be > 0 and <= 1");
        for (String required : List.of("lambda_key", "check_lambda", "max_median_relative_gap")) {
            Map<String, Object> m = new LinkedHashMap<>(fig4);
            m.remove(required);
            assertProblem(Kobayashi2024Fig4Task.Config.class, m, required + ": required");
        }

        Map<String, Object> tab1 = Map.of("attention_key", "weight_decay_attention", "mlp_key", "weight_decay_mlp");
        assertEquals("weight_decay_mlp", ParamsBinding.bind(Kobayashi2024Tab1Task.Config.class, tab1).mlpKey());
        assertProblem(Kobayashi2024Tab1Task.Config.class, Map.of("mlp_key", "weight_decay_mlp"), "attention_key: required");
        assertProblem(Kobayashi2024Tab1Task.Config.class, Map.of("attention_key", "weight_decay_attention"), "mlp_key: required");
        assertProblem(Kobayashi2024Tab1Task.Config.class, with(tab1, "mlp_key", 3), "mlp_key: must be a string");
    }

    // ---- contracts and runs ---------------------------------------------------------------------

    @Test
    void everyKindDeclaresAContract() {
        for (Task t : new WeightDecayTaskProvider().tasks()) {
            Contract c = t.contract();
            assertTrue(c != null && !c.outputs().isEmpty(), t.kind());
        }
        Contract balance = new BalanceAnalyzeTask().contract();
        assertTrue(balance.input("checkpoint").orElseThrow().optional(), "standalone balance/analyze has no upstream");
        assertEquals(List.of("checkpoints/"), balance.input("checkpoint").orElseThrow().files());
        Contract evaluate = new HeldOutPerplexityTask().contract();
        assertEquals(List.of("prepare", "train", "checkpoint"), evaluate.inputs().stream().map(Contract.Input::stage).toList());
        assertTrue(evaluate.inputs().stream().noneMatch(Contract.Input::optional));
    }

    @Test
    void standaloneBalanceHashesTheFileOrEveryShardAndFeedsFig4(@TempDir Path dir) throws Exception {
        Path file = writeLlama(dir.resolve("model.safetensors"), new Random(1), 0);
        Contract balance = new BalanceAnalyzeTask().contract();
        BalanceAnalyzeTask.Config c = ParamsBinding.bind(BalanceAnalyzeTask.Config.class, Map.of("checkpoint", file.toString(), "heads", HEADS));
        assertEquals(List.of(file), balance.external().apply(c));
        assertEquals(List.of(), balance.external().apply(ParamsBinding.bind(BalanceAnalyzeTask.Config.class, Map.of())));
        Path shards = Files.createDirectories(dir.resolve("shards"));
        Files.copy(file, shards.resolve("model-00002-of-00002.safetensors"));
        Files.copy(file, shards.resolve("model-00001-of-00002.safetensors"));
        Files.writeString(shards.resolve("config.json"), "{}");
        assertEquals(List.of(shards.resolve("model-00001-of-00002.safetensors"), shards.resolve("model-00002-of-00002.safetensors")),
                balance.external().apply(ParamsBinding.bind(BalanceAnalyzeTask.Config.class, Map.of("checkpoint", shards.toString()))));

        Path analyzed = run(new BalanceAnalyzeTask(), "analyze", Map.of("checkpoint", file.toString(), "heads", HEADS), Map.of(),
                List.of(), dir.resolve("analyze"));
        JsonNode source = new ObjectMapper().readTree(analyzed.resolve(BalanceAnalyzeTask.SOURCE).toFile());
        assertEquals(file.toString(), source.get("source").asText());
        assertEquals("[0]", source.get("steps").toString());
        assertEquals(1 + HEADS * 2, Files.readAllLines(analyzed.resolve(BalanceAnalyzeTask.TABLE)).size(), "one layer: a row per head and product");

        Kobayashi2024Fig4Task fig4 = new Kobayashi2024Fig4Task();
        Path figure = run(fig4, "figure", Map.of("lambda_key", "weight_decay_attention", "check_lambda", 0, "max_median_relative_gap", 0.1),
                Map.of(), List.of(declared(fig4.contract(), new TaskInput("analyze", "analyze", Map.of(), analyzed), dir.resolve("in"))),
                dir.resolve("figure"));
        assertTrue(Files.isRegularFile(figure.resolve("fig4.png")));
        assertTrue(ClaimChecks.read(figure).get(0).measured().startsWith(file.toString()), ClaimChecks.read(figure).toString());
    }

    @Test
    void balanceReadsTheCheckpointStageOnlyAndFig4GathersItsBranches(@TempDir Path dir) throws Exception {
        BalanceAnalyzeTask task = new BalanceAnalyzeTask();
        List<TaskInput> analyzed = new ArrayList<>();
        for (double lambda : new double[] {0, 1.0}) {
            Map<String, Object> point = Map.of("weight_decay_attention", lambda);
            String branch = "[weight_decay_attention=" + lambda + "]";
            Path verified = Files.createDirectories(dir.resolve("checkpoint" + branch).resolve("checkpoints"));
            for (int step : new int[] {0, 10, 20}) {
                writeLlama(verified.resolve(String.format("step_%09d.safetensors", step)), new Random(step), step);
            }
            Files.writeString(verified.getParent().resolve("checkpoints.json"), "{}");
            // a train output with checkpoints of its own: not declared, so never read
            Path train = Files.createDirectories(dir.resolve("train" + branch).resolve("checkpoints"));
            writeLlama(train.resolve("step_000000099.safetensors"), new Random(99), 99);
            List<TaskInput> inputs = List.of(
                    new TaskInput("train" + branch, "train", point, train.getParent()),
                    declared(task.contract(), new TaskInput("checkpoint" + branch, "checkpoint", point, verified.getParent()),
                            dir.resolve("in-analyze" + branch)));
            Path out = run(task, "analyze", Map.of("heads", HEADS), point, inputs, dir.resolve("analyze" + branch));
            JsonNode source = new ObjectMapper().readTree(out.resolve(BalanceAnalyzeTask.SOURCE).toFile());
            assertEquals("[0,20]", source.get("steps").toString(), "first and last of the checkpoint stage's, never train's step 99");
            assertEquals("upstream train checkpoints", source.get("source").asText());
            analyzed.add(new TaskInput("analyze" + branch, "analyze", point, out));

            Path all = run(task, "analyze", Map.of("heads", HEADS, "all_checkpoints", true), point, inputs, dir.resolve("all" + branch));
            assertEquals("[0,10,20]", new ObjectMapper().readTree(all.resolve(BalanceAnalyzeTask.SOURCE).toFile()).get("steps").toString());
        }

        Kobayashi2024Fig4Task fig4 = new Kobayashi2024Fig4Task();
        List<TaskInput> gathered = new ArrayList<>();
        for (TaskInput in : analyzed) {
            gathered.add(declared(fig4.contract(), in, dir.resolve("in-figure-" + gathered.size())));
        }
        Path figure = run(fig4, "figure", Map.of("lambda_key", "weight_decay_attention", "check_lambda", 1.0, "max_median_relative_gap", 0.1),
                Map.of(), gathered, dir.resolve("figure"));
        List<String> summary = Files.readAllLines(figure.resolve(Kobayashi2024Fig4Task.SUMMARY));
        assertEquals(1 + 2 * 2 * 2, summary.size(), "two runs × (init, final) × (KQ, PV)");
        assertTrue(summary.get(1).startsWith("λ_att = 0,0.0,0,KQ,"), summary.get(1));
        assertEquals("fig4-heads-balanced", ClaimChecks.read(figure).get(0).id());
    }

    @Test
    void evaluateReadsPrepareTrainAndTheLastVerifiedCheckpoint(@TempDir Path dir) throws Exception {
        HeldOutPerplexityTask task = new HeldOutPerplexityTask();
        GptConfig config = new GptConfig(16, 4, true, new TransformerConfig(8, 2, 1, 2, 1.0));
        Path verified = Files.createDirectories(dir.resolve("checkpoint/checkpoints"));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int step : new int[] {0, 10}) {
                CausalDecoder gpt = new CausalDecoder(config, new ModelParameters(m, DataType.FLOAT32, 3 + step, 1.0));
                TrainTask.writeCheckpoint(verified.resolve(String.format("step_%09d.safetensors", step)), gpt.parameters().arrays(),
                        Map.of("layout", "rankrepro", "model", "gpt", "heads", "2", "layers", "1", "init_scale", "1.0", "step", "" + step));
            }
        }
        Files.writeString(dir.resolve("checkpoint/checkpoints.json"), "{}");
        Path prepare = Files.createDirectories(dir.resolve("prepare"));
        Random r = new Random(5);
        int[] tokens = new int[101];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(16);
        }
        PreparedData.writeTokens(prepare, new PreparedData.Manifest("t", "t", "text", 0, 16, List.of(), tokens.length, "none"),
                new TokenStream("t", 16, tokens));
        Path train = Files.createDirectories(dir.resolve("train/checkpoints"));
        Files.writeString(train.getParent().resolve(CheckpointFiles.MODEL), "{\"model\": \"gpt\", \"holdout_fraction\": 0.2}");
        Files.copy(verified.resolve("step_000000000.safetensors"), train.resolve("step_000000020.safetensors")); // undeclared: never read
        Map<String, Object> point = Map.of("weight_decay_attention", 0.1);
        List<TaskInput> inputs = List.of(
                declared(task.contract(), new TaskInput("prepare", "prepare", Map.of(), prepare), dir.resolve("in/prepare")),
                declared(task.contract(), new TaskInput("train[x]", "train", point, train.getParent()), dir.resolve("in/train")),
                declared(task.contract(), new TaskInput("checkpoint[x]", "checkpoint", point, verified.getParent()), dir.resolve("in/checkpoint")));
        assertFalse(Files.exists(dir.resolve("in/train/checkpoints")), "only model.json of train is handed over");

        ObjectMapper json = new ObjectMapper();
        JsonNode batched = json.readTree(run(task, "evaluate", Map.of("batch_size", 3), point, inputs, dir.resolve("e3"))
                .resolve(HeldOutPerplexityTask.FILE).toFile());
        JsonNode single = json.readTree(run(task, "evaluate", Map.of("batch_size", 1), point, inputs, dir.resolve("e1"))
                .resolve(HeldOutPerplexityTask.FILE).toFile());
        assertEquals("step_000000010.safetensors", batched.get("checkpoint").asText());
        int start = TrainingData.heldOutStart(tokens.length, 0.2);
        assertEquals(tokens.length - start - 1, batched.get("test_tokens").asInt(), "every held-out token but the first is predicted once");
        assertTrue(batched.get("test_perplexity").asDouble() > 1, batched.toString());
        assertEquals(single.get("test_perplexity").asDouble(), batched.get("test_perplexity").asDouble(), 1e-5, "batching changes nothing");
        assertEquals(0.1, batched.get("sweep_point").get("weight_decay_attention").asDouble());
    }

    @Test
    void tab1ReadsTheEvaluateStage(@TempDir Path dir) throws Exception {
        Kobayashi2024Tab1Task task = new Kobayashi2024Tab1Task();
        List<TaskInput> inputs = new ArrayList<>();
        double[][] cells = {{0, 0.1, 0, 10.0}, {0, 0.1, 1, 10.2}, {1.0, 0.1, 0, 12.0}, {1.0, 0.1, 1, 12.4}};
        for (double[] cell : cells) {
            Map<String, Object> point = Map.of("weight_decay_attention", cell[0], "weight_decay_mlp", cell[1], "seed_offset", (int) cell[2]);
            Path out = Files.createDirectories(dir.resolve("evaluate" + inputs.size()));
            Files.writeString(out.resolve(HeldOutPerplexityTask.FILE), "{\"test_perplexity\": " + cell[3] + ", \"test_nll\": 2.3}");
            inputs.add(declared(task.contract(), new TaskInput("evaluate" + inputs.size(), "evaluate", point, out), dir.resolve("in" + inputs.size())));
        }
        Path out = run(task, "table", Map.of("attention_key", "weight_decay_attention", "mlp_key", "weight_decay_mlp"), Map.of(),
                inputs, dir.resolve("table"));
        Table table = Table.read(out.resolve("table.csv"));
        assertEquals(List.of("lambda_attention", "lambda_mlp", "mean_perplexity", "std_perplexity", "seeds"), table.columns());
        assertEquals(2, table.rows().size(), "one row per (λ_att, λ_MLP) cell, seeds pooled");
        assertEquals(List.of(0.0, 1.0), List.of(table.doubles("lambda_attention")[0], table.doubles("lambda_attention")[1]));
        assertEquals(10.1, table.doubles("mean_perplexity")[0], 1e-12);
        assertEquals(Math.sqrt(0.02), table.doubles("std_perplexity")[0], 1e-12); // sample std of 10.0, 10.2
        assertEquals(12.2, table.doubles("mean_perplexity")[1], 1e-12);
        assertEquals(Math.sqrt(0.08), table.doubles("std_perplexity")[1], 1e-12);
        assertEquals(2, table.doubles("seeds")[0]);
        assertTrue(ClaimChecks.read(out).get(0).passed(), ClaimChecks.read(out).toString());
    }

    /** The rank of one head's product in a fixture run, at a step. */
    private interface FixtureRank {
        int at(long seed, double lambda, int step, int head, String product);
    }

    /** Train and analyze inputs of a fig3 figure: 2 seeds × λ ∈ {0, 3}, 2 layers × 2 heads, ranks from {@code rank}. */
    private static List<TaskInput> fig3Inputs(Kobayashi2024Fig3Task task, Path dir, int[] steps, FixtureRank rank) throws Exception {
        List<TaskInput> inputs = new ArrayList<>();
        for (long seed : new long[] {0, 1}) {
            for (double lambda : new double[] {0, 3.0}) {
                Map<String, Object> point = Map.of("weight_decay_attention", lambda, "seed_offset", seed);
                String name = lambda + "-" + seed;
                Path train = Files.createDirectories(dir.resolve("train" + name));
                Files.writeString(train.resolve(CheckpointFiles.MODEL), "{\"model\": \"gpt\", \"layers\": 2, \"heads\": 2}");
                Files.writeString(train.resolve("loss.csv"), "step,loss\n");
                Path analyze = Files.createDirectories(dir.resolve("analyze" + name));
                StringBuilder ranks = new StringBuilder("step,which,layer,head,product,numerical_rank,stable_rank,effective_rank\n");
                for (int step : steps) {
                    for (int layer = 0; layer < 2; layer++) {
                        for (int head = 0; head < 2; head++) {
                            for (String product : List.of("KQ", "PV")) {
                                int r = rank.at(seed, lambda, step, head, product);
                                ranks.append(step).append(",current,").append(layer).append(',').append(head).append(',').append(product)
                                        .append(',').append(r).append(',').append(r / 2.0).append(',').append(r / 1.5).append('\n');
                                ranks.append(step).append(",delta,").append(layer).append(',').append(head).append(',').append(product)
                                        .append(",99,99,99\n");
                            }
                        }
                    }
                }
                Files.writeString(analyze.resolve(RankTables.RANKS), ranks.toString());
                Files.writeString(analyze.resolve(RankTables.SPECTRA), "");
                inputs.add(declared(task.contract(), new TaskInput("train" + name, "train", point, train), dir.resolve("in-train" + name)));
                inputs.add(declared(task.contract(), new TaskInput("analyze" + name, "analyze", point, analyze), dir.resolve("in-analyze" + name)));
            }
        }
        return inputs;
    }

    @Test
    void fig3PairsAnalyzeAndTrainInputsBySweepPointAndSeed(@TempDir Path dir) throws Exception {
        Kobayashi2024Fig3Task task = new Kobayashi2024Fig3Task();
        // seed 1's PV falls by one less: the statistic is the smaller drop
        List<TaskInput> inputs = fig3Inputs(task, dir, new int[] {0, 30}, (seed, lambda, step, head, product) ->
                step == 0 || lambda == 0 ? 8 : 2 + head + (seed == 1 && product.equals("PV") ? 1 : 0));
        Path out = run(task, "figure", Map.of("lambda_key", "weight_decay_attention", "metric", "numerical_rank", "layers", List.of(1),
                "name", "figA3"), Map.of(), inputs, dir.resolve("figure"));
        assertTrue(Files.isRegularFile(out.resolve("figA3.png")));
        var checks = ClaimChecks.read(out);
        assertEquals(List.of("figA3-rank-falls"), checks.stream().map(c -> c.id()).toList());
        assertEquals(List.of(5.5, 4.5), checks.get(0).effect().perSeed(), "8 − 2.5 for seed 0; 8 − 3.5 (PV) for seed 1");
        assertFalse(checks.get(0).passed(), "two seeds: t = 12.7 puts the interval of 5.5, 4.5 across 0");
        assertTrue(checks.get(0).measured().contains("seed 0: λ=0 8.00/4.00/5.33 | 8.00/4.00/5.33, λ=3 2.50/1.25/1.67"), checks.get(0).measured());
    }

    @Test
    void fig3EarlyClaimReadsTheFirstCheckpointAtOrAfterItsFractionOfTraining(@TempDir Path dir) throws Exception {
        Kobayashi2024Fig3Task task = new Kobayashi2024Fig3Task();
        // λ = 3 falls from 8 to 6 by step 20 and to 2 by step 100; step 5 (before 10%) has not moved yet
        List<TaskInput> inputs = fig3Inputs(task, dir, new int[] {0, 5, 20, 100}, (seed, lambda, step, head, product) ->
                lambda == 0 || step <= 5 ? 8 : step == 20 ? 6 - (int) seed : 2);
        Path out = run(task, "figure", Map.of("lambda_key", "weight_decay_attention", "metric", "numerical_rank", "layers", List.of(1),
                "name", "fig3", "claim_id", "fig3-lm-rank-falls", "early_claim_id", "fig3-lm-rank-falls-early", "early_fraction", 0.1),
                Map.of(), inputs, dir.resolve("figure"));
        var checks = ClaimChecks.read(out);
        assertEquals(List.of("fig3-lm-rank-falls", "fig3-lm-rank-falls-early"), checks.stream().map(c -> c.id()).toList());
        assertEquals(List.of(6.0, 6.0), checks.get(0).effect().perSeed());
        assertEquals(List.of(2.0, 3.0), checks.get(1).effect().perSeed(), "read at step 20, the first ≥ 10 (10% of 100)");
        assertTrue(checks.get(1).measured().contains("step 20 of 100"), checks.get(1).measured());
        assertTrue(checks.get(1).measured().contains("early drop / final drop per seed: 0.33, 0.50"), checks.get(1).measured());
        assertProblem(Kobayashi2024Fig3Task.Config.class, Map.of("lambda_key", "weight_decay_attention", "metric", "numerical_rank",
                "layers", List.of(1), "name", "fig3", "early_fraction", 0.0), "early_fraction: in (0, 1]");
    }

    @Test
    void fig3RankClaimFailsWhenOneSeedDoesNotFall() {
        TreeMap<Long, TreeMap<Double, Kobayashi2024Fig3Task.Run>> seeds = new TreeMap<>();
        for (long seed = 0; seed < 3; seed++) {
            for (double lambda : new double[] {0, 3}) {
                int top = seed == 2 ? 8 : 3;
                seeds.computeIfAbsent(seed, k -> new TreeMap<>()).put(lambda, new Kobayashi2024Fig3Task.Run("gpt", "adamw", seed, lambda, 1, 1,
                        Table.builder("step", "which", "layer", "head", "product", "numerical_rank", "stable_rank", "effective_rank")
                                .row(9, "current", 0, 0, "KQ", lambda == 0 ? 8 : top, 1, 1)
                                .row(9, "current", 0, 0, "PV", lambda == 0 ? 8 : top, 1, 1).build()));
            }
        }
        ClaimCheck c = Kobayashi2024Fig3Task.rankFalls("fig3-lm-rank-falls", "LM", seeds, List.of(0), "numerical_rank");
        assertEquals(List.of(5.0, 5.0, 0.0), c.effect().perSeed());
        assertTrue(!c.passed(), "5, 5, 0: the t interval reaches below 0");
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** Runs {@code task}; checks every file it wrote is among its contract's outputs. */
    private static Path run(Task task, String stage, Map<String, Object> params, Map<String, Object> point, List<TaskInput> inputs,
                            Path out) throws Exception {
        Files.createDirectories(out);
        task.run(new TaskContext(stage, stage, SPEC, new Params(params), point, inputs, out, NO_TRACKING, Progress.none()));
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = out.relativize(f).toString().replace('\\', '/');
                assertTrue(task.contract().writes(rel), task.kind() + " wrote undeclared " + rel);
            }
        }
        return out;
    }

    /** What the runner hands a task: a folder holding only the files its contract declares from {@code full}'s stage. */
    private static TaskInput declared(Contract contract, TaskInput full, Path to) throws IOException {
        Contract.Input wanted = contract.input(full.stage()).orElseThrow(() -> new AssertionError("stage " + full.stage() + " not declared"));
        for (String name : wanted.files()) {
            Path src = full.dir().resolve(name);
            if (name.endsWith("/")) {
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        Path target = to.resolve(full.dir().relativize(f).toString());
                        Files.createDirectories(target.getParent());
                        Files.copy(f, target);
                    }
                }
            } else {
                Files.createDirectories(to);
                Files.copy(src, to.resolve(name));
            }
        }
        return new TaskInput(full.taskId(), full.stage(), full.sweepPoint(), to);
    }

    /** A one-layer LLaMA-layout checkpoint (rows = out features) with Gaussian weights. */
    private static Path writeLlama(Path file, Random r, long step) throws IOException {
        List<SafetensorsTensor> tensors = new ArrayList<>();
        String base = "model.layers.0.self_attn.";
        for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
            double[] w = new double[D * D];
            for (int i = 0; i < w.length; i++) {
                w[i] = r.nextGaussian();
            }
            tensors.add(new SafetensorsTensor(base + proj + ".weight", SafetensorsDtype.F64, new long[] {D, D}, w));
        }
        Files.createDirectories(file.getParent());
        SafetensorsWriter.write(file, tensors, step == 0 ? Map.of() : Map.of("step", Long.toString(step)));
        return file;
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put(key, value);
        return m;
    }

    private static void assertProblem(Class<? extends Record> type, Map<String, ?> values, String expected) {
        var p = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, values), values.toString());
        assertTrue(p.problems().stream().anyMatch(s -> s.contains(expected)), "expected '" + expected + "' in " + p.problems());
        assertTrue(p.problems().stream().allMatch(s -> s.matches("^[a-z_]+: .*")), "each problem starts with its snake_case name: " + p.problems());
    }
}
