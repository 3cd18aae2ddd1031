package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.figures.Figure;
import io.rankrepro.tasks.figures.Panels;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws B-fig2 from its series as a 2×2 grid ({@code fig2.png}, {@code fig2.svg}, laid out by
 * {@link Figure}). A series named "{@code <entry> <what>}" takes the colour of its entry (the text
 * before the first space), so a perturbed entry (solid) and its unperturbed run (dashed) share a
 * colour; dashed series stay out of the legend, which the panel titles explain.
 */
final class Fig2Renderer {
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    /** One panel: which series it draws and how its axes read. */
    record Panel(String id, String title, String xTitle, String yTitle, boolean logY) { }

    private Fig2Renderer() { }

    static void write(List<PlotSeries> series, List<Panel> panels, Caption caption, Path dir) throws IOException {
        Map<String, Color> colors = new HashMap<>();
        List<XYChart> charts = new ArrayList<>();
        for (Panel panel : panels) {
            XYChart chart = Panels.xy(panel.title(), panel.xTitle(), panel.yTitle(), false, panel.logY());
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setMarkerSize(8);
            for (PlotSeries s : series) {
                if (!s.panel().equals(panel.id())) {
                    continue;
                }
                String entry = s.name().split(" ", 2)[0];
                Color color = entry.contains("[") ? colors.computeIfAbsent(entry, k -> PALETTE[colors.size() % PALETTE.length])
                        : Color.BLACK;
                XYSeries xy = switch (s.style()) {
                    case LINE -> Panels.curve(chart, s.name(), s.x(), s.y());
                    case DASHED -> {
                        XYSeries d = Panels.dashed(Panels.curve(chart, s.name(), s.x(), s.y()));
                        d.setShowInLegend(false);
                        yield d;
                    }
                    case MARKERS -> {
                        XYSeries m = Panels.scatter(chart, s.name(), s.x(), s.y());
                        m.setMarker(SeriesMarkers.DIAMOND);
                        yield m;
                    }
                };
                xy.setLineColor(color);
                xy.setMarkerColor(color);
            }
            charts.add(chart);
        }
        Figure.of("fig2", caption, charts, 2).write(dir);
    }
}
