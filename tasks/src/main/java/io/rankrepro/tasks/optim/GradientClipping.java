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
     * Scales every gradient in place by {@code maxNorm / ‖g‖} when the global norm
     * ‖g‖ = sqrt(Σ‖g_i‖²) exceeds {@code maxNorm}; otherwise leaves them alone.
     *
     * @return the global norm before clipping (log it: how often clipping bites matters)
     */
    public static double clipGlobalNorm(List<NDArray> gradients, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        }
        double sumOfSquares = 0;
        try (NDScope scope = new NDScope()) {
            // Σ‖g_i‖² per array in its own type, added in float64 as before, but read back to Java once:
            // one copy out of the engine per step instead of one per parameter (66 for the fig3 models)
            List<List<NDArray>> byType = new ArrayList<>();
            for (NDArray g : gradients) {
                List<NDArray> same = byType.stream().filter(l -> l.get(0).getDataType() == g.getDataType()).findFirst().orElse(null);
                if (same == null) {
                    same = new ArrayList<>();
                    byType.add(same);
                }
                same.add(g.square().sum());
            }
            for (List<NDArray> sums : byType) {
                sumOfSquares += NDArrays.stack(new NDList(sums)).toType(DataType.FLOAT64, false).sum().getDouble();
            }
        }
        double norm = Math.sqrt(sumOfSquares);
        if (norm > maxNorm) {
            double scale = maxNorm / norm;
            for (NDArray g : gradients) {
                g.muli(scale);
            }
        }
        return norm;
    }

    /** Clips the gradients of every parameter of {@code groups}, read through {@code source}. */
    public static double clipGlobalNorm(List<ParameterGroup> groups, GradientSource source, double maxNorm) {
        List<NDArray> gradients = new ArrayList<>();
        for (ParameterGroup g : groups) {
            for (NDArray p : g.params()) {
                gradients.add(source.gradientOf(p));
            }
        }
        return clipGlobalNorm(gradients, maxNorm);
    }
}
