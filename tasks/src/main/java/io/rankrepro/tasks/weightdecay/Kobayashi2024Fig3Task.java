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
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.Effect;
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
     * @param claimId   the register id of the rank-falls claim (default {@code <name>-rank-falls}); with
     *                  more than one optimizer swept, {@code <name>-strongest-with-adamw} is checked too
     * @param seedKey   the swept parameter that repeats a configuration; runs with one value are paired
     * @param earlyClaimId  the register id of the same claim read early in training (empty: not checked; GPT runs only)
     * @param earlyFraction where "early" is read: the first checkpoint at or after this fraction of the training steps
     */
    public record Config(String lambdaKey, String metric, List<Integer> layers, String name, @Default("") String claimId,
                         @Default("seed_offset") String seedKey, @Default("") String earlyClaimId,
                         @Default("0.1") double earlyFraction) {
        public Config {
            ParamCheck.require(lambdaKey != null, "lambda_key", "required");
            ParamCheck.require(name != null && name.matches("[A-Za-z0-9_-]+"), "name", "letters, digits, _ and - only");
            ParamCheck.require(metric != null, "metric", "required");
            ParamCheck.oneOf("metric", metric, METRICS);
            ParamCheck.require(layers != null && layers.stream().allMatch(l -> l != null && l >= 0), "layers",
                    "non-negative integers, got " + layers);
            layers = List.copyOf(layers);
            claimId = claimId == null || claimId.isBlank() ? name + "-rank-falls" : claimId;
            ParamCheck.require(seedKey != null && !seedKey.isBlank(), "seed_key", "required");
            earlyClaimId = earlyClaimId == null ? "" : earlyClaimId;
            ParamCheck.require(earlyFraction > 0 && earlyFraction <= 1, "early_fraction", "in (0, 1], got " + earlyFraction);
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

    /** One analysed run: model kind (gpt | vit), optimizer, seed, λ, and the final checkpoint's per-head rows of "current" products. */
    record Run(String model, String optimizer, long seed, double lambda, int layers, int heads, Table finalRows) { }

    /** The AdamW runs when AdamW is among the optimizers (the paper's), else the only optimizer. */
    static String primaryOptimizer(List<Run> runs) {
        List<String> all = runs.stream().map(Run::optimizer).distinct().sorted().toList();
        return all.contains("adamw") ? "adamw" : all.get(0);
    }

    /** λ → run, per seed, for one optimizer. */
    static TreeMap<Long, TreeMap<Double, Run>> bySeed(List<Run> runs, String optimizer) {
        TreeMap<Long, TreeMap<Double, Run>> out = new TreeMap<>();
        for (Run r : runs) {
            if (r.optimizer().equals(optimizer) && out.computeIfAbsent(r.seed(), k -> new TreeMap<>()).put(r.lambda(), r) != null) {
                throw new IllegalArgumentException("two runs with " + optimizer + ", seed " + r.seed() + ", λ " + r.lambda());
            }
        }
        return out;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config p = ctx.params(Config.class);
        String key = p.lambdaKey();
        String metric = p.metric();
        Map<String, List<Run>> byModel = new TreeMap<>();
        for (Run r : read(ctx, key, p.seedKey(), 1.0)) {
            byModel.computeIfAbsent(r.model(), m -> new ArrayList<>()).add(r);
        }
        List<XYChart> panels = new ArrayList<>();
        List<ClaimCheck> checks = new ArrayList<>();
        String axis = key + " (0 drawn at " + ZERO_AT + ")";
        List<Run> gpt = byModel.get("gpt");
        if (gpt != null) {
            int layerCount = gpt.get(0).layers();
            for (int layer : p.layers()) {
                if (layer >= layerCount) {
                    throw new IllegalArgumentException("layer " + layer + " does not exist: the GPT has " + layerCount);
                }
            }
            String primary = primaryOptimizer(gpt);
            TreeMap<Double, Run> shown = bySeed(gpt, primary).firstEntry().getValue();
            for (int layer : p.layers()) {
                for (String product : List.of("KQ", "PV")) {
                    XYChart c = Panels.xy("LM layer " + layer + ": " + metric.replace('_', ' ') + " of " + label(product) + " per head",
                            axis, metric.replace('_', ' '), true, false);
                    int heads = gpt.get(0).heads();
                    double[] x = shown.keySet().stream().mapToDouble(l -> Charts.lambdaAxis(l, ZERO_AT)).toArray();
                    for (int h = 0; h < heads; h++) {
                        int head = h;
                        Panels.line(c, "head " + h + " (" + primary + ", first seed)", x,
                                shown.values().stream().mapToDouble(r -> value(r, layer, head, product, metric)).toArray());
                    }
                    for (String opt : gpt.stream().map(Run::optimizer).distinct().sorted().toList()) {
                        seedMeanLine(c, "head mean, mean over seeds (" + opt + ")", bySeed(gpt, opt), r -> mean(r, layer, product, metric));
                    }
                    panels.add(c);
                }
            }
            panels.addAll(otherMetricPanels("LM layers " + p.layers(), gpt, primary, p.layers(), axis));
            checks.add(rankFalls(p.claimId(), "LM layers " + p.layers(), bySeed(gpt, primary), p.layers(), metric));
            if (!p.earlyClaimId().isEmpty()) {
                List<Run> early = read(ctx, key, p.seedKey(), p.earlyFraction()).stream().filter(r -> r.model().equals("gpt")).toList();
                checks.add(rankFallsEarly(p.earlyClaimId(), p.earlyFraction(), bySeed(early, primary), bySeed(gpt, primary), p.layers(), metric));
            }
            if (gpt.stream().map(Run::optimizer).distinct().count() > 1) {
                checks.add(strongestWithAdamw(p.name() + "-strongest-with-adamw", gpt, p.layers(), metric));
            }
        }
        List<Run> vit = byModel.get("vit");
        if (vit != null) {
            String primary = primaryOptimizer(vit);
            TreeMap<Long, TreeMap<Double, Run>> seeds = bySeed(vit, primary);
            for (String product : List.of("KQ", "PV")) {
                XYChart c = Panels.xy("ViT: mean " + metric.replace('_', ' ') + " of " + label(product) + " over heads and layers",
                        axis, metric.replace('_', ' '), true, false);
                seeds.forEach((seed, runs) -> Panels.line(c, "seed " + seed, runs.keySet().stream()
                        .mapToDouble(l -> Charts.lambdaAxis(l, ZERO_AT)).toArray(),
                        runs.values().stream().mapToDouble(r -> mean(r, -1, product, metric)).toArray()));
                panels.add(c);
            }
            panels.addAll(otherMetricPanels("ViT (all layers)", vit, primary, List.of(-1), axis));
            checks.add(rankFalls(p.claimId(), "ViT (all layers)", seeds, List.of(-1), metric));
        }
        if (panels.isEmpty()) {
            throw new IllegalStateException("no GPT or ViT runs among the inputs");
        }
        ClaimChecks.write(ctx.outputDir(), checks);
        Figure.of(p.name(), Caption.of(ctx.spec()), panels, 4).write(ctx.outputDir());
    }

    /** Stable and effective rank beside the numerical one: head mean over the given layers, mean over seeds. */
    private static List<XYChart> otherMetricPanels(String where, List<Run> runs, String optimizer, List<Integer> layers, String axis) {
        List<XYChart> out = new ArrayList<>();
        for (String m : List.of("stable_rank", "effective_rank")) {
            XYChart c = Panels.xy(where + ": " + m.replace('_', ' ') + " (head mean, mean over seeds, " + optimizer + ")", axis,
                    m.replace('_', ' '), true, false);
            for (String product : List.of("KQ", "PV")) {
                seedMeanLine(c, label(product), bySeed(runs, optimizer), r -> layerMean(r, layers, product, m));
            }
            out.add(c);
        }
        return out;
    }

    private static void seedMeanLine(XYChart c, String name, TreeMap<Long, TreeMap<Double, Run>> seeds,
                                     java.util.function.ToDoubleFunction<Run> f) {
        TreeMap<Double, double[]> sums = new TreeMap<>();
        seeds.values().forEach(runs -> runs.forEach((l, r) -> {
            double[] acc = sums.computeIfAbsent(l, k -> new double[2]);
            acc[0] += f.applyAsDouble(r);
            acc[1]++;
        }));
        Panels.line(c, name, sums.keySet().stream().mapToDouble(l -> Charts.lambdaAxis(l, ZERO_AT)).toArray(),
                sums.values().stream().mapToDouble(a -> a[0] / a[1]).toArray());
    }

    /** Head mean over several layers ({@code -1}: every head and layer). */
    static double layerMean(Run r, List<Integer> layers, String product, String metric) {
        return layers.stream().mapToDouble(l -> mean(r, l, product, metric)).average().orElseThrow();
    }

    /**
     * Per seed: the smallest, over {@code layers} and both products, of [head-mean rank at λ = 0 − at
     * the largest λ]; reproduces when its 95% t interval over seeds is above 0. Seeds lacking λ = 0
     * or a λ > 0 give NaN (never reproduces).
     */
    static ClaimCheck rankFalls(String id, String where, TreeMap<Long, TreeMap<Double, Run>> seeds, List<Integer> layers, String metric) {
        List<Double> perSeed = new ArrayList<>();
        StringBuilder m = new StringBuilder();
        for (Map.Entry<Long, TreeMap<Double, Run>> e : seeds.entrySet()) {
            TreeMap<Double, Run> runs = e.getValue();
            Run zero = runs.get(0.0);
            Run top = runs.lastEntry().getValue();
            double drop = Double.POSITIVE_INFINITY;
            if (zero == null || runs.size() < 2) {
                drop = Double.NaN;
            } else {
                for (int layer : layers) {
                    for (String product : List.of("KQ", "PV")) {
                        drop = Math.min(drop, mean(zero, layer, product, metric) - mean(top, layer, product, metric));
                    }
                }
            }
            perSeed.add(drop);
            m.append(String.format(Locale.ROOT, "seed %d: %s; ", e.getKey(), describe(runs, layers)));
        }
        String topName = seeds.isEmpty() ? "?" : Charts.fmt(seeds.firstEntry().getValue().lastKey());
        return ClaimCheck.claim(id,
                "the rank of attention products (W_KᵀW_Q and P W_Vᵀ) falls as weight decay on attention grows (" + where + ")",
                "head-mean rank by λ (numerical / stable / effective, KQ | PV) — " + m.toString().trim()
                        + "; per seed, min over layers and products of the " + metric + " drop: "
                        + perSeed.stream().map(v -> String.format(Locale.ROOT, "%.3g", v)).collect(Collectors.joining(", ")),
                "per seed: min over layers and KQ/PV of [head-mean " + metric + " at λ = 0 − at λ = " + topName
                        + "]; 95% t interval over seeds above 0",
                Effect.overSeeds("per seed: smallest drop of head-mean " + metric + " from λ = 0 to the largest λ", toArray(perSeed), 0));
    }

    /**
     * Per seed: mean over {@code layers} and both products of [head-mean rank under Adam + L2 − under
     * AdamW] at the largest λ both have; reproduces when its interval is above 0.
     */
    static ClaimCheck strongestWithAdamw(String id, List<Run> runs, List<Integer> layers, String metric) {
        TreeMap<Long, TreeMap<Double, Run>> adamw = bySeed(runs, "adamw");
        TreeMap<Long, TreeMap<Double, Run>> coupled = bySeed(runs, "adam-l2");
        List<Double> perSeed = new ArrayList<>();
        StringBuilder m = new StringBuilder();
        for (Map.Entry<Long, TreeMap<Double, Run>> e : adamw.entrySet()) {
            TreeMap<Double, Run> other = coupled.get(e.getKey());
            if (other == null) {
                continue;
            }
            Double top = e.getValue().keySet().stream().filter(other::containsKey).max(Double::compare).orElse(null);
            if (top == null || top <= 0) {
                perSeed.add(Double.NaN);
                continue;
            }
            double sum = 0;
            int n = 0;
            for (int layer : layers) {
                for (String product : List.of("KQ", "PV")) {
                    sum += mean(other.get(top), layer, product, metric) - mean(e.getValue().get(top), layer, product, metric);
                    n++;
                }
            }
            perSeed.add(sum / n);
            m.append(String.format(Locale.ROOT, "seed %d, λ=%s: AdamW %s; Adam+L2 %s; ", e.getKey(), Charts.fmt(top),
                    describeOne(e.getValue().get(top), layers), describeOne(other.get(top), layers)));
        }
        return ClaimCheck.claim(id, "the rank reduction is strongest with AdamW (vs Adam + coupled L2, same λ and seed)",
                (perSeed.isEmpty() ? "no seed has both AdamW and Adam+L2 runs" : m.toString().trim()) + "; per seed, Adam+L2 − AdamW "
                        + metric + ": " + perSeed.stream().map(v -> String.format(Locale.ROOT, "%.3g", v)).collect(Collectors.joining(", ")),
                "per seed: mean over layers and KQ/PV of head-mean " + metric + " under Adam+L2 − under AdamW at the largest λ; 95% t interval above 0",
                Effect.overSeeds("per seed: head-mean " + metric + " under Adam+L2 minus under AdamW at the largest λ",
                        perSeed.isEmpty() ? new double[] {Double.NaN} : toArray(perSeed), 0));
    }

    /**
     * {@link #rankFalls} read at an early checkpoint instead of the last; the early drop as a fraction
     * of the final one is added to what was measured (reported, not judged).
     */
    static ClaimCheck rankFallsEarly(String id, double fraction, TreeMap<Long, TreeMap<Double, Run>> early,
                                     TreeMap<Long, TreeMap<Double, Run>> atEnd, List<Integer> layers, String metric) {
        long step = early.isEmpty() ? -1 : step(early.firstEntry().getValue().firstEntry().getValue());
        long last = atEnd.isEmpty() ? -1 : step(atEnd.firstEntry().getValue().firstEntry().getValue());
        String where = String.format(Locale.ROOT, "LM layers %s, early: step %d of %d, the first checkpoint at or after %.0f%% of training",
                layers, step, last, 100 * fraction);
        ClaimCheck c = rankFalls(id, where, early, layers, metric);
        ClaimCheck end = rankFalls(id, "", atEnd, layers, metric);
        List<Double> e = c.effect().perSeed();
        List<Double> f = end.effect().perSeed();
        String ratios = java.util.stream.IntStream.range(0, Math.min(e.size(), f.size()))
                .mapToObj(i -> String.format(Locale.ROOT, "%.2f", e.get(i) / f.get(i))).collect(Collectors.joining(", "));
        return new ClaimCheck(c.id(), c.role(), c.claim(),
                String.format(Locale.ROOT, "read at step %d of %d: ", step, last) + c.measured() + "; early drop / final drop per seed: " + ratios,
                c.criterion(), c.effect(), c.passed());
    }

    /** The checkpoint step a run's rows were read at. */
    private static long step(Run r) {
        return (long) r.finalRows().doubles("step")[0];
    }

    private static String describe(TreeMap<Double, Run> runs, List<Integer> layers) {
        return runs.entrySet().stream().map(e -> "λ=" + Charts.fmt(e.getKey()) + " " + describeOne(e.getValue(), layers))
                .collect(Collectors.joining(", "));
    }

    private static String describeOne(Run r, List<Integer> layers) {
        StringBuilder b = new StringBuilder();
        for (String product : List.of("KQ", "PV")) {
            b.append(b.isEmpty() ? "" : " | ").append(String.format(Locale.ROOT, "%.2f/%.2f/%.2f", layerMean(r, layers, product, "numerical_rank"),
                    layerMean(r, layers, product, "stable_rank"), layerMean(r, layers, product, "effective_rank")));
        }
        return b.toString();
    }

    private static double[] toArray(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
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

    /**
     * The analysed runs, each read at the first checkpoint at or after {@code fraction} of its last
     * step (1: the final checkpoint).
     */
    private static List<Run> read(TaskContext ctx, String key, String seedKey, double fraction) throws java.io.IOException {
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
            long at = (long) Arrays.stream(all.doubles("step")).filter(s -> s >= fraction * last).min().orElseThrow();
            Object seed = in.sweepPoint().get(seedKey);
            Object optimizer = in.sweepPoint().get("optimizer");
            runs.add(new Run(model.get("model").asText(), optimizer == null ? "adamw" : optimizer.toString(),
                    seed instanceof Number sn ? sn.longValue() : 0, n.doubleValue(), model.get("layers").asInt(), model.get("heads").asInt(),
                    all.where(r -> Long.parseLong(r.get("step")) == at)));
        }
        return runs;
    }
}
