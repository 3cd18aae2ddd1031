package io.rankrepro.tasks.figures;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The chart setup every panel shares: size ({@link Figure#PANEL_WIDTH} × {@link Figure#PANEL_HEIGHT}),
 * fonts, axis titles, log axes, legend inside the top right, a tick spacing that keeps x labels apart,
 * and the series styles the figures use.
 */
public final class Panels {
    /** Pixels between x-axis ticks, at least: a five-digit step label in the tick font needs about 40. */
    static final int X_TICK_SPACING = 80;
    private static final String SPACER = "\u0000tick-spacing";

    private Panels() { }

    public static XYChart xy(String title, String xTitle, String yTitle, boolean logX, boolean logY) {
        XYChart c = new XYChartBuilder().width(Figure.PANEL_WIDTH).height(Figure.PANEL_HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setXAxisLogarithmic(logX).setYAxisLogarithmic(logY)
                .setXAxisTickMarkSpacingHint(X_TICK_SPACING)
                .setLegendPosition(Styler.LegendPosition.InsideNE)
                .setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
                .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10))
                .setMarkerSize(5)
                .setChartBackgroundColor(Color.WHITE);
        return c;
    }

    public static XYChart xy(String title, String xTitle, String yTitle, boolean logX, boolean logY, Styler.LegendPosition legend) {
        XYChart c = xy(title, xTitle, yTitle, logX, logY);
        c.getStyler().setLegendPosition(legend);
        return c;
    }

    /**
     * A heatmap of {@code values[row][column]} (e.g. layers × heads), columns on x and rows on y,
     * both numbered from 0, with a colour legend.
     */
    public static HeatMapChart heatmap(String title, String xTitle, String yTitle, double[][] values) {
        HeatMapChart c = new HeatMapChartBuilder().width(Figure.PANEL_WIDTH).height(Figure.PANEL_HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
                .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10))
                .setChartBackgroundColor(Color.WHITE);
        c.getStyler().setHeatMapValueDecimalPattern("0.###");
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        List<Integer> x = new java.util.ArrayList<>();
        List<Integer> y = new java.util.ArrayList<>();
        for (int j = 0; j < cols; j++) {
            x.add(j);
        }
        for (int i = 0; i < rows; i++) {
            y.add(i);
        }
        List<Number[]> cells = new java.util.ArrayList<>();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                cells.add(new Number[] {j, i, values[i][j]});
            }
        }
        c.addSeries(title, x, y, cells);
        return c;
    }

    public static XYChart xy(String title, String xTitle, String yTitle) {
        return xy(title, xTitle, yTitle, false, false);
    }

    /** Points joined by a line, with circle markers. */
    public static XYSeries line(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }

    /** A line without markers. */
    public static XYSeries curve(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** Markers only. */
    public static XYSeries scatter(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return s;
    }

    /** A dashed line without markers (a prediction, a reference level). */
    public static XYSeries dashed(XYSeries s) {
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.DASH_DASH);
        return s;
    }

    public static XYSeries dashed(XYSeries s, Color color) {
        dashed(s).setLineColor(color);
        return s;
    }

    /** Values floored at 1e-12, so that zeros (a vanished singular value, a gap of 0) can sit on a log axis. */
    public static double[] logFloor(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(out[i], 1e-12);
        }
        return out;
    }

    /**
     * Keeps x tick labels apart. When the x values of all series together are equally spaced (training
     * steps 0, 1, …, T), XChart 3.8.8 puts its ticks on data values and keeps a tick only 10% wider than
     * its label, ignoring the spacing hint: the labels touch ({@code 144160176192…}). One invisible point
     * half a step off the grid (inside the data's range, no marker, not in the legend) sends XChart to
     * its ordinary ticks, which keep {@link #X_TICK_SPACING} pixels apart. Idempotent; the plotted
     * data, ranges and legend are unchanged.
     */
    static void spaceTicks(XYChart c) {
        if (c.getStyler().isXAxisLogarithmic() || c.getSeriesMap().containsKey(SPACER)) {
            return;
        }
        Set<Double> union = new LinkedHashSet<>();
        double y = Double.NaN;
        for (XYSeries s : c.getSeriesMap().values()) {
            Arrays.stream(s.getXData()).forEach(union::add);
            for (double v : s.getYData()) {
                if (Double.isNaN(y) && Double.isFinite(v) && (!c.getStyler().isYAxisLogarithmic() || v > 0)) {
                    y = v;
                }
            }
        }
        List<Double> xs = List.copyOf(union);
        if (xs.size() < 3 || Double.isNaN(y)) {
            return;
        }
        double step = xs.get(1) - xs.get(0);
        for (int i = 2; i < xs.size(); i++) {
            if (Math.abs(xs.get(i) - xs.get(i - 1) - step) > 1e-4) {
                return;
            }
        }
        XYSeries spacer = c.addSeries(SPACER, new double[] {xs.get(0) + step / 2}, new double[] {y});
        spacer.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        spacer.setMarker(SeriesMarkers.NONE);
        spacer.setShowInLegend(false);
    }
}
