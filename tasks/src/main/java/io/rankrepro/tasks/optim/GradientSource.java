package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;

/**
 * Where an optimizer step finds each parameter's gradient: DJL autograd ({@link #AUTOGRAD}) or
 * gradients computed by hand (e.g. a closed-form toy gradient held in a map).
 */
@FunctionalInterface
public interface GradientSource {

    /** {@code param.getGradient()}, filled by a {@code GradientCollector}'s backward pass. */
    GradientSource AUTOGRAD = NDArray::getGradient;

    /** The gradient of the loss with respect to {@code param}, same shape and data type. */
    NDArray gradientOf(NDArray param);
}
