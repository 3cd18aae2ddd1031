package io.rankrepro.tasks.incontext;

import io.rankrepro.tasks.linalg.BalanceGap;
import io.rankrepro.tasks.linalg.FactoredProduct;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import org.ejml.data.DMatrixRMaj;

/**
 * A layer's value-output product P W_Vᵀ (all heads: Σ_h P^h W_V^hᵀ) seen as the factored pair
 * (P, W_V) that weight decay acts on: its spectrum, and how far the pair is from balanced
 * (Δ and ‖PᵀP − W_VᵀW_V‖_F; FIGURES.md writes the latter ‖PᵀP − W_V W_Vᵀ‖ with W_V stored transposed).
 */
public record ValueOutputProduct(SpectralMetrics spectrum, BalanceGap balance) {

    /** @param p the output projection [d, d·] and {@code wv} W_V [d, d·], as {@code AttentionLayout} stores them */
    public static ValueOutputProduct of(DMatrixRMaj p, DMatrixRMaj wv, double relTol) {
        return new ValueOutputProduct(SpectralMetrics.of(FactoredProduct.singularValues(p, wv), relTol), BalanceGap.of(p, wv));
    }
}
