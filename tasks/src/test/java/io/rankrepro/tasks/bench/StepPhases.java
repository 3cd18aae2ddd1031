package io.rankrepro.tasks.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.rankrepro.tasks.model.SupervisedModel;
import io.rankrepro.tasks.optim.GradientClipping;
import io.rankrepro.tasks.optim.GradientSource;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.Optimizer;

import java.util.Arrays;
import java.util.Random;

/**
 * Where a training step's time goes: batch, forward, backward, clip, optimizer, zeroing, each
 * timed per step (median over {@code steps} after {@code warmup}). The counterpart for PyTorch is
 * {@code bench/python/step_phases.py}; {@code bench/phases.sh} runs them interleaved ({@link Turns}).
 * Usage: {@code StepPhases MODEL THREADS WARMUP STEPS}.
 */
public final class StepPhases {
    private static final String[] PHASES = {"batch", "forward", "backward", "clip", "optimizer", "zero"};

    private StepPhases() { }

    public static void main(String[] args) {
        String model = args[0];
        int threads = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        Engine engine = Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        double[][] t = new double[PHASES.length][steps];
        try (NDManager manager = NDManager.newBaseManager("PyTorch"); Turns turns = Turns.fromEnvironment()) {
            SupervisedModel m = BenchModels.create(model, manager, DataType.FLOAT32, 7);
            Optimizer optimizer = BenchMain.optimizer(m, LrSchedule.warmupCosine(0, BenchModels.LR, 50, 1200, 0.1));
            Random random = new Random(3);
            JniUtils.setGradMode(false);
            turns.begin();
            for (int s = 0; s < warmup + steps; s++) {
                long[] at = new long[PHASES.length + 1];
                try (NDScope scope = new NDScope()) {
                    at[0] = System.nanoTime();
                    NDList b = BenchModels.batch(model, manager, random, DataType.FLOAT32);
                    at[1] = System.nanoTime();
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray loss = m.loss(b.get(0), b.get(1));
                        at[2] = System.nanoTime();
                        gc.backward(loss);
                        loss.getFloat();
                    }
                    at[3] = System.nanoTime();
                    double scale = GradientClipping.factor(GradientClipping.globalNorm(optimizer.groups(), GradientSource.AUTOGRAD), BenchModels.CLIP);
                    at[4] = System.nanoTime();
                    optimizer.step(GradientSource.AUTOGRAD, scale);
                    at[5] = System.nanoTime();
                    for (NDArray p : m.parameters().arrays().values()) {
                        JniUtils.zeroGrad((PtNDArray) p);
                    }
                    at[6] = System.nanoTime();
                }
                if (s >= warmup) {
                    for (int k = 0; k < PHASES.length; k++) {
                        t[k][s - warmup] = (at[k + 1] - at[k]) / 1e6;
                    }
                }
                turns.stepDone();
            }
        }
        StringBuilder line = new StringBuilder("rankrepro " + model + " median ms:");
        double total = 0;
        for (int k = 0; k < PHASES.length; k++) {
            double[] v = t[k].clone();
            Arrays.sort(v);
            total += v[v.length / 2];
            line.append(String.format(" %s %.2f", PHASES[k], v[v.length / 2]));
        }
        System.out.println(line.append(String.format(" (sum %.2f)", total)));
    }
}
