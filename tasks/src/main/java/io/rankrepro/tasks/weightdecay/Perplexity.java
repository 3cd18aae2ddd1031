package io.rankrepro.tasks.weightdecay;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Accumulates next-token negative log-likelihood over a held-out text: perplexity =
 * exp(Σ NLL / tokens), i.e. exp of the mean NLL over every predicted token (not a mean of
 * per-batch perplexities). With byte tokens this is per-byte perplexity.
 */
public final class Perplexity {
    private double nllSum;
    private long tokens;

    /** Adds the NLL of {@code targets} [n] (int) under {@code logits} [n, vocab]. */
    public void add(NDArray logits, NDArray targets) {
        long vocab = logits.getShape().getLastDimension();
        NDArray logp = logits.logSoftmax(-1);
        NDArray picked = logp.mul(targets.oneHot((int) vocab).toType(logits.getDataType(), false)).sum(new int[] {-1});
        nllSum -= picked.sum().toType(DataType.FLOAT64, false).getDouble();
        tokens += targets.getShape().size();
    }

    public double meanNll() {
        if (tokens == 0) {
            throw new IllegalStateException("no tokens evaluated");
        }
        return nllSum / tokens;
    }

    public long tokens() {
        return tokens;
    }

    public double value() {
        return Math.exp(meanNll());
    }
}
