package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws paper B's Figure 1 from its series: (a) loss vs τ per α on log y with the greedy
 * prediction dashed, (b) product entries vs τ with greedy switch-on markers, side by side
 * ({@code fig1.png}, {@code fig1.svg}, laid out by {@link Figure}).
 */
public final class Fig1Renderer {
    private static final Color GREEDY = Color.BLACK;

    private Fig1Renderer() { }

    public static void write(List<PlotSeries> series, double lossFloor, Caption caption, Path dir) throws IOException {
        XYChart a = panel("(a) loss vs rescaled time τ = tη/log(1/α)", "loss", series, "a", true);
        a.getStyler().setYAxisMin(lossFloor);
        XYChart b = panel("(b) entries of w_K⊙w_Q (kq) and w_V⊙w_O (vo), smallest α", "entry", series, "b", false);
        Figure.of("fig1", caption, List.of(a, b), 2).write(dir);
    }

    private static XYChart panel(String title, String yTitle, List<PlotSeries> series, String panel, boolean logY) {
        XYChart chart = Panels.xy(title, "rescaled time τ", yTitle, false, logY);
        chart.getStyler().setMarkerSize(8);
        for (PlotSeries s : series) {
            if (!s.panel().equals(panel)) {
                continue;
            }
            switch (s.style()) {
                case LINE -> Panels.curve(chart, s.name(), s.x(), s.y());
                case DASHED -> Panels.dashed(Panels.curve(chart, s.name(), s.x(), s.y()), GREEDY);
                case MARKERS -> {
                    XYSeries xy = Panels.scatter(chart, s.name(), s.x(), s.y());
                    xy.setMarker(SeriesMarkers.DIAMOND);
                    xy.setMarkerColor(GREEDY);
                }
            }
        }
        return chart;
    }
}
