package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.task.SpecInfo;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Font;
import java.util.Locale;

/** Panel and caption conventions of paper A's figures (laid out by {@code factorized.FigureGrid}). */
public final class Charts {
    public static final int PANEL_WIDTH = 560;
    public static final int PANEL_HEIGHT = 440;

    private Charts() { }

    public static XYChart panel(String title, String x, String y, boolean logX, boolean logY) {
        XYChart c = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setXAxisLogarithmic(logX);
        c.getStyler().setYAxisLogarithmic(logY);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        c.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        c.getStyler().setMarkerSize(5);
        return c;
    }

    public static XYSeries line(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }

    public static XYSeries curve(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    public static XYSeries scatter(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return s;
    }

    /** Title line, then "paper — profile — data" (FigureGrid splits at the newline). */
    public static String caption(SpecInfo spec) {
        return spec.title() + "\n" + spec.paper() + " — profile " + spec.profile() + " — data: " + spec.data();
    }

    /** λ = 0 cannot sit on a log axis: plot it at {@code zeroAt} and say so in the axis title. */
    public static double lambdaAxis(double lambda, double zeroAt) {
        return lambda == 0 ? zeroAt : lambda;
    }

    /** Values floored at 1e-12, so that zeros (a vanished singular value, a gap of 0) can sit on a log axis. */
    public static double[] logFloor(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(out[i], 1e-12);
        }
        return out;
    }

    public static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
