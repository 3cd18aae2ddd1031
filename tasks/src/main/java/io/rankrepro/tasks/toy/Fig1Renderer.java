package io.rankrepro.tasks.toy;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws paper B's Figure 1 from its series: (a) loss vs τ per α on log y with the greedy
 * prediction dashed, (b) product entries vs τ with greedy switch-on markers, side by side under
 * a two-line caption. Writes {@code fig1.png} and {@code fig1.svg}. Nothing here reads a clock or
 * a random source, and XChart 3.8.8's painting embeds no timestamp, so equal series give equal bytes
 * (on the same fonts and JDK).
 */
public final class Fig1Renderer {
    private static final int PANEL_WIDTH = 640;
    private static final int PANEL_HEIGHT = 480;
    private static final int CAPTION_HEIGHT = 50;
    private static final Color GREEDY = Color.BLACK;

    private Fig1Renderer() { }

    public static void write(List<PlotSeries> series, double lossFloor, String title, String subtitle, Path dir)
            throws IOException {
        XYChart a = panel("(a) loss vs rescaled time τ = tη/log(1/α)", "loss", series, "a");
        a.getStyler().setYAxisLogarithmic(true).setYAxisMin(lossFloor);
        XYChart b = panel("(b) entries of w_K⊙w_Q (kq) and w_V⊙w_O (vo), smallest α", "entry", series, "b");
        int width = 2 * PANEL_WIDTH;
        int height = CAPTION_HEIGHT + PANEL_HEIGHT;

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        paint(g, a, b, title, subtitle, width, height);
        g.dispose();
        ImageIO.write(image, "png", dir.resolve("fig1.png").toFile());

        VectorGraphics2D vg = new VectorGraphics2D();
        paint(vg, a, b, title, subtitle, width, height);
        Document doc = new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, width, height));
        try (OutputStream out = Files.newOutputStream(dir.resolve("fig1.svg"))) {
            doc.writeTo(out);
        }
    }

    private static XYChart panel(String title, String yTitle, List<PlotSeries> series, String panel) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("rescaled time τ").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE).setMarkerSize(8)
                .setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
                .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (PlotSeries s : series) {
            if (!s.panel().equals(panel)) {
                continue;
            }
            XYSeries xy = chart.addSeries(s.name(), s.x(), s.y());
            switch (s.style()) {
                case LINE -> xy.setMarker(SeriesMarkers.NONE);
                case DASHED -> {
                    xy.setMarker(SeriesMarkers.NONE);
                    xy.setLineStyle(SeriesLines.DASH_DASH);
                    xy.setLineColor(GREEDY);
                }
                case MARKERS -> {
                    xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                    xy.setMarker(SeriesMarkers.DIAMOND);
                    xy.setMarkerColor(GREEDY);
                }
            }
        }
        return chart;
    }

    /** The largest font up to {@code size} (down to 9 pt) in which {@code text} fits {@code room} pixels: a long spec title must not be cut off. */
    private static Font fitting(Graphics2D g, String text, int style, int size, int room) {
        Font font = new Font(Font.SANS_SERIF, style, size);
        while (size > 9 && g.getFontMetrics(font).stringWidth(text) > room) {
            font = new Font(Font.SANS_SERIF, style, --size);
        }
        return font;
    }

    private static void paint(Graphics2D g, XYChart a, XYChart b, String title, String subtitle, int width, int height) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(fitting(g, title, Font.BOLD, 15, width - 24));
        g.drawString(title, 12, 20);
        g.setFont(fitting(g, subtitle, Font.PLAIN, 12, width - 24));
        g.drawString(subtitle, 12, 40);
        for (int i = 0; i < 2; i++) {
            Graphics2D p = (Graphics2D) g.create(i * PANEL_WIDTH, CAPTION_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT);
            (i == 0 ? a : b).paint(p, PANEL_WIDTH, PANEL_HEIGHT);
            p.dispose();
        }
    }
}
