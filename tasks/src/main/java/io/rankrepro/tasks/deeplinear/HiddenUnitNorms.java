package io.rankrepro.tasks.deeplinear;

import org.ejml.data.DMatrixRMaj;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Per hidden unit j between W_l and W_{l+1} (row-vector layout): ‖column j of W_l‖ (incoming) and
 * ‖row j of W_{l+1}‖ (outgoing) — the papers' row norms of W_1 and column norms of W_2. Units are
 * sorted by ‖in‖² + ‖out‖², largest first. Caveat: a linear network's hidden basis is arbitrary
 * (W_l Q, Qᵀ W_{l+1} computes the same map for any orthogonal Q), so "units going to zero" is a
 * statement about this basis; the basis-free one is the singular values of each layer.
 *
 * @param incoming sorted like {@code outgoing}
 */
public record HiddenUnitNorms(double[] incoming, double[] outgoing) {

    public static HiddenUnitNorms between(DMatrixRMaj before, DMatrixRMaj after) {
        int h = before.numCols;
        if (after.numRows != h) {
            throw new IllegalArgumentException("W_l has " + h + " columns but W_{l+1} has " + after.numRows + " rows");
        }
        double[] in = new double[h];
        double[] out = new double[h];
        for (int j = 0; j < h; j++) {
            double si = 0;
            for (int i = 0; i < before.numRows; i++) {
                si += before.get(i, j) * before.get(i, j);
            }
            double so = 0;
            for (int k = 0; k < after.numCols; k++) {
                so += after.get(j, k) * after.get(j, k);
            }
            in[j] = Math.sqrt(si);
            out[j] = Math.sqrt(so);
        }
        Integer[] order = new Integer[h];
        for (int j = 0; j < h; j++) {
            order[j] = j;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -(in[j] * in[j] + out[j] * out[j])));
        double[] sortedIn = new double[h];
        double[] sortedOut = new double[h];
        for (int k = 0; k < h; k++) {
            sortedIn[k] = in[order[k]];
            sortedOut[k] = out[order[k]];
        }
        return new HiddenUnitNorms(sortedIn, sortedOut);
    }

    /** sqrt(‖in‖² + ‖out‖²) of the k-th unit. */
    public double combined(int k) {
        return Math.hypot(incoming[k], outgoing[k]);
    }
}
