package io.rankrepro.tasks.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rankrepro.tasks.io.NpzArray;
import io.rankrepro.tasks.io.NpzDtype;
import io.rankrepro.tasks.io.NpzReader;
import io.rankrepro.tasks.io.NpzWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code data/prepare} leaves for training: {@code dataset.json} (a {@link Manifest}) and
 * either {@code images.npz} (x: float32 [n, C, H, W] standardized per channel, y: int32 [n]) or
 * {@code tokens.npz} (tokens: int32 [n]).
 */
public final class PreparedData {
    public static final String MANIFEST = "dataset.json";
    public static final String IMAGES = "images.npz";
    public static final String TOKENS = "tokens.npz";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param dataset  spec name, e.g. {@code sklearn-digits}
     * @param label    what to print on figures, e.g. "proxy for CIFAR-10: sklearn digits 8×8"
     * @param modality {@code image} or {@code text}
     * @param classes  image classes (0 for text)
     * @param vocab    text vocabulary (0 for images)
     * @param shape    [C, H, W] of one image, or [] for text
     * @param count    images or tokens
     * @param checksum what was verified, e.g. "SHA-256 09f6… (pinned)", or "none published"
     */
    public record Manifest(String dataset, String label, String modality, int classes, int vocab, List<Integer> shape,
                           long count, String checksum) { }

    private PreparedData() { }

    public static void writeImages(Path dir, Manifest m, ImageSet set) throws IOException {
        double[] x = standardized(set);
        double[] y = new double[set.count()];
        for (int i = 0; i < y.length; i++) {
            y[i] = set.labels()[i];
        }
        NpzWriter.write(dir.resolve(IMAGES), List.of(
                new NpzArray("x", new long[] {set.count(), set.channels(), set.height(), set.width()}, x, NpzDtype.FLOAT32),
                new NpzArray("y", new long[] {set.count()}, y, NpzDtype.INT32)));
        JSON.writeValue(dir.resolve(MANIFEST).toFile(), m);
    }

    public static void writeTokens(Path dir, Manifest m, TokenStream tokens) throws IOException {
        double[] t = new double[tokens.tokens().length];
        for (int i = 0; i < t.length; i++) {
            t[i] = tokens.tokens()[i];
        }
        NpzWriter.write(dir.resolve(TOKENS), List.of(new NpzArray("tokens", new long[] {t.length}, t, NpzDtype.INT32)));
        JSON.writeValue(dir.resolve(MANIFEST).toFile(), m);
    }

    public static Manifest manifest(Path dir) throws IOException {
        Path f = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(f)) {
            throw new IOException(dir + ": no " + MANIFEST + "; is this the output of a data/prepare task?");
        }
        return JSON.readValue(f.toFile(), Manifest.class);
    }

    public static Map<String, NpzArray> arrays(Path dir, Manifest m) throws IOException {
        return NpzReader.read(dir.resolve(m.modality().equals("image") ? IMAGES : TOKENS));
    }

    /** Per-channel (x − mean) / std over the whole set: the usual input normalization. */
    private static double[] standardized(ImageSet s) {
        int plane = s.height() * s.width();
        double[] out = new double[s.pixels().length];
        for (int c = 0; c < s.channels(); c++) {
            double sum = 0;
            double sq = 0;
            long n = (long) s.count() * plane;
            for (int i = 0; i < s.count(); i++) {
                int base = (i * s.channels() + c) * plane;
                for (int p = 0; p < plane; p++) {
                    double v = s.pixels()[base + p];
                    sum += v;
                    sq += v * v;
                }
            }
            double mean = sum / n;
            double std = Math.sqrt(Math.max(sq / n - mean * mean, 1e-12));
            for (int i = 0; i < s.count(); i++) {
                int base = (i * s.channels() + c) * plane;
                for (int p = 0; p < plane; p++) {
                    out[base + p] = (s.pixels()[base + p] - mean) / std;
                }
            }
        }
        return out;
    }
}
