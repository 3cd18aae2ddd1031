package io.rankrepro.tasks.rank;

import org.ejml.data.DMatrixRMaj;

/**
 * One head's four d×d_h factors: KQ^h = W_K^h W_Q^hᵀ and PV^h = P^h W_V^hᵀ (FIGURES.md names).
 */
public record HeadFactors(DMatrixRMaj query, DMatrixRMaj key, DMatrixRMaj value, DMatrixRMaj output) { }
