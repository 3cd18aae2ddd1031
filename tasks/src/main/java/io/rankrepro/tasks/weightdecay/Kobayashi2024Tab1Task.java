package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.knowm.xchart.XYSeries;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;
import java.util.Locale;

/**
 * {@code kobayashi2024/tab1} (gather over the {@code evaluate} stage's {@code lm/evaluate} outputs,
 * {@code eval.json}, swept over λ_attention × λ_MLP × seed; params: {@link Config}): the test-perplexity table ({@code table.md}, {@code table.csv}, {@code table.tex},
 * mean ± sample std over seeds) and {@code tab1.png}.
 *
 * <p>Check, the paper's claim "omitting weight decay on attention improves perplexity": for every
 * λ_MLP, the mean at λ_attention = 0 is below the mean at every λ_attention > 0 by more than the larger
 * of the two standard deviations. Anything weaker is reported as not reproduced, with the numbers.
 */
public final class Kobayashi2024Tab1Task implements Task {
    private static final double ZERO_AT = 0.01;

    @Override
    public String kind() {
        return "kobayashi2024/tab1";
    }

    /**
     * @param attentionKey the swept parameter that is λ_attention (the table's rows)
     * @param mlpKey       the swept parameter that is λ_MLP (its columns)
     * @param seedKey      the swept parameter that repeats a configuration (runs with the same value are
     *                     paired: same initialization and batches); absent from a sweep point means 0
     */
    public record Config(String attentionKey, String mlpKey, @Default("seed_offset") String seedKey) {
        public Config {
            ParamCheck.require(attentionKey != null, "attention_key", "required");
            ParamCheck.require(mlpKey != null, "mlp_key", "required");
            ParamCheck.require(seedKey != null && !seedKey.isBlank(), "seed_key", "required");
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("evaluate", HeldOutPerplexityTask.FILE)
            .writes("table.md", "table.csv", "table.tex", "tab1.png", "tab1.svg", ClaimChecks.FILE_NAME)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config p = ctx.params(Config.class);
        ObjectMapper json = new ObjectMapper();
        PerplexityGrid grid = new PerplexityGrid();
        TreeMap<Long, Map<List<Double>, Double>> bySeed = new TreeMap<>();
        for (TaskInput in : ctx.inputs("evaluate")) {
            JsonNode e = json.readTree(in.dir().resolve(HeldOutPerplexityTask.FILE).toFile());
            double att = number(in, p.attentionKey());
            double mlp = number(in, p.mlpKey());
            double ppl = e.get("test_perplexity").asDouble();
            grid.add(att, mlp, ppl);
            Object seed = in.sweepPoint().get(p.seedKey());
            long s = seed instanceof Number n ? n.longValue() : 0;
            if (bySeed.computeIfAbsent(s, k -> new HashMap<>()).put(List.of(att, mlp), ppl) != null) {
                throw new IllegalArgumentException(in.taskId() + ": two runs with λ_att " + att + ", λ_MLP " + mlp + ", " + p.seedKey() + " " + s);
            }
        }
        if (grid.attentionValues().isEmpty()) {
            throw new IllegalStateException("no lm/evaluate inputs");
        }
        String caption = "Test perplexity (mean ± std over seeds), " + ctx.spec().paper() + ", profile " + ctx.spec().profile()
                + "; data: " + ctx.spec().data();
        Files.writeString(ctx.outputDir().resolve("table.md"), "# " + ctx.spec().title() + "\n\n" + caption + "\n\n" + grid.markdown());
        grid.table().write(ctx.outputDir().resolve("table.csv"));
        Files.writeString(ctx.outputDir().resolve("table.tex"), grid.latex(caption));

        XYChart c = Panels.xy("held-out perplexity vs λ_attention", "λ_attention (0 drawn at " + ZERO_AT + ")",
                "test perplexity (per byte)", true, false);
        for (double m : grid.mlpValues()) {
            List<Double> as = grid.attentionValues().stream().filter(a -> grid.cell(a, m) != null).toList();
            double[] x = as.stream().mapToDouble(a -> Charts.lambdaAxis(a, ZERO_AT)).toArray();
            double[] y = as.stream().mapToDouble(a -> grid.cell(a, m).mean()).toArray();
            double[] err = as.stream().mapToDouble(a -> grid.cell(a, m).std()).toArray();
            XYSeries s = c.addSeries("λ_MLP = " + Charts.fmt(m), x, y, err);
            s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
        }
        Figure.of("tab1", Caption.of(ctx.spec()), List.of(c), 1).write(ctx.outputDir());
        ClaimChecks.write(ctx.outputDir(), List.of(check(grid, bySeed)));
    }

    /**
     * The paper's comparison paired by seed: per seed, the mean over λ_MLP and λ_att > 0 of
     * ppl(λ_att, λ_MLP) − ppl(0, λ_MLP); the claim reproduces when its 95% t interval over seeds is above 0.
     * A seed missing a cell of the grid is left out (and named).
     */
    static ClaimCheck check(PerplexityGrid grid, TreeMap<Long, Map<List<Double>, Double>> bySeed) {
        StringBuilder m = new StringBuilder();
        for (double mlp : grid.mlpValues()) {
            m.append(String.format(Locale.ROOT, "λ_MLP=%s:", Charts.fmt(mlp)));
            for (double a : grid.attentionValues()) {
                PerplexityGrid.Cell c = grid.cell(a, mlp);
                if (c != null) {
                    m.append(String.format(Locale.ROOT, " λ_att=%s %.3f±%.3f", Charts.fmt(a), c.mean(), c.std()));
                }
            }
            m.append("; ");
        }
        List<Double> perSeed = new ArrayList<>();
        List<Long> incomplete = new ArrayList<>();
        bySeed.forEach((seed, cells) -> {
            double sum = 0;
            int n = 0;
            boolean complete = grid.attentionValues().contains(0.0);
            for (double mlp : grid.mlpValues()) {
                Double zero = cells.get(List.of(0.0, mlp));
                for (double a : grid.attentionValues()) {
                    if (a <= 0) {
                        continue;
                    }
                    Double with = cells.get(List.of(a, mlp));
                    if (zero == null || with == null) {
                        complete = false;
                    } else {
                        sum += with - zero;
                        n++;
                    }
                }
            }
            if (complete && n > 0) {
                perSeed.add(sum / n);
            } else {
                incomplete.add(seed);
            }
        });
        m.append("per seed, mean ppl(λ_att > 0) − ppl(λ_att = 0): ").append(perSeed.stream()
                .map(v -> String.format(Locale.ROOT, "%+.3f", v)).collect(java.util.stream.Collectors.joining(", ")));
        if (!incomplete.isEmpty()) {
            m.append("; seeds left out (a cell missing): ").append(incomplete);
        }
        double[] values = perSeed.isEmpty() ? new double[] {Double.NaN} : perSeed.stream().mapToDouble(Double::doubleValue).toArray();
        return ClaimCheck.claim("tab1-attention-decay-hurts-perplexity",
                "omitting weight decay on attention (λ_attention = 0) improves test perplexity",
                m.toString().trim(),
                "per seed: mean over λ_MLP and λ_att > 0 of ppl(λ_att) − ppl(λ_att = 0), same λ_MLP and seed; 95% t interval over seeds above 0",
                Effect.overSeeds("per seed: mean test-perplexity increase from attention decay, paired by seed and λ_MLP", values, 0));
    }

    private static double number(TaskInput in, String key) {
        Object v = in.sweepPoint().get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(in.taskId() + ": no sweep value for '" + key + "' (sweep point " + in.sweepPoint() + ")");
        }
        return n.doubleValue();
    }
}
