package io.rankrepro.tasks.toy;

import java.util.Random;

/**
 * A seeded perturbation of the toy head's factors: for each chosen product coordinate, both of its
 * factors (w_K[i] and w_Q[i] for kq[i], w_V[i] and w_O[i] for vo[i]) are multiplied by
 * exp(scale·ξ), ξ ~ N(0, 1) independently. Multiplicative so that a factor's sign is kept and
 * a tiny (inactive) coordinate is moved on its own scale — additive noise of an active coordinate's
 * size would switch an inactive one on by itself. The product changes by exp(scale·(ξ₁ + ξ₂)),
 * and the per-coordinate conserved quantity u² − v² is broken, which is the point: the
 * perturbed state is off the unperturbed run's invariant manifold.
 *
 * @param scale standard deviation of the log-factor noise (> 0)
 * @param seed  seeds {@link Random}, whose Gaussians are specified by the JDK
 */
public record FactorPerturbation(double scale, long seed) {

    public FactorPerturbation {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("perturbation scale must be > 0, got " + scale);
        }
    }

    /** {@code w} with the factors of the coordinates flagged in {@code chosen} (flat, length 2d) perturbed. */
    public DiagonalHeadWeights apply(DiagonalHeadWeights w, boolean[] chosen) {
        int d = w.dim();
        if (chosen.length != 2 * d) {
            throw new IllegalArgumentException("need one flag per product coordinate (2d = " + 2 * d + "), got " + chosen.length);
        }
        double[] k = w.wK();
        double[] q = w.wQ();
        double[] v = w.wV();
        double[] o = w.wO();
        Random random = new Random(seed);
        for (int i = 0; i < 2 * d; i++) {
            // draw for every coordinate, chosen or not, so the noise of a coordinate does not depend on which others are chosen
            double first = Math.exp(scale * random.nextGaussian());
            double second = Math.exp(scale * random.nextGaussian());
            if (!chosen[i]) {
                continue;
            }
            if (i < d) {
                k[i] *= first;
                q[i] *= second;
            } else {
                v[i - d] *= first;
                o[i - d] *= second;
            }
        }
        return new DiagonalHeadWeights(k, q, v, o);
    }
}
