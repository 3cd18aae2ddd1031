package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * A 0-d constant whose memory the engine owns, for multiplying an array that autograd tracks.
 *
 * <p>Why: DJL's {@code NDArray.mul(Number)} (and div, pow, …) wraps the number in a temporary
 * array made by {@code torch::from_blob} over a Java direct buffer and closes it at once. Autograd
 * keeps that scalar for the backward pass, but its memory is the Java buffer, which the garbage
 * collector frees whenever it runs: a backward pass after that read freed memory. In a float32
 * GPT this scaled W_Q's gradient (the score scale folded into W_Q) by whatever had reused the
 * memory, in about one process of four, and Adam turned it into a 1e-3 difference in W_Q — the
 * "nondeterminism" of docs/ARCHITECTURE.md. A copy made by the engine lives as long as autograd
 * needs it.
 */
public final class EngineScalar {
    private EngineScalar() { }

    public static NDArray of(NDManager manager, double value, DataType dtype) {
        // staged: float64 over a Java buffer. A cast to float64 would return it (or an alias of it),
        // so the engine's own copy is made explicitly (duplicate = torch clone).
        try (NDArray staged = manager.create(value)) {
            NDArray cast = staged.toType(dtype, false);
            NDArray owned = cast.duplicate();
            if (cast != staged) {
                cast.close();
            }
            return owned;
        }
    }
}
