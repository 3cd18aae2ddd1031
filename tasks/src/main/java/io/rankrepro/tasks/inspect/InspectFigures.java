package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The figures of {@code inspect}: {@code inspect-heads} (layers × heads heatmaps of the stable rank
 * of KQ and PV and of their relative balance gaps; with a base, also of the stable rank of ΔKQ and
 * ΔPV) and {@code inspect-balance} (paper A's Fig. 4 scatter: Frobenius side ½(‖W_Q^h‖²+‖W_K^h‖²)
 * against nuclear side ‖W_K^hᵀW_Q^h‖_* per head, with y = x where balanced heads lie).
 */
final class InspectFigures {
    static final String HEADS = "inspect-heads";
    static final String BALANCE = "inspect-balance";
    static final List<String> FILES = List.of(HEADS + ".png", HEADS + ".svg", BALANCE + ".png", BALANCE + ".svg");

    private InspectFigures() { }

    static void write(Path dir, Caption caption, ModelLayout layout, List<InspectedHead> rows, boolean delta) throws IOException {
        List<Chart<?, ?>> heat = new ArrayList<>();
        heat.add(Panels.heatmap("stable rank of KQ^h = W_K^h W_Q^hᵀ", "head", "layer", grid(layout, rows, "KQ", "current", r -> r.metrics().stableRank())));
        heat.add(Panels.heatmap("stable rank of PV^h = P^h W_V^hᵀ", "head", "layer", grid(layout, rows, "PV", "current", r -> r.metrics().stableRank())));
        heat.add(Panels.heatmap("relative balance gap, KQ", "head", "layer", grid(layout, rows, "KQ", "current", r -> r.balance().relativeGap())));
        heat.add(Panels.heatmap("relative balance gap, PV", "head", "layer", grid(layout, rows, "PV", "current", r -> r.balance().relativeGap())));
        if (delta) {
            heat.add(Panels.heatmap("stable rank of ΔKQ^h (model − base)", "head", "layer", grid(layout, rows, "KQ", "delta", r -> r.metrics().stableRank())));
            heat.add(Panels.heatmap("stable rank of ΔPV^h (model − base)", "head", "layer", grid(layout, rows, "PV", "delta", r -> r.metrics().stableRank())));
        }
        Figure.of(HEADS, caption.note("stable rank ‖W‖_F²/‖W‖_2²; relative gap Δ/½(‖A‖²+‖B‖²), Δ = ½(‖A‖²+‖B‖²) − ‖ABᵀ‖_*"),
                heat, 2).write(dir);

        List<XYChart> scatter = new ArrayList<>();
        for (String product : List.of("KQ", "PV")) {
            XYChart c = Panels.xy(product.equals("KQ") ? "KQ: ½(‖W_Q‖²+‖W_K‖²) vs ‖W_K^T W_Q‖_*" : "PV: ½(‖P‖²+‖W_V‖²) vs ‖P W_V^T‖_*",
                    "Frobenius side", "nuclear side");
            double top = 0;
            for (String which : delta ? List.of("current", "init") : List.of("current")) {
                double[] x = values(rows, product, which, r -> r.balance().frobeniusHalfSum());
                double[] y = values(rows, product, which, r -> r.balance().nuclearNorm());
                Panels.scatter(c, which.equals("init") ? "base" : "heads", x, y);
                for (double v : x) {
                    top = Math.max(top, v);
                }
            }
            Panels.dashed(Panels.line(c, "y = x (balanced)", new double[] {0, top}, new double[] {0, top}));
            scatter.add(c);
        }
        Figure.of(BALANCE, caption.note("every layer and head; a head on y = x is balanced (Kobayashi et al. 2024, Fig. 4)"),
                scatter, 2).write(dir);
    }

    private static double[][] grid(ModelLayout layout, List<InspectedHead> rows, String product, String which,
                                   ToDoubleFunction<InspectedHead> f) {
        double[][] g = new double[layout.layers()][layout.heads()];
        for (InspectedHead r : rows) {
            if (r.product().equals(product) && r.which().equals(which)) {
                g[r.layer()][r.head()] = f.applyAsDouble(r);
            }
        }
        return g;
    }

    private static double[] values(List<InspectedHead> rows, String product, String which, ToDoubleFunction<InspectedHead> f) {
        return rows.stream().filter(r -> r.product().equals(product) && r.which().equals(which)).mapToDouble(f).toArray();
    }
}
