package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.rank.RankTables;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import org.knowm.xchart.XYChart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code kobayashi2024/fig3} (gather over {@code rank/analyze} outputs swept over attention weight
 * decay): the rank of each head's W_KᵀW_Q (KQ) and P W_Vᵀ (PV) at the final checkpoint vs λ_attention.
 * For GPT runs, per-head ranks in the layers of param {@code layers} (Fig. 3 left: one layer; Fig. A3:
 * others); for ViT runs, the mean over all heads and layers (Fig. 3 right). Reads each branch's
 * {@code analyze} {@code ranks.csv} and its {@code train} {@code model.json}, paired by sweep point.
 * Params: {@link Config} — {@code metric}: a column of {@code ranks.csv} ({@code numerical_rank},
 * {@code stable_rank}, …); {@code name}: the output file name ({@code fig3} or {@code figA3});
 * {@code lambda_key}: the swept parameter.
 *
 * <p>Check per model and product: the head-mean rank at the largest λ is below that at λ = 0.
 */
public final class Kobayashi2024Fig3Task implements Task {
    private static final double ZERO_AT = 0.01;

    @Override
    public String kind() {
        return "kobayashi2024/fig3";
    }

    /** The {@code rank/analyze} kinds' metrics that the figure can plot. */
    static final List<String> METRICS = List.of("stable_rank", "effective_rank", "numerical_rank", "rank_above_eps");

    /**
     * @param lambdaKey the swept parameter (the x axis), e.g. {@code weight_decay_attention}
     * @param metric    a column of {@code ranks.csv}: one of {@link #METRICS}
     * @param layers    the GPT layers to draw per head (ignored for ViT runs)
     * @param name      the output file name without extension ({@code fig3}, {@code figA3}, …)
     */
    public record Config(String lambdaKey, String metric, List<Integer> layers, String name) {
        public Config {
            ParamCheck.require(lambdaKey != null, "lambda_key", "required");
            ParamCheck.require(name != null && name.matches("[A-Za-z0-9_-]+"), "name", "letters, digits, _ and - only");
            ParamCheck.require(metric != null, "metric", "required");
            ParamCheck.oneOf("metric", metric, METRICS);
            ParamCheck.require(layers != null && layers.stream().allMatch(l -> l != null && l >= 0), "layers",
                    "non-negative integers, got " + layers);
            layers = List.copyOf(layers);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("analyze", RankTables.RANKS)
            .reads("train", CheckpointFiles.MODEL)
            .writes("*.png", "*.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    /** One analysed run: model kind (gpt | vit), λ, and the final checkpoint's per-head rows of "current" products. */
    record Run(String model, double lambda, int layers, int heads, Table finalRows) { }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config p = ctx.params(Config.class);
        String key = p.lambdaKey();
        String metric = p.metric();
        List<Run> runs = read(ctx, key);
        Map<String, TreeMap<Double, Run>> byModel = new TreeMap<>();
        for (Run r : runs) {
            byModel.computeIfAbsent(r.model(), m -> new TreeMap<>()).put(r.lambda(), r);
        }
        List<XYChart> panels = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        String axis = key + " (0 drawn at " + ZERO_AT + ")";
        TreeMap<Double, Run> gpt = byModel.get("gpt");
        if (gpt != null) {
            for (int layer : p.layers()) {
                if (layer >= gpt.firstEntry().getValue().layers()) {
                    throw new IllegalArgumentException("layer " + layer + " does not exist: the GPT has " + gpt.firstEntry().getValue().layers());
                }
                for (String product : List.of("KQ", "PV")) {
                    XYChart c = Panels.xy("LM layer " + layer + ": " + metric.replace('_', ' ') + " of " + label(product) + " per head",
                            axis, metric.replace('_', ' '), true, false);
                    int heads = gpt.firstEntry().getValue().heads();
                    double[] x = gpt.keySet().stream().mapToDouble(l -> Charts.lambdaAxis(l, ZERO_AT)).toArray();
                    for (int h = 0; h < heads; h++) {
                        int head = h;
                        Panels.line(c, "head " + h, x, gpt.values().stream().mapToDouble(r -> value(r, layer, head, product, metric)).toArray());
                    }
                    panels.add(c);
                    checks.add(check("lm-layer" + layer + "-" + product, "LM layer " + layer, product, gpt, metric,
                            r -> mean(r, layer, product, metric)));
                }
            }
        }
        TreeMap<Double, Run> vit = byModel.get("vit");
        if (vit != null) {
            for (String product : List.of("KQ", "PV")) {
                XYChart c = Panels.xy("ViT: mean " + metric.replace('_', ' ') + " of " + label(product) + " over heads and layers",
                        axis, metric.replace('_', ' '), true, false);
                double[] x = vit.keySet().stream().mapToDouble(l -> Charts.lambdaAxis(l, ZERO_AT)).toArray();
                Panels.line(c, "mean over heads and layers", x, vit.values().stream().mapToDouble(r -> mean(r, -1, product, metric)).toArray());
                panels.add(c);
                checks.add(check("vit-" + product, "ViT (all layers)", product, vit, metric, r -> mean(r, -1, product, metric)));
            }
        }
        if (panels.isEmpty()) {
            throw new IllegalStateException("no GPT or ViT runs among the inputs");
        }
        ClaimChecks.write(ctx.outputDir(), checks);
        Figure.of(p.name(), Caption.of(ctx.spec()), panels, 4).write(ctx.outputDir());
    }

    static ClaimCheck check(String id, String where, String product, TreeMap<Double, Run> runs, String metric,
                            java.util.function.ToDoubleFunction<Run> mean) {
        String measured = runs.entrySet().stream().map(e -> String.format(Locale.ROOT, "λ=%s: %.3g", Charts.fmt(e.getKey()),
                mean.applyAsDouble(e.getValue()))).collect(Collectors.joining(", "));
        Run zero = runs.get(0.0);
        Run top = runs.lastEntry().getValue();
        boolean ok = zero != null && runs.size() > 1 && mean.applyAsDouble(top) < mean.applyAsDouble(zero);
        return new ClaimCheck("rank-falls-" + id,
                "the rank of attention products falls as weight decay on attention grows (" + where + ", " + label(product) + ")",
                "head-mean " + metric + ": " + measured,
                "head-mean " + metric + " at the largest λ (" + Charts.fmt(runs.lastKey()) + ") < at λ = 0",
                ok);
    }

    private static String label(String product) {
        return product.equals("KQ") ? "W_KᵀW_Q" : "P W_Vᵀ";
    }

    static double value(Run r, int layer, int head, String product, String metric) {
        Table rows = r.finalRows().where(row -> Integer.parseInt(row.get("layer")) == layer && Integer.parseInt(row.get("head")) == head
                && row.get("product").equals(product));
        return rows.doubles(metric)[0];
    }

    /** Mean over heads of {@code layer}, or over every head and layer when {@code layer} < 0. */
    static double mean(Run r, int layer, String product, String metric) {
        return Arrays.stream(r.finalRows().where(row -> (layer < 0 || Integer.parseInt(row.get("layer")) == layer)
                && row.get("product").equals(product)).doubles(metric)).average().orElseThrow();
    }

    private static List<Run> read(TaskContext ctx, String key) throws java.io.IOException {
        ObjectMapper json = new ObjectMapper();
        List<Run> runs = new ArrayList<>();
        for (TaskInput in : ctx.inputs("analyze")) {
            JsonNode model = null;
            for (TaskInput train : ctx.inputs("train")) {
                if (train.sweepPoint().equals(in.sweepPoint())) {
                    model = json.readTree(train.dir().resolve(CheckpointFiles.MODEL).toFile());
                }
            }
            Objects.requireNonNull(model, in.taskId() + ": no train output (model.json) on its sweep branch");
            Object l = in.sweepPoint().get(key);
            if (!(l instanceof Number n)) {
                throw new IllegalArgumentException(in.taskId() + " has no sweep value for " + key);
            }
            Table all = Table.read(in.dir().resolve(RankTables.RANKS)).where(r -> r.get("which").equals("current"));
            long last = (long) Arrays.stream(all.doubles("step")).max().orElseThrow();
            runs.add(new Run(model.get("model").asText(), n.doubleValue(), model.get("layers").asInt(), model.get("heads").asInt(),
                    all.where(r -> Long.parseLong(r.get("step")) == last)));
        }
        return runs;
    }
}
