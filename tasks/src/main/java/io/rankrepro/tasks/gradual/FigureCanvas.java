package io.rankrepro.tasks.gradual;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Lays XChart panels out in a grid under a caption that names the figure, the profile and the
 * data, and saves {@code <name>.png} (all panels) plus one {@code <name>-<i>.svg} per panel
 * (XChart draws one chart per SVG).
 */
final class FigureCanvas {
    static final int PANEL_W = 560;
    static final int PANEL_H = 400;

    private FigureCanvas() { }

    static XYChart panel(String title, String xTitle, String yTitle, boolean logX, boolean logY) {
        XYChart c = new XYChartBuilder().width(PANEL_W).height(PANEL_H).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setXAxisLogarithmic(logX);
        c.getStyler().setYAxisLogarithmic(logY);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        c.getStyler().setMarkerSize(4);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        return c;
    }

    static void save(Path dir, String name, List<String> caption, List<XYChart> panels, int columns) throws IOException {
        int rows = (panels.size() + columns - 1) / columns;
        int head = 22 * caption.size() + 10;
        BufferedImage img = new BufferedImage(columns * PANEL_W, head + rows * PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        for (int i = 0; i < caption.size(); i++) {
            g.drawString(caption.get(i), 10, 20 + 22 * i);
        }
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(panels.get(i)), (i % columns) * PANEL_W, head + (i / columns) * PANEL_H, null);
            VectorGraphicsEncoder.saveVectorGraphic(panels.get(i), dir.resolve(name + "-" + (i + 1)).toString(),
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
        g.dispose();
        ImageIO.write(img, "png", dir.resolve(name + ".png").toFile());
    }

    /** Caption lines: what, which profile, which data (proxies named as such). */
    static List<String> caption(String figure, io.rankrepro.tasks.task.SpecInfo spec, String data) {
        return List.of(figure + " — " + spec.paper() + " — profile " + spec.profile() + ", seed " + spec.seed(), "data: " + data);
    }
}
