package io.rankrepro.tasks.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rankrepro.tasks.model.EngineScalar;

import java.util.List;

/**
 * Paper B's toy head in DJL (float64): one attention head whose W_K, W_Q, W_V, W_O are diagonal,
 * <pre>
 *   f(X) = softmax(X diag(w_K⊙w_Q) X^T) X diag(w_V⊙w_O),   X ∈ R^{N×n×d}
 * </pre>
 * with the four vectors as explicit leaf parameters so autograd sees the factored form that
 * gives the dynamics their stages. The arrays belong to the manager passed in.
 */
public final class DiagonalAttentionHead {
    private final NDArray wK;
    private final NDArray wQ;
    private final NDArray wV;
    private final NDArray wO;

    public DiagonalAttentionHead(NDManager manager, DiagonalHeadWeights init) {
        int d = init.dim();
        this.wK = parameter(manager, init.wK(), d);
        this.wQ = parameter(manager, init.wQ(), d);
        this.wV = parameter(manager, init.wV(), d);
        this.wO = parameter(manager, init.wO(), d);
    }

    private static NDArray parameter(NDManager manager, double[] values, int d) {
        NDArray p = manager.create(values, new Shape(d));
        p.setRequiresGradient(true);
        return p;
    }

    /** w_K, w_Q, w_V, w_O, in that order. */
    public List<NDArray> parameters() {
        return List.of(wK, wQ, wV, wO);
    }

    /** f(X) for X of shape [N, n, d]; intermediates belong to the manager of X's operands. */
    public NDArray forward(NDArray x) {
        NDArray scores = x.mul(wK.mul(wQ)).batchMatMul(x.transpose(0, 2, 1));
        return scores.softmax(-1).batchMatMul(x).mul(wV.mul(wO));
    }

    /** ℓ = 1/(2N) Σ ‖f(X) − Y‖², the same loss as {@link DiagonalHeadObjective}. */
    public NDArray loss(NDArray x, NDArray y) {
        long samples = x.getShape().get(0);
        // 2N as an engine-owned scalar: the backward pass reads the divisor, and div(Number)'s
        // temporary lives in a Java buffer the collector may free first (EngineScalar)
        return forward(x).sub(y).square().sum().div(EngineScalar.of(x.getManager(), 2.0 * samples, x.getDataType()));
    }

    public DiagonalHeadWeights weights() {
        return new DiagonalHeadWeights(wK.toDoubleArray(), wQ.toDoubleArray(), wV.toDoubleArray(), wO.toDoubleArray());
    }
}
