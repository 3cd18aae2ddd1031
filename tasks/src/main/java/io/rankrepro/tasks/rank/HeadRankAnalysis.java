package io.rankrepro.tasks.rank;

import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.linalg.FactoredProduct;
import io.rankrepro.tasks.linalg.ProductEvolution;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import org.ejml.data.DMatrixRMaj;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Per layer and head of one checkpoint: spectra of KQ^h = W_K^h W_Q^hᵀ and PV^h = P^h W_V^hᵀ,
 * and, given the initialization, of their changes ΔKQ^h and ΔPV^h, all through
 * {@link FactoredProduct} (QR of the d×d_h factors and a small SVD; never a d×d SVD), heads in
 * parallel on the common fork-join pool.
 */
public final class HeadRankAnalysis {
    private HeadRankAnalysis() { }

    /**
     * @param init the step-0 checkpoint, or null to analyse the products themselves (a foreign
     *             checkpoint without its initialization)
     */
    public static List<HeadSpectrum> analyze(CheckpointLayout layout, SafetensorsFile current, SafetensorsFile init,
                                             long step, double relTol) {
        // heads are independent (FactoredProduct keeps no state): spread them over the cores; the
        // rows come back in (layer, head) order whatever the thread count
        int heads = layout.heads();
        return IntStream.range(0, layout.layers() * heads).parallel()
                .mapToObj(i -> head(layout, current, init, step, relTol, i / heads, i % heads))
                .flatMap(List::stream)
                .toList();
    }

    /** The rows of one head: KQ then PV, each current (and delta, current, init given the initialization). */
    private static List<HeadSpectrum> head(CheckpointLayout layout, SafetensorsFile current, SafetensorsFile init,
                                           long step, double relTol, int l, int h) {
        List<HeadSpectrum> out = new ArrayList<>();
        HeadFactors now = layout.factors(current, l, h);
        if (init == null) {
            out.add(spectrum(step, l, h, "KQ", "current", FactoredProduct.singularValues(now.key(), now.query()), relTol));
            out.add(spectrum(step, l, h, "PV", "current", FactoredProduct.singularValues(now.output(), now.value()), relTol));
            return out;
        }
        HeadFactors start = layout.factors(init, l, h);
        add(out, step, l, h, "KQ", FactoredProduct.evolution(start.key(), start.query(), now.key(), now.query()), relTol);
        add(out, step, l, h, "PV", FactoredProduct.evolution(start.output(), start.value(), now.output(), now.value()), relTol);
        return out;
    }

    private static void add(List<HeadSpectrum> out, long step, int l, int h, String product, ProductEvolution e, double relTol) {
        out.add(spectrum(step, l, h, product, "delta", e.change(), relTol));
        out.add(spectrum(step, l, h, product, "current", e.current(), relTol));
        out.add(spectrum(step, l, h, product, "init", e.initial(), relTol));
    }

    private static HeadSpectrum spectrum(long step, int l, int h, String product, String which, double[] s, double relTol) {
        return new HeadSpectrum(step, l, h, product, which, SpectralMetrics.of(s, relTol));
    }

    /** For tests: the dense product A Bᵀ. */
    static DMatrixRMaj product(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj w = new DMatrixRMaj(a.numRows, b.numRows);
        org.ejml.dense.row.CommonOps_DDRM.multTransB(a, b, w);
        return w;
    }
}
