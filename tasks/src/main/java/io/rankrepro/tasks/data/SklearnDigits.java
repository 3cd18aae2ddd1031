package io.rankrepro.tasks.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * scikit-learn's bundled {@code digits.csv.gz}: 1797 rows of 64 pixel counts in 0..16 (an 8×8
 * image) and a label 0..9. A CPU-scale proxy for an image classification set, never CIFAR.
 */
public final class SklearnDigits {
    public static final int SIDE = 8;
    public static final int CLASSES = 10;
    private static final int MAX_PIXEL = 16;

    private SklearnDigits() { }

    /** Reads the file after checking it against its pinned SHA-256 (when its name is the known one). */
    public static ImageSet read(Path file) throws IOException {
        Checksums.requireFile(file);
        Checksums.verifyKnown(file);
        return parse(file);
    }

    static ImageSet parse(Path file) throws IOException {
        float[] pixels = new float[0];
        int[] labels = new int[0];
        int n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != SIDE * SIDE + 1) {
                    throw new IOException(file + ": line " + (n + 1) + " has " + f.length + " fields, expected 65 (64 pixels and a label)");
                }
                if (n == labels.length) {
                    pixels = java.util.Arrays.copyOf(pixels, Math.max(64, 2 * pixels.length));
                    labels = java.util.Arrays.copyOf(labels, Math.max(1, 2 * labels.length));
                }
                for (int i = 0; i < SIDE * SIDE; i++) {
                    double v = number(file, n, f[i]);
                    if (v < 0 || v > MAX_PIXEL) {
                        throw new IOException(file + ": line " + (n + 1) + " pixel " + i + " is " + v + ", outside 0..16");
                    }
                    pixels[n * SIDE * SIDE + i] = (float) (v / MAX_PIXEL);
                }
                labels[n] = (int) number(file, n, f[SIDE * SIDE]);
                n++;
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new IOException(file + ": corrupt gzip stream (" + e.getMessage() + ")", e);
        }
        if (n == 0) {
            throw new IOException(file + ": no images");
        }
        try {
            return new ImageSet("sklearn digits 8x8", n, 1, SIDE, SIDE, CLASSES,
                    java.util.Arrays.copyOf(pixels, n * SIDE * SIDE), java.util.Arrays.copyOf(labels, n));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static double number(Path file, int row, String s) throws IOException {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IOException(file + ": line " + (row + 1) + " has a non-number '" + s + "'");
        }
    }
}
