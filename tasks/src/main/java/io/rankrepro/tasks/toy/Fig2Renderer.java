package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.factorized.FigureGrid;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws B-fig2 from its series as a 2×2 grid ({@code fig2.png}, {@code fig2.svg}). A series named
 * "{@code <entry> <what>}" takes the colour of its entry (the text before the first space), so a
 * perturbed entry (solid) and its unperturbed run (dashed) share a colour; dashed series stay out
 * of the legend, which the panel titles explain.
 */
final class Fig2Renderer {
    private static final int PANEL_WIDTH = 660;
    private static final int PANEL_HEIGHT = 460;
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    /** One panel: which series it draws and how its axes read. */
    record Panel(String id, String title, String xTitle, String yTitle, boolean logY) { }

    private Fig2Renderer() { }

    static void write(List<PlotSeries> series, List<Panel> panels, String caption, Path dir) throws IOException {
        Map<String, Color> colors = new HashMap<>();
        List<XYChart> charts = new ArrayList<>();
        for (Panel panel : panels) {
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(panel.title())
                    .xAxisTitle(panel.xTitle()).yAxisTitle(panel.yTitle()).build();
            chart.getStyler().setYAxisLogarithmic(panel.logY());
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setMarkerSize(8)
                    .setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
                    .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11))
                    .setChartBackgroundColor(Color.WHITE);
            for (PlotSeries s : series) {
                if (!s.panel().equals(panel.id())) {
                    continue;
                }
                String entry = s.name().split(" ", 2)[0];
                Color color = entry.contains("[") ? colors.computeIfAbsent(entry, k -> PALETTE[colors.size() % PALETTE.length])
                        : Color.BLACK;
                XYSeries xy = chart.addSeries(s.name(), s.x(), s.y());
                xy.setLineColor(color);
                xy.setMarkerColor(color);
                switch (s.style()) {
                    case LINE -> xy.setMarker(SeriesMarkers.NONE);
                    case DASHED -> {
                        xy.setMarker(SeriesMarkers.NONE);
                        xy.setLineStyle(SeriesLines.DASH_DASH);
                        xy.setShowInLegend(false);
                    }
                    case MARKERS -> {
                        xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                        xy.setMarker(SeriesMarkers.DIAMOND);
                    }
                }
            }
            charts.add(chart);
        }
        FigureGrid.write(charts, 2, PANEL_WIDTH, PANEL_HEIGHT, caption, dir.resolve("fig2"));
    }
}
