package io.rankrepro.tasks.toy;

/** The numbers B-fig2's claims are checked against, measured on product paths w = (kq, vo). */
public final class PerturbationChecks {

    /**
     * How far a perturbed run is from the unperturbed one: Euclidean distance of w at the perturbation
     * time ({@code initial}) and {@code relaxTau} later ({@code relaxed}).
     */
    public record Return(double tau, double relaxTau, double initial, double relaxed) { }

    /**
     * The perturbed run set against the unperturbed one around a switch-on: {@code shift} = τ_switch(perturbed)
     * − τ_switch(unperturbed); {@code aligned} the largest |w_u(τ) − w_p(τ + shift)| over every coordinate and
     * every unperturbed point with τ within {@code window} of the unperturbed switch-on; {@code unaligned} the
     * same without the shift; {@code points} how many unperturbed points were compared.
     */
    public record Alignment(double unperturbedSwitch, double perturbedSwitch, double shift, double window,
                            double aligned, double unaligned, int points) { }

    private PerturbationChecks() { }

    public static Return returnToPlateau(ProductPath unperturbed, ProductPath perturbed, double relaxTau) {
        double t0 = perturbed.start();
        return new Return(t0, relaxTau, distance(unperturbed.at(t0), perturbed.at(t0)),
                distance(unperturbed.at(t0 + relaxTau), perturbed.at(t0 + relaxTau)));
    }

    /**
     * @param coordinate the flat index of the coordinate that switches on
     * @param level      the |w_c| that marks its switch-on (in both runs)
     */
    public static Alignment alignSwitchOn(ProductPath unperturbed, ProductPath perturbed, int coordinate, double level,
                                          double window) {
        double from = perturbed.start();
        double tu = unperturbed.firstReach(coordinate, level, from);
        double tp = perturbed.firstReach(coordinate, level, from);
        if (Double.isNaN(tu) || Double.isNaN(tp)) {
            return new Alignment(tu, tp, Double.NaN, window, Double.NaN, Double.NaN, 0);
        }
        double shift = tp - tu;
        double aligned = 0;
        double unaligned = 0;
        int points = 0;
        for (int i = 0; i < unperturbed.size(); i++) {
            double t = unperturbed.tauAt(i);
            if (Math.abs(t - tu) > window || t + shift < perturbed.start() || t + shift > perturbed.end()
                    || t < perturbed.start()) {
                continue;
            }
            double[] u = unperturbed.at(t);
            double[] shifted = perturbed.at(t + shift);
            double[] same = perturbed.at(t);
            for (int c = 0; c < u.length; c++) {
                aligned = Math.max(aligned, Math.abs(u[c] - shifted[c]));
                unaligned = Math.max(unaligned, Math.abs(u[c] - same[c]));
            }
            points++;
        }
        return new Alignment(tu, tp, shift, window, points == 0 ? Double.NaN : aligned, points == 0 ? Double.NaN : unaligned,
                points);
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }
}
