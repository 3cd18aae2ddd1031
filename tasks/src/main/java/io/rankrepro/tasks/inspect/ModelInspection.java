package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.linalg.BalanceGap;
import io.rankrepro.tasks.linalg.FactoredProduct;
import io.rankrepro.tasks.linalg.ProductEvolution;
import io.rankrepro.tasks.linalg.ProductSpectrum;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.rank.HeadFactors;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Every head of a checkpoint, one layer at a time: the layer's attention tensors are mapped, each
 * head's four d×d_h factors cut out in float64, its products analysed through
 * {@link FactoredProduct} (Gram/QR of the factors and a d_h×d_h SVD; never a d×d matrix), heads
 * in parallel, then the tensors are unmapped before the next layer. With a base checkpoint of the
 * same layout, also the perturbation of each product and the product of the factor changes.
 */
public final class ModelInspection {
    private ModelInspection() { }

    /** Receives each layer's rows, in (head, product, which) order, as soon as the layer is done. */
    public interface LayerSink {
        void accept(int layer, List<InspectedHead> rows) throws IOException;
    }

    /**
     * @param base null, or the base model (same layout) whose differences are analysed as well
     */
    public static void run(ModelLayout layout, MappedCheckpoint model, MappedCheckpoint base, double relTol, LayerSink sink)
            throws IOException {
        for (int l = 0; l < layout.layers(); l++) {
            Map<String, MappedMatrix> now = map(model, layout.tensors(l));
            Map<String, MappedMatrix> then = base == null ? null : map(base, layout.tensors(l));
            try {
                int layer = l;
                List<InspectedHead> rows = IntStream.range(0, layout.heads()).parallel()
                        .mapToObj(h -> head(layout, layer, h, now, then, relTol))
                        .flatMap(List::stream).toList();
                sink.accept(l, rows);
            } finally {
                // every head is done (the stream has joined): no thread reads the mappings any more
                now.values().forEach(MappedMatrix::close);
                if (then != null) {
                    then.values().forEach(MappedMatrix::close);
                }
            }
        }
    }

    private static Map<String, MappedMatrix> map(MappedCheckpoint ckpt, List<String> names) throws IOException {
        Map<String, MappedMatrix> out = new LinkedHashMap<>();
        try {
            for (String n : new LinkedHashSet<>(names)) {
                out.put(n, ckpt.matrix(n));
            }
        } catch (IOException | RuntimeException e) {
            out.values().forEach(MappedMatrix::close);
            throw e;
        }
        return out;
    }

    private static List<InspectedHead> head(ModelLayout layout, int l, int h, Map<String, MappedMatrix> now,
                                            Map<String, MappedMatrix> then, double relTol) {
        ModelLayout.HeadSlices s = layout.slices(l, h);
        HeadFactors f = factors(layout, s, now);
        List<InspectedHead> out = new ArrayList<>();
        if (then == null) {
            out.add(row(l, h, s, "KQ", "current", FactoredProduct.spectrum(f.key(), f.query()), relTol));
            out.add(row(l, h, s, "PV", "current", FactoredProduct.spectrum(f.output(), f.value()), relTol));
            return out;
        }
        HeadFactors b = factors(layout, s, then);
        delta(out, l, h, s, "KQ", b.key(), b.query(), f.key(), f.query(), relTol);
        delta(out, l, h, s, "PV", b.output(), b.value(), f.output(), f.value(), relTol);
        return out;
    }

    /** Rows of one product A Bᵀ against its base A0 B0ᵀ: delta, current, init, delta_factors. */
    private static void delta(List<InspectedHead> out, int l, int h, ModelLayout.HeadSlices s, String product,
                              DMatrixRMaj a0, DMatrixRMaj b0, DMatrixRMaj a1, DMatrixRMaj b1, double relTol) {
        ProductEvolution e = FactoredProduct.evolution(a0, b0, a1, b1);
        out.add(new InspectedHead(l, h, s.kvHead(), product, "delta", SpectralMetrics.of(e.change(), relTol), null));
        out.add(new InspectedHead(l, h, s.kvHead(), product, "current", SpectralMetrics.of(e.current(), relTol), e.currentBalance()));
        out.add(new InspectedHead(l, h, s.kvHead(), product, "init", SpectralMetrics.of(e.initial(), relTol), e.initialBalance()));
        DMatrixRMaj da = new DMatrixRMaj(a1.numRows, a1.numCols);
        DMatrixRMaj db = new DMatrixRMaj(b1.numRows, b1.numCols);
        CommonOps_DDRM.subtract(a1, a0, da);
        CommonOps_DDRM.subtract(b1, b0, db);
        out.add(row(l, h, s, product, "delta_factors", FactoredProduct.spectrum(da, db), relTol));
    }

    private static InspectedHead row(int l, int h, ModelLayout.HeadSlices s, String product, String which, ProductSpectrum p, double relTol) {
        BalanceGap gap = p.balance();
        return new InspectedHead(l, h, s.kvHead(), product, which, SpectralMetrics.of(p.singularValues(), relTol), gap);
    }

    /** Head h's W_Q^h, W_K^h, W_V^h, P^h, each d×d_h in float64. */
    static HeadFactors factors(ModelLayout layout, ModelLayout.HeadSlices s, Map<String, MappedMatrix> tensors) {
        return new HeadFactors(factor(layout, s.query(), tensors), factor(layout, s.key(), tensors),
                factor(layout, s.value(), tensors), factor(layout, s.output(), tensors));
    }

    private static DMatrixRMaj factor(ModelLayout layout, ModelLayout.FactorSlice slice, Map<String, MappedMatrix> tensors) {
        MappedMatrix m = tensors.get(slice.tensor());
        if (m == null) {
            throw new UncheckedIOException(new IOException("tensor '" + slice.tensor() + "' was not mapped"));
        }
        int d = layout.width();
        int dh = layout.headDim();
        DMatrixRMaj out = new DMatrixRMaj(d, dh);
        if (slice.rows()) {
            // rows first … first + d_h − 1 of an [F, d] tensor, transposed: entry (i, j) is row first + j, column i
            for (int j = 0; j < dh; j++) {
                m.rowInto(slice.first() + j, 0, d, out.data, j, dh);
            }
        } else {
            for (int i = 0; i < d; i++) {
                m.rowInto(i, slice.first(), dh, out.data, i * dh, 1);
            }
        }
        return out;
    }
}
