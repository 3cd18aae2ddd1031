package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.io.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test perplexities over a λ_attention × λ_MLP grid, several seeds per cell, summarized as mean ±
 * sample standard deviation (n − 1; 0 for one seed), and written as Markdown, CSV and LaTeX.
 */
public final class PerplexityGrid {
    private final TreeMap<Double, TreeMap<Double, List<Double>>> cells = new TreeMap<>();

    public void add(double lambdaAttention, double lambdaMlp, double perplexity) {
        cells.computeIfAbsent(lambdaAttention, k -> new TreeMap<>()).computeIfAbsent(lambdaMlp, k -> new ArrayList<>()).add(perplexity);
    }

    /** mean, sample std, seeds. */
    public record Cell(double mean, double std, int seeds) { }

    public Cell cell(double lambdaAttention, double lambdaMlp) {
        List<Double> v = cells.getOrDefault(lambdaAttention, new TreeMap<>()).get(lambdaMlp);
        if (v == null || v.isEmpty()) {
            return null;
        }
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double ss = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
        return new Cell(mean, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0, v.size());
    }

    public List<Double> attentionValues() {
        return List.copyOf(cells.keySet());
    }

    public List<Double> mlpValues() {
        TreeMap<Double, Boolean> all = new TreeMap<>();
        cells.values().forEach(m -> m.keySet().forEach(k -> all.put(k, true)));
        return List.copyOf(all.keySet());
    }

    public Map<Double, TreeMap<Double, List<Double>>> raw() {
        return cells;
    }

    public String markdown() {
        StringBuilder b = new StringBuilder("| λ_attention \\ λ_MLP |");
        mlpValues().forEach(m -> b.append(' ').append(Charts.fmt(m)).append(" |"));
        b.append("\n|---|");
        mlpValues().forEach(m -> b.append("---|"));
        b.append('\n');
        for (double a : attentionValues()) {
            b.append("| ").append(Charts.fmt(a)).append(" |");
            for (double m : mlpValues()) {
                Cell c = cell(a, m);
                b.append(' ').append(c == null ? "—" : String.format(Locale.ROOT, "%.3f ± %.3f (n=%d)", c.mean(), c.std(), c.seeds())).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** One row per (λ_attention, λ_MLP) cell that has runs, seeds pooled. */
    public Table table() {
        Table.Builder t = Table.builder("lambda_attention", "lambda_mlp", "mean_perplexity", "std_perplexity", "seeds");
        for (double a : attentionValues()) {
            for (double m : mlpValues()) {
                Cell c = cell(a, m);
                if (c != null) {
                    t.row(a, m, c.mean(), c.std(), c.seeds());
                }
            }
        }
        return t.build();
    }

    public String latex(String caption) {
        StringBuilder b = new StringBuilder("\\begin{table}[t]\n\\centering\n\\begin{tabular}{l");
        mlpValues().forEach(m -> b.append('c'));
        b.append("}\n\\toprule\n$\\lambda_{\\mathrm{attn}} \\backslash \\lambda_{\\mathrm{MLP}}$");
        mlpValues().forEach(m -> b.append(" & ").append(Charts.fmt(m)));
        b.append(" \\\\\n\\midrule\n");
        for (double a : attentionValues()) {
            b.append(Charts.fmt(a));
            for (double m : mlpValues()) {
                Cell c = cell(a, m);
                b.append(" & ").append(c == null ? "--" : String.format(Locale.ROOT, "$%.3f \\pm %.3f$", c.mean(), c.std()));
            }
            b.append(" \\\\\n");
        }
        b.append("\\bottomrule\n\\end{tabular}\n\\caption{").append(caption.replace("%", "\\%").replace("_", "\\_").replace("&", "\\&"))
                .append("}\n\\end{table}\n");
        return b.toString();
    }
}
