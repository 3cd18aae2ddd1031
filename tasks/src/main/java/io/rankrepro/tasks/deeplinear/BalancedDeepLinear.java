package io.rankrepro.tasks.deeplinear;

/**
 * The end-to-end singular values a depth-L linear network reaches at the global minimum of
 * ½‖W − W*‖_F² + (λ/2) Σ_l ‖W_l‖_F² (the population loss of online regression with x ~ N(0, I),
 * plus coupled L2 decay, i.e. SGD with weight decay λ). At any critical point with λ > 0 the
 * layers are balanced, so along each singular direction of W* with value s* every layer has the
 * same singular value a and the product has s = a^L; the per-direction objective is
 * f(s) = ½(s − s*)² + (λL/2) s^{2/L}.
 * <ul>
 *   <li>L = 2: soft threshold, s = max(s* − λ, 0);</li>
 *   <li>L ≥ 3: f'(s) = 0 ⇔ s^{1−2/L}(s* − s) = λ, whose larger root is the local minimum; s = 0 is
 *       also a local minimum (the penalty's slope is infinite there), and the global one when
 *       f(root) ≥ f(0) or no root exists.</li>
 * </ul>
 * AdamW's decoupled decay has no such closed form; this prediction is for coupled decay only.
 */
public final class BalancedDeepLinear {
    private BalancedDeepLinear() { }

    public static double productSingularValue(double target, double lambda, int depth) {
        if (depth < 1 || !(target >= 0) || !(lambda >= 0)) {
            throw new IllegalArgumentException("need depth >= 1, target >= 0, lambda >= 0");
        }
        if (lambda == 0) {
            return target;
        }
        if (depth == 1) {
            return target / (1 + lambda); // ridge
        }
        if (depth == 2) {
            return Math.max(target - lambda, 0);
        }
        double e = 1 - 2.0 / depth;
        double peak = target * e / (1 + e); // argmax of g(s) = s^e (s* − s)
        if (g(peak, target, e) < lambda) {
            return 0;
        }
        double lo = peak;
        double hi = target; // g(target) = 0 < λ ≤ g(peak): the larger root lies in [peak, target]
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (g(mid, target, e) >= lambda) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double root = 0.5 * (lo + hi);
        double atRoot = 0.5 * (root - target) * (root - target) + 0.5 * lambda * depth * Math.pow(root, 2.0 / depth);
        return atRoot < 0.5 * target * target ? root : 0;
    }

    private static double g(double s, double target, double e) {
        return Math.pow(s, e) * (target - s);
    }
}
