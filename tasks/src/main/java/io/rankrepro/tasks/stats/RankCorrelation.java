package io.rankrepro.tasks.stats;

import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/** Spearman's ρ (ties get their average rank): a trend statistic that needs no model of the curve. */
public final class RankCorrelation {
    private RankCorrelation() { }

    public static double spearman(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("Spearman's rho needs two series of one length ≥ 2, got " + x.length + " and " + y.length);
        }
        return new SpearmansCorrelation().correlation(x, y);
    }
}
