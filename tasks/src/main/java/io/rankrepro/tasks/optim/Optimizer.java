package io.rankrepro.tasks.optim;

import java.util.List;

/**
 * Updates parameter groups in place from their gradients, one step at a time.
 * Implementations: {@link Sgd}, {@link AdamL2} (coupled L2), {@link AdamW} (decoupled decay).
 */
public interface Optimizer {

    /**
     * One update of every parameter, with the gradients from {@code gradients} multiplied by
     * {@code gradientScale} (a clipping factor; the gradients themselves are not modified).
     */
    void step(GradientSource gradients, double gradientScale);

    /** One update of every parameter, with gradients from {@code gradients}. */
    default void step(GradientSource gradients) {
        step(gradients, 1.0);
    }

    /** One update with the gradients autograd left on the parameters. */
    default void step() {
        step(GradientSource.AUTOGRAD);
    }

    /** Updates done so far. */
    long steps();

    /**
     * The optimizer's state arrays by name, e.g. {@code adam.m/blocks.0.attn.w_q} — live arrays, so
     * a resume snapshot writes them out and a restore copies values into them.
     */
    java.util.Map<String, ai.djl.ndarray.NDArray> state();

    /** Continues after {@code steps} updates (with {@link #state()} restored): the schedule and bias corrections resume there. */
    void resumeAt(long steps);

    /** The learning rate the next step will use. */
    double nextLearningRate();

    List<ParameterGroup> groups();
}
