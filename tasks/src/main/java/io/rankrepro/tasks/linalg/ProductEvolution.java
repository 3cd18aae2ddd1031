package io.rankrepro.tasks.linalg;

/**
 * Singular values (largest first) of a factored product at initialization, now, and of its change:
 * W0 = A0 B0ᵀ, W1 = A1 B1ᵀ and ΔW = W1 − W0 (rank ≤ 2r, so {@code change} has 2r values).
 * Arrays are the caller's to keep; build {@link SpectralMetrics} from them. The balance gaps of
 * (A0, B0) and (A1, B1) come free with the spectra (same Grams, same singular values).
 */
public record ProductEvolution(double[] initial, double[] current, double[] change,
                               BalanceGap initialBalance, BalanceGap currentBalance) {
    public ProductEvolution {
        initial = initial.clone();
        current = current.clone();
        change = change.clone();
    }

    @Override
    public double[] initial() {
        return initial.clone();
    }

    @Override
    public double[] current() {
        return current.clone();
    }

    @Override
    public double[] change() {
        return change.clone();
    }
}
