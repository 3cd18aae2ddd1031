package io.rankrepro.tasks.deeplinear;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ejml.data.DMatrixRMaj;

import java.util.Random;

/**
 * Fresh samples every step (online learning, no data set to memorize): x ~ N(0, I_d),
 * y = x W* + σ ε with ε ~ N(0, I). The population loss ½E‖x W − y‖² is ½‖W − W*‖_F² + ½dσ²,
 * so the noise never biases the minimizer; it only adds gradient noise.
 */
public final class OnlineRegressionStream {
    private final DMatrixRMaj teacher;
    private final double noise;
    private final Random random;

    public OnlineRegressionStream(DMatrixRMaj teacher, double noise, long seed) {
        this.teacher = teacher;
        this.noise = noise;
        this.random = new Random(seed);
    }

    /** (x [n, d_in], y [n, d_out]) as float64 arrays. */
    public NDList batch(NDManager manager, int n) {
        int din = teacher.numRows;
        int dout = teacher.numCols;
        double[] x = new double[n * din];
        double[] y = new double[n * dout];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < dout; k++) {
                double s = noise * random.nextGaussian();
                for (int j = 0; j < din; j++) {
                    s += x[b * din + j] * teacher.get(j, k);
                }
                y[b * dout + k] = s;
            }
        }
        return new NDList(manager.create(x, new Shape(n, din)), manager.create(y, new Shape(n, dout)));
    }
}
