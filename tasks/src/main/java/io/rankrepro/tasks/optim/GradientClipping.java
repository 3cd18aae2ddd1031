package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;

/** Gradient clipping by the global norm (PyTorch's {@code clip_grad_norm_}, without its 1e-6 slack). */
public final class GradientClipping {
    private GradientClipping() { }

    /**
     * Scales every gradient in place by {@link #factor} of their global norm.
     *
     * @return the global norm before clipping (log it: how often clipping bites matters)
     */
    public static double clipGlobalNorm(List<NDArray> gradients, double maxNorm) {
        double norm = globalNorm(gradients);
        double factor = factor(norm, maxNorm);
        if (factor != 1) {
            for (NDArray g : gradients) {
                g.muli(factor);
            }
        }
        return norm;
    }

    /**
     * What clipping multiplies every gradient by: {@code maxNorm / ‖g‖} when the global norm
     * exceeds {@code maxNorm}, else 1. An optimizer can take it as its gradient scale
     * ({@link Optimizer#step(GradientSource, double)}) so no gradient is rewritten.
     */
    public static double factor(double globalNorm, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        }
        return globalNorm > maxNorm ? maxNorm / globalNorm : 1.0;
    }

    /** The global norm ‖g‖ = sqrt(Σ‖g_i‖²) of the gradients. */
    public static double globalNorm(List<NDArray> gradients) {
        double sumOfSquares = 0;
        try (NDScope scope = new NDScope()) {
            // ‖g_i‖ per array in its own type (one engine call each), squared and added in float64,
            // read back to Java once per type: one copy out of the engine per step, not one per parameter
            List<List<NDArray>> byType = new ArrayList<>();
            for (NDArray g : gradients) {
                List<NDArray> same = byType.stream().filter(l -> l.get(0).getDataType() == g.getDataType()).findFirst().orElse(null);
                if (same == null) {
                    same = new ArrayList<>();
                    byType.add(same);
                }
                same.add(g.norm());
            }
            for (List<NDArray> norms : byType) {
                sumOfSquares += NDArrays.stack(new NDList(norms)).toType(DataType.FLOAT64, false).square().sum().getDouble();
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    /** The global norm of the gradients of every parameter of {@code groups}, read through {@code source}. */
    public static double globalNorm(List<ParameterGroup> groups, GradientSource source) {
        List<NDArray> gradients = new ArrayList<>();
        for (ParameterGroup g : groups) {
            for (NDArray p : g.params()) {
                gradients.add(source.gradientOf(p));
            }
        }
        return globalNorm(gradients);
    }
}
