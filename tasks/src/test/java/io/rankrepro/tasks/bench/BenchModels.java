package io.rankrepro.tasks.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rankrepro.tasks.model.CausalDecoder;
import io.rankrepro.tasks.model.GptConfig;
import io.rankrepro.tasks.model.ModelParameters;
import io.rankrepro.tasks.model.Pooling;
import io.rankrepro.tasks.model.SupervisedModel;
import io.rankrepro.tasks.model.TransformerConfig;
import io.rankrepro.tasks.model.VisionTransformer;
import io.rankrepro.tasks.model.VitConfig;
import io.rankrepro.tasks.toy.DiagonalHeadWeights;
import io.rankrepro.tasks.toy.DiagonalTeacher;
import io.rankrepro.tasks.toy.ToyDataset;

import java.util.Random;

/**
 * The benchmarked models at the sizes of the specs' cpu profiles (pipeline/experiments/boix2023):
 * fig1's diagonal head (d = 5, n = 4, N = 64, float64) and fig3's ViT on sklearn digits (8×8×1,
 * patch 2, CLS, 10 classes) and GPT on Moby-Dick bytes (vocab 256, context 48, tied output), both
 * width 64, 8 heads, 5 layers, MLP ratio 4, batch 32, Adam + L2 (λ = 0), clip 1.0. The PyTorch
 * references in bench/python/models.py mirror these.
 */
final class BenchModels {
    static final int WIDTH = 64, HEADS = 8, LAYERS = 5, MLP_RATIO = 4, BATCH = 32;
    static final int IMAGE = 8, CHANNELS = 1, PATCH = 2, CLASSES = 10;
    static final int VOCAB = 256, CONTEXT = 48;
    static final int TOY_SAMPLES = 64, TOY_TOKENS = 4;
    static final double TOY_LR = 0.01;
    static final double LR = 1e-3, CLIP = 1.0;

    private BenchModels() { }

    static TransformerConfig transformer() {
        return new TransformerConfig(WIDTH, HEADS, LAYERS, MLP_RATIO, 1.0);
    }

    static SupervisedModel create(String model, NDManager manager, DataType dtype, long seed) {
        ModelParameters params = new ModelParameters(manager, dtype, seed, 1.0);
        return switch (model) {
            case "vit" -> new VisionTransformer(new VitConfig(IMAGE, CHANNELS, PATCH, CLASSES, Pooling.CLS, transformer()), params);
            case "gpt" -> new CausalDecoder(new GptConfig(VOCAB, CONTEXT, true, transformer()), params);
            default -> throw new IllegalArgumentException("model must be vit or gpt, got " + model);
        };
    }

    /** (inputs, targets) as TrainingData.batch makes them: images [b,C,H,W] float32 + labels int64, or ids [b, context+1] int64. */
    static NDList batch(String model, NDManager manager, Random random, DataType dtype) {
        if (model.equals("vit")) {
            double[] x = new double[BATCH * CHANNELS * IMAGE * IMAGE];
            long[] y = new long[BATCH];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextInt(17) / 16.0; // digits: pixel counts 0..16 scaled to [0, 1]
            }
            for (int i = 0; i < BATCH; i++) {
                y[i] = random.nextInt(CLASSES);
            }
            NDArray images = manager.create(x, new Shape(BATCH, CHANNELS, IMAGE, IMAGE)).toType(dtype, false);
            return new NDList(images, manager.create(y));
        }
        long[] ids = new long[BATCH * (CONTEXT + 1)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(VOCAB);
        }
        return new NDList(manager.create(ids, new Shape(BATCH, CONTEXT + 1)), manager.create(new long[] {0}));
    }

    /** fig1's data: teacher kq = (0.5, 0, 0, −1, 0), vo = (1.2, 0, −0.5, 0, 0), N = 64, n = 4, seed 0. */
    static ToyDataset toyData() {
        DiagonalTeacher teacher = new DiagonalTeacher(new double[] {0.5, 0, 0, -1, 0}, new double[] {1.2, 0, -0.5, 0, 0});
        return ToyDataset.generate(TOY_SAMPLES, TOY_TOKENS, teacher, 0);
    }

    /** Seeded non-zero toy weights (fig1's α-init has w_Q = w_O = 0, whose loss would not test the forward pass). */
    static DiagonalHeadWeights toyWeights(int d, long seed) {
        Random r = new Random(seed);
        double[][] w = new double[4][d];
        for (double[] v : w) {
            for (int i = 0; i < d; i++) {
                v[i] = 0.5 * r.nextGaussian();
            }
        }
        return new DiagonalHeadWeights(w[0], w[1], w[2], w[3]);
    }
}
