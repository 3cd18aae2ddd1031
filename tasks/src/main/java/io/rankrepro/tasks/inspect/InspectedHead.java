package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.linalg.BalanceGap;
import io.rankrepro.tasks.linalg.SpectralMetrics;

/**
 * One product of one head of an inspected model.
 *
 * @param product {@code KQ} (W_K^h W_Q^hᵀ) or {@code PV} (P^h W_V^hᵀ)
 * @param which   {@code current} (the model), with {@code --base} also {@code init} (the base),
 *                {@code delta} (the perturbation ΔKQ^h = KQ^h − KQ^h_base) and {@code delta_factors}
 *                (the product of the factor changes, ΔW_K^h ΔW_Q^hᵀ)
 * @param balance paper A's balance gap of the product's two factors; null for {@code delta}, which is
 *                not the product of a pair of factors
 */
public record InspectedHead(int layer, int head, int kvHead, String product, String which,
                            SpectralMetrics metrics, BalanceGap balance) { }
