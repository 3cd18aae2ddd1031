package io.rankrepro.tasks.deeplinear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rankrepro.tasks.model.ModelParameters;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.ArrayList;
import java.util.List;

/**
 * y = x W_1 W_2 ⋯ W_L (row vectors; W_l ∈ R^{d_{l−1}×d_l}), no biases, float64. Parameters are
 * {@code layers.{l}.weight} in a {@link ModelParameters} (seeded U(±scale/√fan_in) init). In the
 * column-vector convention of the papers (y = W_L⋯W_1 x) our W_l is their W_lᵀ, so our column j of
 * W_l — hidden unit j's incoming weights — is their row j of W_l.
 */
public final class DeepLinearNetwork {
    private final ModelParameters params;
    private final List<NDArray> layers = new ArrayList<>();

    /** @param widths d_0 (input), d_1 … d_{L−1} (hidden), d_L (output) */
    public DeepLinearNetwork(NDManager manager, int[] widths, long seed, double initScale) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("need at least an input and an output width");
        }
        this.params = new ModelParameters(manager, DataType.FLOAT64, seed, initScale);
        for (int l = 0; l + 1 < widths.length; l++) {
            layers.add(params.linear("layers." + l + ".weight", widths[l], widths[l + 1]));
        }
    }

    public ModelParameters parameters() {
        return params;
    }

    public int depth() {
        return layers.size();
    }

    /** x [n, d_0] → [n, d_L]. */
    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (NDArray w : layers) {
            h = h.matMul(w);
        }
        return h;
    }

    /** W_l (0-based) as a float64 matrix. */
    public DMatrixRMaj layer(int l) {
        NDArray w = layers.get(l);
        long[] s = w.getShape().getShape();
        return new DMatrixRMaj((int) s[0], (int) s[1], true, w.toDoubleArray());
    }

    /** The end-to-end map W_1 ⋯ W_L. */
    public DMatrixRMaj product() {
        DMatrixRMaj p = layer(0);
        for (int l = 1; l < layers.size(); l++) {
            DMatrixRMaj next = layer(l);
            DMatrixRMaj out = new DMatrixRMaj(p.numRows, next.numCols);
            CommonOps_DDRM.mult(p, next, out);
            p = out;
        }
        return p;
    }
}
