package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.nio.file.Files;
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
     */
    public record Config(String attentionKey, String mlpKey) {
        public Config {
            ParamCheck.require(attentionKey != null, "attention_key", "required");
            ParamCheck.require(mlpKey != null, "mlp_key", "required");
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
        for (TaskInput in : ctx.inputs("evaluate")) {
            JsonNode e = json.readTree(in.dir().resolve(HeldOutPerplexityTask.FILE).toFile());
            grid.add(number(in, p.attentionKey()), number(in, p.mlpKey()), e.get("test_perplexity").asDouble());
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
        ClaimChecks.write(ctx.outputDir(), List.of(check(grid)));
    }

    static ClaimCheck check(PerplexityGrid grid) {
        StringBuilder m = new StringBuilder();
        boolean ok = grid.attentionValues().contains(0.0) && grid.attentionValues().size() > 1;
        for (double mlp : grid.mlpValues()) {
            PerplexityGrid.Cell zero = grid.cell(0.0, mlp);
            m.append(String.format(Locale.ROOT, "λ_MLP=%s:", Charts.fmt(mlp)));
            for (double a : grid.attentionValues()) {
                PerplexityGrid.Cell c = grid.cell(a, mlp);
                if (c != null) {
                    m.append(String.format(Locale.ROOT, " λ_att=%s %.3f±%.3f", Charts.fmt(a), c.mean(), c.std()));
                }
                if (a > 0 && c != null && zero != null) {
                    ok &= zero.mean() + Math.max(zero.std(), c.std()) < c.mean();
                } else if (a > 0 || zero == null) {
                    ok = false;
                }
            }
            m.append("; ");
        }
        return new ClaimCheck("no-attention-decay-best-perplexity",
                "omitting weight decay on attention (λ_attention = 0) improves test perplexity",
                m.toString().trim(),
                "for every λ_MLP: mean perplexity at λ_att = 0 + the larger std < mean at every λ_att > 0",
                ok);
    }

    private static double number(TaskInput in, String key) {
        Object v = in.sweepPoint().get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(in.taskId() + ": no sweep value for '" + key + "' (sweep point " + in.sweepPoint() + ")");
        }
        return n.doubleValue();
    }
}
