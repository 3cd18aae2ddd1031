package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.linalg.SpectralMetrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rank metrics of a diagonal matrix diag(v): its singular values are |v_i| sorted descending, so
 * no SVD is needed; the metrics themselves are the shared {@link SpectralMetrics}.
 */
public final class DiagonalSpectrum {

    private DiagonalSpectrum() { }

    public static SpectralMetrics of(double[] diagonal, double relTol) {
        double[] sv = new double[diagonal.length];
        for (int i = 0; i < sv.length; i++) {
            sv[i] = Math.abs(diagonal[i]);
        }
        Arrays.sort(sv);
        for (int i = 0, j = sv.length - 1; i < j; i++, j--) {
            double t = sv[i];
            sv[i] = sv[j];
            sv[j] = t;
        }
        return SpectralMetrics.of(sv, relTol);
    }

    /** The metrics analyze writes, by name: stable_rank, effective_rank, numerical_rank, nuclear_norm, sv_1..sv_d. */
    public static Map<String, Double> named(SpectralMetrics m) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("stable_rank", m.stableRank());
        out.put("effective_rank", m.effectiveRank());
        out.put("numerical_rank", (double) m.numericalRank());
        out.put("nuclear_norm", m.nuclearNorm());
        double[] sv = m.singularValues();
        for (int i = 0; i < sv.length; i++) {
            out.put("sv_" + (i + 1), sv[i]);
        }
        return out;
    }
}
