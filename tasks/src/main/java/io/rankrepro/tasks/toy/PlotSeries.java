package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;
import java.util.List;

/**
 * One plotted series, exactly as drawn (and as {@code figure-data.csv} records it).
 *
 * @param panel "a" or "b"
 * @param name  legend label
 * @param x     x values (rescaled time τ)
 * @param y     y values
 * @param style how it is drawn
 */
public record PlotSeries(String panel, String name, double[] x, double[] y, Style style) {
    public enum Style { LINE, DASHED, MARKERS }

    public PlotSeries {
        if (x.length != y.length) {
            throw new IllegalArgumentException(name + ": " + x.length + " x values, " + y.length + " y values");
        }
        x = x.clone();
        y = y.clone();
    }

    @Override
    public double[] x() {
        return x.clone();
    }

    @Override
    public double[] y() {
        return y.clone();
    }

    /** Long form: panel,series,style,x,y. */
    public static Table table(List<PlotSeries> series) {
        Table.Builder t = Table.builder("panel", "series", "style", "x", "y");
        for (PlotSeries s : series) {
            for (int i = 0; i < s.x.length; i++) {
                t.row(s.panel, s.name.replace(',', ';'), s.style.name().toLowerCase(java.util.Locale.ROOT), s.x[i], s.y[i]);
            }
        }
        return t.build();
    }
}
