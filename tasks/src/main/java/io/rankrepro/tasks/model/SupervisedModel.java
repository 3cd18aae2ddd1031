package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;

/** A model trained by minimizing a mean cross-entropy over its batch. */
public interface SupervisedModel {

    ModelParameters parameters();

    /** Mean cross-entropy of the model on (inputs, targets); a scalar that can be differentiated. */
    NDArray loss(NDArray inputs, NDArray targets);

    /**
     * Mean cross-entropy of logits [n, classes] against integer labels [n]: −mean_i log softmax(z_i)[y_i],
     * the labelled entry picked by a gather (PyTorch's {@code F.cross_entropy} does the same pick; a
     * one-hot product would make and differentiate an n × classes array per step).
     */
    static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray logp = logits.logSoftmax(-1);
        return logp.gather(labels.toType(ai.djl.ndarray.types.DataType.INT64, false).reshape(-1, 1), 1).mean().neg();
    }
}
