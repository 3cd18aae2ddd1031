package io.rankrepro.tasks.incontext;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Random;

/**
 * Online in-context linear regression: every sequence draws its own task w ~ N(0, I_{d_x}), then
 * {@code context} pairs and {@code queries} query points x ~ N(0, I), y = w·x + σε. Nothing
 * repeats, so a model can only lower the loss by learning to regress from the context.
 *
 * <p>Tokens have {@link #features(int) d_x + 2} entries: {@code [x; y; 0]} for a context pair and
 * {@code [x; 0; 1]} for a query (the last entry flags a query, so a true y of 0 is not mistaken
 * for a missing one). Context tokens come first.
 */
public final class InContextRegressionStream {
    private final int dimX;
    private final int context;
    private final int queries;
    private final double noise;
    private final Random random;

    public InContextRegressionStream(int dimX, int context, int queries, double noise, long seed) {
        if (dimX < 1 || context < 1 || queries < 1 || !(noise >= 0)) {
            throw new IllegalArgumentException("need dim_x, context, queries >= 1 and noise >= 0");
        }
        this.dimX = dimX;
        this.context = context;
        this.queries = queries;
        this.noise = noise;
        this.random = new Random(seed);
    }

    public static int features(int dimX) {
        return dimX + 2;
    }

    /** One batch as plain arrays: tokens [n, context + queries, d_x + 2] and query targets [n, queries]. */
    public Batch draw(int n) {
        int f = features(dimX);
        int t = context + queries;
        double[] tokens = new double[n * t * f];
        double[] targets = new double[n * queries];
        double[] w = new double[dimX];
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < dimX; j++) {
                w[j] = random.nextGaussian();
            }
            for (int i = 0; i < t; i++) {
                int at = (b * t + i) * f;
                double y = noise * random.nextGaussian();
                for (int j = 0; j < dimX; j++) {
                    double x = random.nextGaussian();
                    tokens[at + j] = x;
                    y += w[j] * x;
                }
                if (i < context) {
                    tokens[at + dimX] = y;
                } else {
                    tokens[at + dimX + 1] = 1;
                    targets[b * queries + i - context] = y;
                }
            }
        }
        return new Batch(n, t, f, tokens, targets);
    }

    /** A drawn batch; {@link #toNd} makes the model's inputs. */
    public record Batch(int n, int tokensPerSequence, int features, double[] tokens, double[] targets) {
        public NDList toNd(NDManager manager, DataType dtype) {
            return new NDList(
                    manager.create(tokens, new Shape(n, tokensPerSequence, features)).toType(dtype, false),
                    manager.create(targets, new Shape(n, targets.length / n)).toType(dtype, false));
        }
    }

    public int dimX() {
        return dimX;
    }

    public int context() {
        return context;
    }

    public int queries() {
        return queries;
    }

    public double noise() {
        return noise;
    }
}
