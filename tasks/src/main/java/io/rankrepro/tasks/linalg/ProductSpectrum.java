package io.rankrepro.tasks.linalg;

/**
 * The singular values of a factored product W = A Bᵀ (largest first) and the balance gap of its
 * factors, from one pair of Gram matrices ({@link FactoredProduct#spectrum}).
 */
public record ProductSpectrum(double[] singularValues, BalanceGap balance) {
    public ProductSpectrum {
        singularValues = singularValues.clone();
    }

    @Override
    public double[] singularValues() {
        return singularValues.clone();
    }
}
