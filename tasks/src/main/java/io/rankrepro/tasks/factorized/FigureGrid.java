package io.rankrepro.tasks.factorized;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.knowm.xchart.internal.chartpart.Chart;

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
 * Several XChart charts in one figure (XChart has no subplots), under a caption line, written as
 * PNG and SVG. Paper A's figures are multi-panel; the caption says profile and data.
 */
public final class FigureGrid {
    private static final int CAPTION_HEIGHT = 52;

    private FigureGrid() { }

    /**
     * @param charts  panels, row by row
     * @param columns panels per row
     * @param caption up to two lines above the panels (title; paper, profile, data), split at the first newline
     * @param base    output path without extension; writes base.png and base.svg
     */
    public static void write(List<? extends Chart<?, ?>> charts, int columns, int panelWidth, int panelHeight,
                             String caption, Path base) throws IOException {
        int rows = (charts.size() + columns - 1) / columns;
        int width = columns * panelWidth;
        int height = CAPTION_HEIGHT + rows * panelHeight;

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        paint(g, charts, columns, panelWidth, panelHeight, width, height, caption);
        g.dispose();
        ImageIO.write(image, "png", base.resolveSibling(base.getFileName() + ".png").toFile());

        VectorGraphics2D vg = new VectorGraphics2D();
        paint(vg, charts, columns, panelWidth, panelHeight, width, height, caption);
        Document doc = new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, width, height));
        try (OutputStream out = Files.newOutputStream(base.resolveSibling(base.getFileName() + ".svg"))) {
            doc.writeTo(out);
        }
    }

    private static void paint(Graphics2D g, List<? extends Chart<?, ?>> charts, int columns, int panelWidth,
                              int panelHeight, int width, int height, String caption) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        String[] lines = caption.split("\n", 2);
        g.drawString(lines[0], 12, 21);
        if (lines.length > 1) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString(lines[1], 12, 42);
        }
        for (int i = 0; i < charts.size(); i++) {
            Graphics2D panel = (Graphics2D) g.create((i % columns) * panelWidth, CAPTION_HEIGHT + (i / columns) * panelHeight,
                    panelWidth, panelHeight);
            charts.get(i).paint(panel, panelWidth, panelHeight);
            panel.dispose();
        }
    }
}
