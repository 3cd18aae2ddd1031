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
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        List<String> lines = wrap(caption, font, columns * PANEL_W - 20);
        int head = 22 * lines.size() + 10;
        BufferedImage img = new BufferedImage(columns * PANEL_W, head + rows * PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(font);
        for (int i = 0; i < lines.size(); i++) {
            g.drawString(lines.get(i), 10, 20 + 22 * i);
        }
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(panels.get(i)), (i % columns) * PANEL_W, head + (i / columns) * PANEL_H, null);
            VectorGraphicsEncoder.saveVectorGraphic(panels.get(i), dir.resolve(name + "-" + (i + 1)).toString(),
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
        g.dispose();
        ImageIO.write(img, "png", dir.resolve(name + ".png").toFile());
    }

    /** Caption lines broken at spaces so none is wider than {@code room} pixels (a one-panel figure is narrow). */
    static List<String> wrap(List<String> caption, Font font, int room) {
        java.awt.FontMetrics m = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(font);
        List<String> out = new java.util.ArrayList<>();
        for (String line : caption) {
            StringBuilder current = new StringBuilder();
            for (String word : line.split(" ")) {
                String next = current.length() == 0 ? word : current + " " + word;
                if (current.length() > 0 && m.stringWidth(next) > room) {
                    out.add(current.toString());
                    current = new StringBuilder("    " + word);
                } else {
                    current = new StringBuilder(next);
                }
            }
            out.add(current.toString());
        }
        return out;
    }

    /** Caption lines: what, which profile, which data (proxies named as such). */
    static List<String> caption(String figure, io.rankrepro.tasks.task.SpecInfo spec, String data) {
        return List.of(figure + " — " + spec.paper() + " — profile " + spec.profile() + ", seed " + spec.seed(), "data: " + data);
    }
}
