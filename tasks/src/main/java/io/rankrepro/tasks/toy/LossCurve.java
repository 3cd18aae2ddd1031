package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;

/** A gradient-descent loss curve in rescaled time, τ ascending. */
public record LossCurve(double[] tau, double[] loss) {

    public LossCurve {
        if (tau.length != loss.length || tau.length == 0) {
            throw new IllegalArgumentException("need equally many, and some, tau and loss values");
        }
        tau = tau.clone();
        loss = loss.clone();
    }

    public static LossCurve of(Table lossCsv) {
        return new LossCurve(lossCsv.doubles("tau"), lossCsv.doubles("loss"));
    }

    public double tauMax() {
        return tau[tau.length - 1];
    }

    /** The loss at τ, interpolated linearly in log(loss) between logged points. */
    public double at(double t) {
        if (t <= tau[0]) {
            return loss[0];
        }
        for (int i = 1; i < tau.length; i++) {
            if (tau[i] >= t) {
                double f = (t - tau[i - 1]) / (tau[i] - tau[i - 1]);
                return Math.exp((1 - f) * Math.log(loss[i - 1]) + f * Math.log(loss[i]));
            }
        }
        return loss[loss.length - 1];
    }

    /** The first τ ≥ {@code from} where the loss reaches {@code level} or below (interpolated), or NaN if never. */
    public double firstAtOrBelow(double level, double from) {
        for (int i = 0; i < tau.length; i++) {
            if (tau[i] < from || loss[i] > level) {
                continue;
            }
            if (i == 0 || tau[i - 1] < from) {
                return tau[i];
            }
            double f = (loss[i - 1] - level) / (loss[i - 1] - loss[i]);
            return tau[i - 1] + f * (tau[i] - tau[i - 1]);
        }
        return Double.NaN;
    }
}
