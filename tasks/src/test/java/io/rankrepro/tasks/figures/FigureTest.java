package io.rankrepro.tasks.figures;

import io.rankrepro.tasks.task.SpecInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FigureTest {
    private static final SpecInfo SPEC = new SpecInfo("kobayashi2024/fig1", "factorized toy", "Kobayashi et al. 2024, Figure 1",
            "synthetic", "smoke", 7);

    /** A fresh figure every call, as a rebuild from the same tracked data would make it. */
    private static Figure figure(int panels, int columns) {
        List<XYChart> charts = new ArrayList<>();
        double[] steps = IntStream.rangeClosed(0, 300).asDoubleStream().toArray();
        for (int p = 0; p < panels; p++) {
            XYChart c = Panels.xy("panel " + (p + 1), "step t", "value", false, p % 2 == 1);
            final int k = p;
            Panels.curve(c, "decay", steps, Panels.logFloor(IntStream.rangeClosed(0, 300).mapToDouble(t -> Math.exp(-0.05 * t * (k + 1)) - (t > 250 ? 1 : 0)).toArray()));
            Panels.line(c, "points", new double[] {0, 150, 300}, new double[] {1, 0.5, 0.25});
            charts.add(c);
        }
        return Figure.of("fig", Caption.of(SPEC).note("a note"), charts, columns);
    }

    @Test
    void theSameFigureWrittenTwiceHasTheSameBytes(@TempDir Path root) throws Exception {
        Path a = Files.createDirectories(root.resolve("a"));
        Path b = Files.createDirectories(root.resolve("b"));
        figure(3, 2).write(a);
        figure(3, 2).write(b);
        for (String f : List.of("fig.png", "fig.svg")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        Figure again = figure(3, 2);
        again.write(b);
        again.write(b); // writing one figure twice changes nothing either
        assertArrayEquals(Files.readAllBytes(a.resolve("fig.png")), Files.readAllBytes(b.resolve("fig.png")));
        assertArrayEquals(Files.readAllBytes(a.resolve("fig.svg")), Files.readAllBytes(b.resolve("fig.svg")));
    }

    @Test
    void theCaptionHoldsTheSpecIdPaperProfileSeedAndData() {
        List<String> lines = Caption.of(SPEC).note("a note").lines();
        assertEquals(List.of("factorized toy (kobayashi2024/fig1)",
                "Kobayashi et al. 2024, Figure 1 — profile smoke — seed 7 — data: synthetic", "a note"), lines);
        assertEquals("data: proxy digits", Caption.of(SPEC).data("proxy digits").lines().get(1).replaceAll(".*— ", ""));
        String caption = String.join("\n", figure(1, 1).captionLines());
        assertTrue(caption.contains("kobayashi2024/fig1") && caption.contains("profile smoke"), caption);
    }

    @Test
    void nPanelsFillAGridOfEqualCells(@TempDir Path dir) throws Exception {
        Figure five = figure(5, 3);
        assertEquals(3, five.columns());
        assertEquals(2, five.rows());
        five.write(dir);
        BufferedImage png = ImageIO.read(dir.resolve("fig.png").toFile());
        int caption = png.getHeight() - 2 * Figure.PANEL_HEIGHT;
        assertEquals(3 * Figure.PANEL_WIDTH, png.getWidth());
        assertTrue(caption > 0 && caption < Figure.PANEL_HEIGHT / 2, "caption height " + caption);
        assertTrue(Files.readString(dir.resolve("fig.svg")).contains("width=\"" + 3 * Figure.PANEL_WIDTH), "svg size");

        Figure two = figure(2, 4); // fewer panels than columns: one row, two cells wide
        assertEquals(2 * Figure.PANEL_WIDTH, two.width());
        assertEquals(caption + Figure.PANEL_HEIGHT, two.height());
        assertEquals(1, two.rows());
    }

    @Test
    void perPanelSvgsAreNamedByIndexAndReplaceTheFigureSvg(@TempDir Path dir) throws Exception {
        figure(3, 3).svgPerPanel().write(dir);
        assertTrue(Files.isRegularFile(dir.resolve("fig.png")));
        assertTrue(Files.isRegularFile(dir.resolve("fig-1.svg")) && Files.isRegularFile(dir.resolve("fig-3.svg")));
        assertFalse(Files.exists(dir.resolve("fig-4.svg")) || Files.exists(dir.resolve("fig.svg")));
    }

    @Test
    void anEquallySpacedStepAxisGetsItsTickSpacerOnceAndItStaysOutOfTheLegend() {
        XYChart c = Panels.xy("t", "step", "y");
        Panels.curve(c, "s", IntStream.rangeClosed(0, 300).asDoubleStream().toArray(), new double[301]);
        Panels.spaceTicks(c);
        Panels.spaceTicks(c);
        assertEquals(2, c.getSeriesMap().size());
        assertTrue(c.getSeriesMap().values().stream().filter(s -> !s.getName().equals("s")).noneMatch(s -> s.isShowInLegend()));
        XYChart uneven = Panels.xy("t", "x", "y");
        Panels.curve(uneven, "s", new double[] {0, 1, 3}, new double[] {1, 2, 3});
        Panels.spaceTicks(uneven);
        assertEquals(1, uneven.getSeriesMap().size());
    }
}
