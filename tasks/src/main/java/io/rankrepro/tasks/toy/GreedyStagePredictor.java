package io.rankrepro.tasks.toy;

import java.util.ArrayList;
import java.util.List;

/**
 * The greedy algorithm (paper B's Algorithm 1, as reconstructed in FIGURES.md) predicting the
 * α → 0 limit of gradient flow on w = u⊙v from init scale α, in rescaled time τ = t / log(1/α).
 *
 * <p>An inactive coordinate i sits at 0 while its "budget" b_i = −∫g_i dτ accumulates; it
 * switches on when |b_i| reaches 1, i.e. after Δ_i = (1 − s_i b_i)/|g_i| with s_i = −sign(g_i).
 * Between switch-ons the loss is flat. At a switch-on the weights jump, in zero rescaled time,
 * along the flow dw/dt = −2|w|⊙∇ℓ(w) (inactive coordinates held at 0) to the next rest point;
 * active coordinates that reach 0 become inactive with b_j = sign(old w_j).
 */
public final class GreedyStagePredictor {

    /**
     * @param tauMax            stop once the next switch-on would come after this rescaled time
     * @param kick              size of the step ε·s e_i that starts a jump
     * @param gradientTolerance a jump has come to rest when every active |∂ℓ/∂w_i| is below this
     * @param settledZero       an active coordinate pushed toward 0 and smaller than this counts as
     *                          having reached 0 (above the kick, far below the weights' scale)
     * @param maxStages         guard against switching cycles
     * @param maxJumpSteps      guard against a jump that never comes to rest
     */
    public record Config(double tauMax, double kick, double gradientTolerance, double settledZero, int maxStages,
                         int maxJumpSteps) {
        public Config {
            if (!(kick > 0 && kick < settledZero)) {
                throw new IllegalArgumentException("need 0 < kick < settledZero, got " + kick + ", " + settledZero);
            }
        }

        public static Config defaults(double tauMax) {
            return new Config(tauMax, 1e-6, 1e-8, 1e-4, 64, 200_000);
        }
    }

    /** The integrator's largest relative change of an active coordinate per step (keeps signs fixed). */
    private static final double MAX_RELATIVE_STEP = 0.05;

    private final SmoothLoss loss;
    private final Config config;

    public GreedyStagePredictor(SmoothLoss loss, Config config) {
        this.loss = loss;
        this.config = config;
    }

    public List<GreedyStage> predict() {
        int dim = loss.dimension();
        double[] w = new double[dim];
        double[] budget = new double[dim];
        boolean[] active = new boolean[dim];
        double[] g = new double[dim];
        double tau = 0;
        List<GreedyStage> stages = new ArrayList<>();
        stages.add(new GreedyStage(0, 0, loss.valueAndGradient(w, g), -1, 0, w, new int[0]));
        while (stages.size() <= config.maxStages()) {
            loss.valueAndGradient(w, g);
            int next = -1;
            double soonest = Double.POSITIVE_INFINITY;
            for (int i = 0; i < dim; i++) {
                // below the rest tolerance a gradient is numerically zero: that coordinate never switches on
                if (active[i] || Math.abs(g[i]) <= config.gradientTolerance()) {
                    continue;
                }
                double s = -Math.signum(g[i]);
                double wait = Math.max(0, (1 - s * budget[i]) / Math.abs(g[i]));
                if (wait < soonest) {
                    soonest = wait;
                    next = i;
                }
            }
            if (next < 0 || tau + soonest > config.tauMax()) {
                return stages;
            }
            tau += soonest;
            for (int i = 0; i < dim; i++) {
                if (!active[i]) {
                    budget[i] -= soonest * g[i];
                }
            }
            int sign = g[next] < 0 ? 1 : -1;
            active[next] = true;
            w[next] = config.kick() * sign;
            double[] before = w.clone();
            List<Integer> fell = jump(w, active);
            int[] deactivated = new int[fell.size()];
            for (int k = 0; k < deactivated.length; k++) {
                int j = fell.get(k);
                deactivated[k] = j;
                budget[j] = Math.signum(before[j] != 0 ? before[j] : 1);
            }
            stages.add(new GreedyStage(stages.size(), tau, loss.value(w), next, sign, w, deactivated));
        }
        throw new IllegalStateException("greedy algorithm did not finish within " + config.maxStages()
                + " stages (coordinates switching on and off in a cycle?): " + stages.get(stages.size() - 1));
    }

    /**
     * Integrates dw/dt = −2|w|⊙∇ℓ(w) over the active coordinates until it comes to rest: explicit
     * Euler with the step bounded so no coordinate changes by more than {@value #MAX_RELATIVE_STEP}
     * of itself, halved whenever the loss would rise. Returns the coordinates that fell to 0.
     */
    private static double activeNorm(double[] g, boolean[] active) {
        double sum = 0;
        for (int i = 0; i < g.length; i++) {
            if (active[i]) {
                sum += g[i] * g[i];
            }
        }
        return Math.sqrt(sum);
    }

    private List<Integer> jump(double[] w, boolean[] active) {
        int dim = w.length;
        double[] g = new double[dim];
        double[] trial = new double[dim];
        double[] trialGrad = new double[dim];
        List<Integer> fell = new ArrayList<>();
        double value = loss.valueAndGradient(w, g);
        double h = Double.POSITIVE_INFINITY;
        for (int step = 0; step < config.maxJumpSteps(); step++) {
            double fastest = 0;
            boolean resting = true;
            for (int i = 0; i < dim; i++) {
                if (!active[i]) {
                    continue;
                }
                // a coordinate the flow pushes toward 0 that is already this small is on its way
                // out: exponentially when ∂ℓ/∂w_i stays finite, like 1/t when it vanishes with w_i
                if (w[i] * g[i] > 0 && Math.abs(w[i]) < config.settledZero()) {
                    active[i] = false;
                    w[i] = 0;
                    fell.add(i);
                    continue;
                }
                fastest = Math.max(fastest, 2 * Math.abs(g[i]));
                resting &= Math.abs(g[i]) < config.gradientTolerance();
            }
            if (resting) {
                return fell;
            }
            h = Math.min(h * 1.5, MAX_RELATIVE_STEP / fastest);
            double gradNorm = activeNorm(g, active);
            while (true) {
                for (int i = 0; i < dim; i++) {
                    trial[i] = active[i] ? w[i] - h * 2 * Math.abs(w[i]) * g[i] : 0;
                }
                double trialValue = loss.valueAndGradient(trial, trialGrad);
                // near rest the loss changes by less than its rounding, so there a step counts as
                // stable when it shrinks the gradient instead
                boolean accept = trialValue < value
                        || (trialValue <= value + 1e-13 * Math.abs(value) && activeNorm(trialGrad, active) < gradNorm);
                if (accept) {
                    System.arraycopy(trial, 0, w, 0, dim);
                    System.arraycopy(trialGrad, 0, g, 0, dim);
                    value = trialValue;
                    break;
                }
                h /= 2;
                if (h < 1e-300) {
                    throw new IllegalStateException("greedy jump stalled: the loss cannot decrease along the flow at w = "
                            + java.util.Arrays.toString(w) + ", gradient " + java.util.Arrays.toString(g));
                }
            }
        }
        throw new IllegalStateException("greedy jump did not come to rest within " + config.maxJumpSteps()
                + " steps (gradient tolerance " + config.gradientTolerance() + ") at w = " + java.util.Arrays.toString(w)
                + ", gradient " + java.util.Arrays.toString(g));
    }
}
