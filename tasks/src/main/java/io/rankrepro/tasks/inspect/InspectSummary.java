package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.linalg.HeadStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The per-layer summary printed in the terminal and written to {@code summary.txt}: for each layer,
 * the mean stable rank (over heads) of KQ and PV and their mean and largest relative balance gap;
 * with a base, also the mean stable rank of the perturbations ΔKQ, ΔPV and of ΔW_K ΔW_Qᵀ, ΔP ΔW_Vᵀ.
 */
final class InspectSummary {
    private final List<String> lines = new ArrayList<>();
    private final boolean delta;

    InspectSummary(String title, ModelLayout layout, boolean delta) {
        this.delta = delta;
        lines.add(title);
        lines.add(String.format(Locale.ROOT, "%s layout: %d layers, %d heads (%d key/value), d = %d, d_h = %d",
                layout.family().name().toLowerCase(Locale.ROOT), layout.layers(), layout.heads(), layout.kvHeads(),
                layout.width(), layout.headDim()));
        lines.add(delta
                ? "layer  stable rank KQ   PV  | rel. gap KQ mean  max  | PV mean  max  | ΔKQ srank  ΔPV srank | ΔW_KΔW_Qᵀ  ΔPΔW_Vᵀ"
                : "layer  stable rank KQ   PV  | rel. gap KQ mean  max  | PV mean  max");
    }

    void layer(int layer, List<InspectedHead> rows) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%5d  %13.2f %5.2f | %16.4f %6.4f | %7.4f %6.4f", layer,
                mean(rows, "KQ", "current", r -> r.metrics().stableRank()), mean(rows, "PV", "current", r -> r.metrics().stableRank()),
                mean(rows, "KQ", "current", r -> r.balance().relativeGap()), max(rows, "KQ", r -> r.balance().relativeGap()),
                mean(rows, "PV", "current", r -> r.balance().relativeGap()), max(rows, "PV", r -> r.balance().relativeGap())));
        if (delta) {
            b.append(String.format(Locale.ROOT, " | %9.2f  %9.2f | %9.2f  %8.2f",
                    mean(rows, "KQ", "delta", r -> r.metrics().stableRank()), mean(rows, "PV", "delta", r -> r.metrics().stableRank()),
                    mean(rows, "KQ", "delta_factors", r -> r.metrics().stableRank()),
                    mean(rows, "PV", "delta_factors", r -> r.metrics().stableRank())));
        }
        lines.add(b.toString());
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    private static double[] values(List<InspectedHead> rows, String product, String which, ToDoubleFunction<InspectedHead> f) {
        return rows.stream().filter(r -> r.product().equals(product) && r.which().equals(which)).mapToDouble(f).toArray();
    }

    private static double mean(List<InspectedHead> rows, String product, String which, ToDoubleFunction<InspectedHead> f) {
        return HeadStats.of(values(rows, product, which, f)).mean();
    }

    private static double max(List<InspectedHead> rows, String product, ToDoubleFunction<InspectedHead> f) {
        double m = 0;
        for (double v : values(rows, product, "current", f)) {
            m = Math.max(m, v);
        }
        return m;
    }
}
