package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.linalg.BalanceGap;
import io.rankrepro.tasks.rank.CheckpointLayout;
import io.rankrepro.tasks.rank.HeadFactors;
import io.rankrepro.tasks.io.SafetensorsFile;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One head's two balance measurements (Kobayashi et al. 2024, Fig. 4): for KQ^h = W_K^h W_Q^hᵀ the
 * Frobenius side ½(‖W_Q^h‖² + ‖W_K^h‖²) against the nuclear side ‖W_K^hᵀ W_Q^h‖_* (the same
 * singular values as W_K^h W_Q^hᵀ), and likewise for PV^h = P^h W_V^hᵀ. The Frobenius side is
 * never below the nuclear side; they are equal iff the pair is balanced.
 *
 * @param product {@code KQ} or {@code PV}
 */
public record HeadBalance(long step, int layer, int head, String product, BalanceGap gap) {

    /** Every layer and head of {@code file}, read as {@code layout} says (heads in parallel). */
    public static List<HeadBalance> of(CheckpointLayout layout, SafetensorsFile file, long step) {
        List<int[]> cells = new ArrayList<>();
        for (int l = 0; l < layout.layers(); l++) {
            for (int h = 0; h < layout.heads(); h++) {
                cells.add(new int[] {l, h});
            }
        }
        return IntStream.range(0, cells.size()).parallel().mapToObj(i -> {
            int l = cells.get(i)[0];
            int h = cells.get(i)[1];
            HeadFactors f = layout.factors(file, l, h);
            return List.of(new HeadBalance(step, l, h, "KQ", BalanceGap.of(f.key(), f.query())),
                    new HeadBalance(step, l, h, "PV", BalanceGap.of(f.output(), f.value())));
        }).flatMap(List::stream).toList();
    }
}
