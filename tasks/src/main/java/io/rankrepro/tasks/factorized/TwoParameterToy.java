package io.rankrepro.tasks.factorized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.Optimizer;
import io.rankrepro.tasks.optim.OptimizerKind;
import io.rankrepro.tasks.optim.ParameterGroup;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kobayashi et al. 2024 Fig. A1's toy: L(w) = ½‖w − w*‖² for w ∈ R², optimized directly or through
 * w_i = a_i b_i, with weight decay λ on whatever is trained (w, or a and b). With the L2 penalty on
 * the factors the balanced objective is ½‖w − w*‖² + λ‖w‖₁, so a coordinate with |w*_i| ≤ λ is driven
 * to 0 (soft threshold); on w directly it is ½‖w − w*‖² + (λ/2)‖w‖², which only shrinks (w* /(1+λ)).
 * Trained with this package's own optimizers on float64 DJL arrays and the closed-form gradients.
 */
public final class TwoParameterToy {
    private TwoParameterToy() { }

    /** How w is parameterized. */
    public enum Parameterization { DIRECT, FACTORIZED }

    /** A run's setting. The factorized run starts balanced, a = b = √w₀ (w₀ > 0). */
    public record Setting(Parameterization parameterization, OptimizerKind optimizer, double lambda, double[] target,
                          double[] init, double learningRate, long steps, AdamSettings adam) { }

    /** w after {@code step} updates. */
    public record Point(long step, double w1, double w2) { }

    public static List<Point> run(Setting s, long recordEvery) {
        try (NDManager manager = io.rankrepro.tasks.task.ComputeDevice.current().newManager()) {
            NDArray target = manager.create(s.target());
            List<NDArray> params = new ArrayList<>();
            if (s.parameterization() == Parameterization.DIRECT) {
                params.add(manager.create(s.init().clone()));
            } else {
                double[] root = {Math.sqrt(s.init()[0]), Math.sqrt(s.init()[1])};
                params.add(manager.create(root.clone()));
                params.add(manager.create(root.clone()));
            }
            Optimizer opt = s.optimizer().create(List.of(ParameterGroup.of("w", params, s.lambda())),
                    LrSchedule.constant(s.learningRate()), s.adam(), 0.0);
            List<Point> out = new ArrayList<>();
            for (long t = 0; ; t++) {
                if (t % recordEvery == 0 || t == s.steps()) {
                    double[] w = w(params);
                    out.add(new Point(t, w[0], w[1]));
                }
                if (t == s.steps()) {
                    return out;
                }
                Map<NDArray, NDArray> grads = new IdentityHashMap<>();
                if (params.size() == 1) {
                    grads.put(params.get(0), params.get(0).sub(target));
                } else {
                    NDArray a = params.get(0), b = params.get(1);
                    NDArray residual = a.mul(b).subi(target); // ∂/∂a ½(ab − w*)² = (ab − w*)·b
                    grads.put(a, residual.mul(b));
                    grads.put(b, residual.mul(a));
                    residual.close();
                }
                opt.step(grads::get);
                grads.values().forEach(NDArray::close);
            }
        }
    }

    private static double[] w(List<NDArray> params) {
        if (params.size() == 1) {
            return params.get(0).toDoubleArray();
        }
        double[] a = params.get(0).toDoubleArray(), b = params.get(1).toDoubleArray();
        return new double[] {a[0] * b[0], a[1] * b[1]};
    }

    /** The minimizer: w* /(1+λ) directly; sign(w*)·max(|w*| − λ, 0) factorized (balanced). */
    public static double[] minimizer(Parameterization p, double[] target, double lambda) {
        double[] w = new double[target.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = p == Parameterization.DIRECT ? target[i] / (1 + lambda)
                    : Math.signum(target[i]) * Math.max(Math.abs(target[i]) - lambda, 0);
        }
        return w;
    }
}
