package io.rankrepro.tasks.figures;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A figure: XChart panels (XChart has no subplots) laid out row by row in a grid of equal
 * {@link #PANEL_WIDTH} × {@link #PANEL_HEIGHT} cells under a {@link Caption}, written as
 * {@code <name>.png} and {@code <name>.svg}. Nothing here reads a clock or a random source, fonts
 * and rendering hints are fixed, and XChart 3.8.8 and VectorGraphics2D embed no timestamp, so the
 * same data give the same bytes (on the same fonts and JDK): figures are rebuilt byte for byte
 * from tracked runs.
 */
public final class Figure {
    public static final int PANEL_WIDTH = 560;
    public static final int PANEL_HEIGHT = 440;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final int MARGIN = 12;
    private static final int LINE = 20;

    private final String name;
    private final Caption caption;
    private final List<? extends Chart<?, ?>> panels;
    private final int columns;
    private final boolean svgPerPanel;
    private final List<String> lines;
    private final int titleLines;

    private Figure(String name, Caption caption, List<? extends Chart<?, ?>> panels, int columns, boolean svgPerPanel) {
        if (panels.isEmpty() || columns < 1) {
            throw new IllegalArgumentException(name + ": a figure needs at least one panel and one column");
        }
        this.name = name;
        this.caption = caption;
        this.panels = List.copyOf(panels);
        this.columns = Math.min(columns, panels.size());
        this.svgPerPanel = svgPerPanel;
        List<String> text = caption.lines();
        this.lines = wrap(text, this.columns * PANEL_WIDTH - 2 * MARGIN);
        this.titleLines = wrap(text.subList(0, 1), this.columns * PANEL_WIDTH - 2 * MARGIN).size();
    }

    /** {@code panels} row by row, {@code columns} per row (fewer if there are fewer panels). */
    public static Figure of(String name, Caption caption, List<? extends Chart<?, ?>> panels, int columns) {
        return new Figure(name, caption, panels, columns, false);
    }

    /**
     * The same figure, its vector form written one panel per file, {@code <name>-1.svg} …
     * {@code <name>-<n>.svg} (no caption), instead of {@code <name>.svg}: paper B's training-run
     * figures declare their outputs that way.
     */
    public Figure svgPerPanel() {
        return new Figure(name, caption, panels, columns, true);
    }

    public int columns() {
        return columns;
    }

    public int rows() {
        return (panels.size() + columns - 1) / columns;
    }

    public int width() {
        return columns * PANEL_WIDTH;
    }

    public int height() {
        return captionHeight() + rows() * PANEL_HEIGHT;
    }

    public List<String> captionLines() {
        return lines;
    }

    /** Writes {@code <name>.png} and {@code <name>.svg} (or the per-panel SVGs) into {@code dir}. */
    public void write(Path dir) throws IOException {
        for (Chart<?, ?> panel : panels) {
            if (panel instanceof XYChart xy) {
                Panels.spaceTicks(xy);
            }
        }
        BufferedImage image = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        paint(g);
        g.dispose();
        ImageIO.write(image, "png", dir.resolve(name + ".png").toFile());

        if (!svgPerPanel) {
            VectorGraphics2D vg = new VectorGraphics2D();
            paint(vg);
            svg(vg, width(), height(), dir.resolve(name + ".svg"));
            return;
        }
        for (int i = 0; i < panels.size(); i++) {
            VectorGraphics2D vg = new VectorGraphics2D();
            vg.setColor(Color.WHITE);
            vg.fillRect(0, 0, PANEL_WIDTH, PANEL_HEIGHT);
            panels.get(i).paint(vg, PANEL_WIDTH, PANEL_HEIGHT);
            svg(vg, PANEL_WIDTH, PANEL_HEIGHT, dir.resolve(name + "-" + (i + 1) + ".svg"));
        }
    }

    private static void svg(VectorGraphics2D vg, int width, int height, Path file) throws IOException {
        Document doc = new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, width, height));
        try (OutputStream out = Files.newOutputStream(file)) {
            doc.writeTo(out);
        }
    }

    private int captionHeight() {
        return LINE * lines.size() + MARGIN;
    }

    private void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        g.setColor(Color.BLACK);
        for (int i = 0; i < lines.size(); i++) {
            g.setFont(i < titleLines ? TITLE : TEXT);
            g.drawString(lines.get(i), MARGIN, LINE * (i + 1) - 3);
        }
        int top = captionHeight();
        for (int i = 0; i < panels.size(); i++) {
            Graphics2D cell = (Graphics2D) g.create((i % columns) * PANEL_WIDTH, top + (i / columns) * PANEL_HEIGHT,
                    PANEL_WIDTH, PANEL_HEIGHT);
            panels.get(i).paint(cell, PANEL_WIDTH, PANEL_HEIGHT);
            cell.dispose();
        }
    }

    /** Caption lines broken at spaces so none is wider than {@code room} pixels (a one-panel figure is narrow). */
    static List<String> wrap(List<String> caption, int room) {
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        List<String> out = new ArrayList<>();
        for (int n = 0; n < caption.size(); n++) {
            FontMetrics m = probe.getFontMetrics(n == 0 ? TITLE : TEXT);
            StringBuilder current = new StringBuilder();
            for (String word : caption.get(n).split(" ")) {
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
        probe.dispose();
        return out;
    }
}
