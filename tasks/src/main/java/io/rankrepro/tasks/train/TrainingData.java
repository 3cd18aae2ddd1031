package io.rankrepro.tasks.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rankrepro.tasks.data.PreparedData;
import io.rankrepro.tasks.io.NpzArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Random mini-batches from a prepared data set: images with labels (sampled with replacement),
 * or windows of {@code context + 1} consecutive tokens at random offsets. Batches are assembled
 * in Java and handed to the engine as one array each, so a step costs two JNI copies.
 */
public final class TrainingData {
    private final PreparedData.Manifest manifest;
    private final float[] images;
    private final int[] labels;
    private final int[] tokens;
    private final int exampleSize;
    private final Random random;

    private TrainingData(PreparedData.Manifest manifest, float[] images, int[] labels, int[] tokens, long seed) {
        this.manifest = manifest;
        this.images = images;
        this.labels = labels;
        this.tokens = tokens;
        this.exampleSize = manifest.shape().stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b);
        this.random = new Random(seed);
    }

    public static TrainingData load(Path dir, long seed) throws IOException {
        return load(dir, seed, 0);
    }

    /**
     * As {@link #load(Path, long)}, but a text corpus keeps only its first {@code 1 − holdoutFraction}
     * of tokens, so the tail ({@link #heldOutStart}) can measure test perplexity on text never trained on.
     */
    public static TrainingData load(Path dir, long seed, double holdoutFraction) throws IOException {
        if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
            throw new IllegalArgumentException("holdout_fraction must be in [0, 1), got " + holdoutFraction);
        }
        PreparedData.Manifest m = PreparedData.manifest(dir);
        Map<String, NpzArray> arrays = PreparedData.arrays(dir, m);
        if (m.modality().equals("image")) {
            double[] x = arrays.get("x").data();
            double[] y = arrays.get("y").data();
            float[] xf = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                xf[i] = (float) x[i];
            }
            int[] yi = new int[y.length];
            for (int i = 0; i < y.length; i++) {
                yi[i] = (int) y[i];
            }
            return new TrainingData(m, xf, yi, null, seed);
        }
        double[] t = arrays.get("tokens").data();
        int[] ti = new int[heldOutStart(t.length, holdoutFraction)];
        for (int i = 0; i < ti.length; i++) {
            ti[i] = (int) t[i];
        }
        return new TrainingData(m, null, null, ti, seed);
    }

    /** Index of the first held-out token of a {@code count}-token corpus: the training text is [0, start). */
    public static int heldOutStart(int count, double holdoutFraction) {
        return count - (int) Math.round(count * holdoutFraction);
    }

    public PreparedData.Manifest manifest() {
        return manifest;
    }

    /** (images [b, C, H, W], labels [b]) or (token windows [b, context + 1], unused). */
    public NDList batch(NDManager manager, int batchSize, int context) {
        if (tokens == null) {
            float[] x = new float[batchSize * exampleSize];
            long[] y = new long[batchSize];
            for (int i = 0; i < batchSize; i++) {
                int k = draw(context);
                System.arraycopy(images, k * exampleSize, x, i * exampleSize, exampleSize);
                y[i] = labels[k];
            }
            long[] shape = new long[] {batchSize, manifest.shape().get(0), manifest.shape().get(1), manifest.shape().get(2)};
            return new NDList(manager.create(x, new Shape(shape)), manager.create(y));
        }
        int window = context + 1;
        if (tokens.length < window + 1) {
            throw new IllegalStateException("corpus of " + tokens.length + " tokens is shorter than a " + window + "-token window");
        }
        long[] ids = new long[batchSize * window];
        for (int i = 0; i < batchSize; i++) {
            int start = draw(context);
            for (int j = 0; j < window; j++) {
                ids[i * window + j] = tokens[start + j];
            }
        }
        return new NDList(manager.create(ids, new Shape(batchSize, window)), manager.create(new long[] {0}));
    }

    /**
     * Advances the sampler past {@code batches} batches without assembling them: the same draws as
     * {@link #batch}, so a resumed training sees the batches an uninterrupted one would.
     */
    public void skip(long batches, int batchSize, int context) {
        for (long b = 0; b < batches; b++) {
            for (int i = 0; i < batchSize; i++) {
                draw(context);
            }
        }
    }

    /** One example: an image index, or the start of a {@code context + 1}-token window. */
    private int draw(int context) {
        return tokens == null ? random.nextInt(labels.length) : random.nextInt(tokens.length - (context + 1) + 1);
    }
}
