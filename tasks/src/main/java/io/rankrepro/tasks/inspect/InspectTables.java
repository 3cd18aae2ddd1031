package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.linalg.BalanceGap;
import io.rankrepro.tasks.rank.HeadSpectrum;
import io.rankrepro.tasks.rank.RankTables;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code inspect} writes per head, layer by layer as the analysis goes: {@code rank/analyze}'s
 * tables ({@link RankTables}: {@code ranks.csv}, {@code ranks_by_layer.csv}, {@code spectra.csv};
 * step 0, a foreign checkpoint has none) and {@code balance.csv}: layer, head, kv_head, product,
 * which, frobenius_side ½(‖A‖²+‖B‖²), nuclear_side ‖ABᵀ‖_*, gap, relative_gap, imbalance ‖AᵀA−BᵀB‖_F.
 */
final class InspectTables implements AutoCloseable {
    static final String BALANCE = "balance.csv";
    static final List<String> FILES = List.of(RankTables.RANKS, RankTables.BY_LAYER, RankTables.SPECTRA, BALANCE);

    private final RankTables ranks;
    private final Table.Writer balance;

    InspectTables(Path dir) throws IOException {
        ranks = new RankTables(dir);
        balance = Table.writer(dir.resolve(BALANCE), "layer", "head", "kv_head", "product", "which", "frobenius_side",
                "nuclear_side", "gap", "relative_gap", "imbalance");
    }

    void append(List<InspectedHead> rows) throws IOException {
        ranks.append(rows.stream().map(r -> new HeadSpectrum(0, r.layer(), r.head(), r.product(), r.which(), r.metrics())).toList());
        for (InspectedHead r : rows) {
            BalanceGap g = r.balance();
            if (g != null) {
                balance.row(r.layer(), r.head(), r.kvHead(), r.product(), r.which(), g.frobeniusHalfSum(), g.nuclearNorm(),
                        g.gap(), g.relativeGap(), g.imbalance());
            }
        }
    }

    @Override
    public void close() throws IOException {
        ranks.close();
        balance.close();
    }
}
