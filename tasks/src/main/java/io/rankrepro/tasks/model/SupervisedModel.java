package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;

/** A model trained by minimizing a mean cross-entropy over its batch. */
public interface SupervisedModel {

    ModelParameters parameters();

    /** Mean cross-entropy of the model on (inputs, targets); a scalar that can be differentiated. */
    NDArray loss(NDArray inputs, NDArray targets);

    /** Mean cross-entropy of logits [n, classes] against integer labels [n]. */
    static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long classes = logits.getShape().getLastDimension();
        NDArray logp = logits.logSoftmax(-1);
        NDArray oneHot = labels.oneHot((int) classes).toType(logits.getDataType(), false);
        return logp.mul(oneHot).sum(new int[] {-1}).mean().neg();
    }
}
