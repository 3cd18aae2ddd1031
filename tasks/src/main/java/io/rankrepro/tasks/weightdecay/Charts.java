package io.rankrepro.tasks.weightdecay;

import java.util.Locale;

/** Number conventions of paper A's figures and tables (panels and captions: {@code io.rankrepro.tasks.figures}). */
public final class Charts {
    private Charts() { }

    /** λ = 0 cannot sit on a log axis: plot it at {@code zeroAt} and say so in the axis title. */
    public static double lambdaAxis(double lambda, double zeroAt) {
        return lambda == 0 ? zeroAt : lambda;
    }

    public static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
