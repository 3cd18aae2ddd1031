package io.rankrepro.tasks.toy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.io.IOException;
import java.util.Arrays;

/**
 * Full-batch plain gradient descent on the toy head with DJL autograd (PyTorch engine, float64):
 * w ← w − η ∇ℓ(w) for each of w_K, w_Q, w_V, w_O, {@code steps} times. Deterministic: same data,
 * init and config give the same bits.
 */
public final class DiagonalHeadTrainer {

    /**
     * @param learningRate    η
     * @param steps           number of updates; losses and weights are reported for steps 0..steps
     * @param logEvery        report the loss every this many steps (and at the last step)
     * @param checkpointSteps steps whose weights are reported, ascending
     */
    public record Config(double learningRate, long steps, long logEvery, long[] checkpointSteps) {
        public Config {
            if (!(learningRate > 0) || steps < 0 || logEvery < 1) {
                throw new IllegalArgumentException("need learningRate > 0, steps >= 0, logEvery >= 1");
            }
            checkpointSteps = checkpointSteps.clone();
            Arrays.sort(checkpointSteps);
        }

        @Override
        public long[] checkpointSteps() {
            return checkpointSteps.clone();
        }
    }

    private static final String ENGINE = "PyTorch";

    private DiagonalHeadTrainer() { }

    /** Trains from {@code init}; returns the final weights. */
    public static DiagonalHeadWeights train(ToyDataset data, DiagonalHeadWeights init, Config config,
                                            TrainingObserver observer) throws IOException {
        return train(data, init, 0, config, observer);
    }

    /**
     * Continues from {@code weights} after {@code startStep} updates: plain GD carries no optimizer
     * state and full-batch training draws no random numbers, so the weights and the step are the
     * whole state, and a resumed run computes the same bits as an uninterrupted one.
     */
    public static DiagonalHeadWeights train(ToyDataset data, DiagonalHeadWeights weights, long startStep, Config config,
                                            TrainingObserver observer) throws IOException {
        if (startStep < 0 || startStep > config.steps()) {
            throw new IllegalArgumentException("start step " + startStep + " is outside 0.." + config.steps());
        }
        DiagonalHeadWeights init = weights;
        long[] checkpoints = config.checkpointSteps();
        Shape shape = new Shape(data.samples(), data.tokens(), data.dim());
        try (NDManager manager = io.rankrepro.tasks.task.ComputeDevice.current().newManager()) {
            // The tensors are tiny (N·n·d values), so PyTorch's intra-op threads only add
            // synchronization: one thread ran 1150 steps/s where the default two ran 90-170 on a busy
            // 2-core machine. The setting is process-wide, so it is restored afterwards.
            int threads = JniUtils.getNumThreads();
            JniUtils.setNumThreads(1);
            // Autograd only inside the GradientCollector: the in-place updates need grad mode off. It is
            // per thread, on by default in a fresh one, and a closing collector restores what it found.
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                return trainIn(manager, shape, data, init, startStep, config, observer, checkpoints);
            } finally {
                JniUtils.setGradMode(gradMode);
                JniUtils.setNumThreads(threads);
            }
        }
    }

    private static DiagonalHeadWeights trainIn(NDManager manager, Shape shape, ToyDataset data,
                                               DiagonalHeadWeights init, long startStep, Config config,
                                               TrainingObserver observer, long[] checkpoints) throws IOException {
        int nextCheckpoint = 0;
        NDArray x = manager.create(data.x(), shape);
        NDArray y = manager.create(data.y(), shape);
        DiagonalAttentionHead head = new DiagonalAttentionHead(manager, init);
        Engine engine = Engine.getEngine(ENGINE);
        for (long step = startStep; step <= config.steps(); step++) {
            observer.beforeStep(step, head::weights);
            boolean logLoss = step % config.logEvery() == 0 || step == config.steps();
            while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint] < step) {
                nextCheckpoint++;
            }
            if (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint] == step) {
                observer.onCheckpoint(step, head.weights());
            }
            boolean update = step < config.steps();
            if (!logLoss && !update) {
                continue;
            }
            // every array made during this step (gradient handles included) is closed with the scope;
            // the parameters and data were made before it and stay
            try (NDScope scope = new NDScope()) {
                NDArray loss;
                try (GradientCollector collector = engine.newGradientCollector()) {
                    loss = head.loss(x, y);
                    if (update) {
                        collector.backward(loss);
                    }
                }
                if (logLoss) {
                    observer.onLoss(step, loss.getDouble());
                }
                if (update) {
                    for (NDArray p : head.parameters()) {
                        // w − (∇·η): the same bits as before; the gradient buffer is scaled in place, then
                        // zeroed, since PyTorch accumulates gradients
                        p.subi(p.getGradient().muli(config.learningRate()));
                        JniUtils.zeroGrad((PtNDArray) p);
                    }
                }
            }
        }
        return head.weights();
    }
}
