package io.rankrepro.tasks.rank;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.linalg.HeadStats;
import io.rankrepro.tasks.linalg.SpectralMetrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The tidy tables {@code rank/analyze} writes (one row per observation, as pandas likes):
 * <ul>
 *   <li>{@code ranks.csv}: step, layer, head, product, which, stable_rank, effective_rank,
 *       numerical_rank, rank_above_eps, nuclear_norm, spectral_norm, frobenius_norm;</li>
 *   <li>{@code ranks_by_layer.csv}: step, layer, product, which, metric, mean, std, heads
 *       (population std over the heads, {@link HeadStats});</li>
 *   <li>{@code spectra.csv}: step, layer, head, product, which, index, sigma.</li>
 * </ul>
 */
public final class RankTables {
    public static final String RANKS = "ranks.csv";
    public static final String BY_LAYER = "ranks_by_layer.csv";
    public static final String SPECTRA = "spectra.csv";

    static final Map<String, ToDoubleFunction<SpectralMetrics>> METRICS = new LinkedHashMap<>();

    static {
        METRICS.put("stable_rank", SpectralMetrics::stableRank);
        METRICS.put("effective_rank", SpectralMetrics::effectiveRank);
        METRICS.put("numerical_rank", SpectralMetrics::numericalRank);
        METRICS.put("rank_above_eps", SpectralMetrics::rankAboveEps);
        METRICS.put("nuclear_norm", SpectralMetrics::nuclearNorm);
        METRICS.put("spectral_norm", SpectralMetrics::spectralNorm);
        METRICS.put("frobenius_norm", SpectralMetrics::frobeniusNorm);
    }

    private final Table.Writer ranks;
    private final Table.Writer byLayer;
    private final Table.Writer spectra;

    public RankTables(Path dir) throws IOException {
        List<String> rankColumns = new ArrayList<>(List.of("step", "layer", "head", "product", "which"));
        rankColumns.addAll(METRICS.keySet());
        ranks = Table.writer(dir.resolve(RANKS), rankColumns);
        byLayer = Table.writer(dir.resolve(BY_LAYER), "step", "layer", "product", "which", "metric", "mean", "std", "heads");
        spectra = Table.writer(dir.resolve(SPECTRA), "step", "layer", "head", "product", "which", "index", "sigma");
    }

    /** Appends one checkpoint's spectra; returns the per-layer summaries written. */
    public List<LayerSummary> append(List<HeadSpectrum> rows) throws IOException {
        Map<String, List<HeadSpectrum>> groups = new LinkedHashMap<>();
        for (HeadSpectrum r : rows) {
            List<Object> line = new ArrayList<>(List.of(r.step(), r.layer(), r.head(), r.product(), r.which()));
            for (ToDoubleFunction<SpectralMetrics> m : METRICS.values()) {
                line.add(m.applyAsDouble(r.metrics()));
            }
            ranks.row(line.toArray());
            double[] s = r.metrics().singularValues();
            for (int i = 0; i < s.length; i++) {
                spectra.row(r.step(), r.layer(), r.head(), r.product(), r.which(), i, s[i]);
            }
            groups.computeIfAbsent(r.step() + "|" + r.layer() + "|" + r.product() + "|" + r.which(), k -> new ArrayList<>()).add(r);
        }
        List<LayerSummary> out = new ArrayList<>();
        for (List<HeadSpectrum> g : groups.values()) {
            HeadSpectrum first = g.get(0);
            for (Map.Entry<String, ToDoubleFunction<SpectralMetrics>> m : METRICS.entrySet()) {
                HeadStats stats = HeadStats.of(g.stream().mapToDouble(r -> m.getValue().applyAsDouble(r.metrics())).toArray());
                byLayer.row(first.step(), first.layer(), first.product(), first.which(), m.getKey(), stats.mean(), stats.std(), stats.heads());
                out.add(new LayerSummary(first.step(), first.layer(), first.product(), first.which(), m.getKey(), stats));
            }
        }
        return out;
    }

    public void close() throws IOException {
        ranks.close();
        byLayer.close();
        spectra.close();
    }

    /** One row of {@code ranks_by_layer.csv}. */
    public record LayerSummary(long step, int layer, String product, String which, String metric, HeadStats stats) { }
}
