package io.rankrepro.tasks.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.rankrepro.tasks.optim.GradientClipping;
import io.rankrepro.tasks.optim.GradientSource;
import io.rankrepro.tasks.optim.Optimizer;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * One optimizer update of an online task (fresh data every step) through DJL autograd, under the
 * JVM-wide {@link TrainTask#AUTOGRAD_LOCK} that {@code transformer/train} also takes: the PyTorch
 * engine allows one collecting GradientCollector at a time, and tasks may run in parallel.
 */
public final class AutogradStep {
    private AutogradStep() { }

    /**
     * Builds the loss (batch drawn inside {@code loss}, so its arrays die with the step's scope),
     * back-propagates, optionally clips, steps the optimizer and clears the gradients.
     *
     * @param clip global-norm clip, or 0 for none
     * @return the loss before the update
     */
    public static double run(Supplier<NDArray> loss, Optimizer optimizer, Collection<NDArray> params, double clip) {
        synchronized (TrainTask.AUTOGRAD_LOCK) {
            // grad mode is per thread: off, so the in-place optimizer update is not recorded (see TrainTask)
            JniUtils.setGradMode(false);
            try (NDScope scope = new NDScope()) {
                double value;
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray l = loss.get();
                    gc.backward(l);
                    value = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                }
                // clipping as a gradient scale the optimizer applies, not a rewrite of every gradient
                double scale = clip > 0 ? GradientClipping.factor(GradientClipping.globalNorm(optimizer.groups(), GradientSource.AUTOGRAD), clip) : 1.0;
                optimizer.step(GradientSource.AUTOGRAD, scale);
                for (NDArray p : params) {
                    JniUtils.zeroGrad((PtNDArray) p); // PyTorch accumulates gradients
                }
                return value;
            }
        }
    }
}
