package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.function.Supplier;

/**
 * Frees a computation's temporaries as soon as it returns, as Python frees a tensor at its last
 * use. Without this, every intermediate of a training step's forward pass lives until the step's
 * scope closes, so each new array takes fresh memory instead of reusing a dead one's, and the
 * step's working set grows by the whole forward pass. Closing an array drops only our handle:
 * what autograd saved for the backward pass it keeps by its own reference.
 */
public final class Intermediates {
    private Intermediates() { }

    /** Evaluates {@code computation} in its own scope and closes every array it made except the result. */
    public static NDArray keepOnly(Supplier<NDArray> computation) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = computation.get();
            NDScope.unregister(result);
        }
        NDScope.register(result); // now owned by the enclosing scope, if there is one
        return result;
    }
}
