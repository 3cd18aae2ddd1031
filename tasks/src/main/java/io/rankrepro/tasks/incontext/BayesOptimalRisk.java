package io.rankrepro.tasks.incontext;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.Random;

/**
 * Reference losses for in-context linear regression with w ~ N(0, I_{d_x}), x ~ N(0, I) and
 * noise σ, so that a figure can say how much of the task a model has learned.
 * The Bayes-optimal predictor is the posterior mean (ridge with penalty σ²); its expected squared
 * error on a fresh query is σ² + E_X tr((I + XᵀX/σ²)⁻¹), estimated here by Monte Carlo over the
 * context X. For σ = 0 the trace is the number of unseen directions, max(0, d_x − context).
 */
public final class BayesOptimalRisk {
    private BayesOptimalRisk() { }

    /** Predicting 0 always: E[(w·x + σε)²] = d_x + σ². */
    public static double zeroPredictor(int dimX, double noise) {
        return dimX + noise * noise;
    }

    public static double monteCarlo(int dimX, int context, double noise, int samples, long seed) {
        if (noise == 0) {
            return Math.max(0, dimX - context);
        }
        Random random = new Random(seed);
        double s2 = noise * noise;
        DMatrixRMaj x = new DMatrixRMaj(context, dimX);
        DMatrixRMaj m = new DMatrixRMaj(dimX, dimX);
        double sum = 0;
        for (int k = 0; k < samples; k++) {
            for (int i = 0; i < x.data.length; i++) {
                x.data[i] = random.nextGaussian();
            }
            CommonOps_DDRM.multTransA(1 / s2, x, x, m);
            for (int j = 0; j < dimX; j++) {
                m.add(j, j, 1);
            }
            if (!CommonOps_DDRM.invert(m)) {
                throw new ArithmeticException("I + XᵀX/σ² is singular, which it cannot be for σ > 0");
            }
            sum += CommonOps_DDRM.trace(m);
        }
        return s2 + sum / samples;
    }
}
