package io.rankrepro.tasks.factorized;

/**
 * The factorized toy's state after {@code step} gradient-descent updates.
 *
 * @param step           updates done (0 = initialization)
 * @param loss           the full objective, penalty included
 * @param gap            Δ = ½(‖A‖² + ‖B‖²) − ‖ABᵀ‖_*
 * @param imbalance      ‖AᵀA − BᵀB‖_F
 * @param singularValues of ABᵀ, largest first
 */
public record ToySnapshot(long step, double loss, double gap, double imbalance, double[] singularValues) {
    public ToySnapshot {
        singularValues = singularValues.clone();
    }

    @Override
    public double[] singularValues() {
        return singularValues.clone();
    }
}
