package io.rankrepro.tasks.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Shape of a stack of pre-LN transformer blocks.
 *
 * @param width     model width d
 * @param heads     attention heads per layer; d must be divisible by it (d_h = d / heads)
 * @param layers    number of blocks
 * @param mlpRatio  MLP hidden width = mlpRatio · d
 * @param initScale multiplier on the default initialization of every weight matrix and embedding
 *                  (paper B, Fig. 5: "all init multiplied by a scale", 1 = default). LayerNorm
 *                  gains and all biases keep their default 1 / 0: scaling a LayerNorm gain would
 *                  only rescale the next matrix, and biases start at zero.
 */
public record TransformerConfig(int width, int heads, int layers, int mlpRatio, double initScale) {

    /** Largest width / layer count we accept; bigger is a typo for these experiments, not a model. */
    public static final int MAX_WIDTH = 8192;
    public static final int MAX_LAYERS = 256;

    public TransformerConfig {
        List<String> problems = problems(width, heads, layers, mlpRatio, initScale);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    public int headWidth() {
        return width / heads;
    }

    /** Every problem with these values, each naming the field; empty when valid. */
    public static List<String> problems(long width, long heads, long layers, long mlpRatio, double initScale) {
        List<String> p = new ArrayList<>();
        if (width < 1 || width > MAX_WIDTH) {
            p.add("width must be in [1, " + MAX_WIDTH + "], got " + width);
        }
        if (heads < 1 || heads > Math.max(1, width)) {
            p.add("heads must be in [1, width], got " + heads);
        } else if (width >= 1 && width % heads != 0) {
            p.add("width " + width + " must be divisible by heads " + heads);
        }
        if (layers < 1 || layers > MAX_LAYERS) {
            p.add("layers must be in [1, " + MAX_LAYERS + "], got " + layers);
        }
        if (mlpRatio < 1 || mlpRatio > 16) {
            p.add("mlp_ratio must be in [1, 16], got " + mlpRatio);
        }
        if (!(initScale > 0) || !Double.isFinite(initScale) || initScale > 100) {
            p.add("init_scale must be in (0, 100], got " + initScale);
        }
        return p;
    }
}
