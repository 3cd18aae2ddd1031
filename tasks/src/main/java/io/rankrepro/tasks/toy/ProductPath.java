package io.rankrepro.tasks.toy;

/**
 * The product coordinates w = (kq, vo) of a run at increasing rescaled times, interpolated
 * linearly between recorded points. What the B-fig2 checks compare and what its figure draws.
 *
 * @param tau ascending rescaled times
 * @param w   w[i] = (kq, vo) at tau[i], each of length 2d
 */
public record ProductPath(double[] tau, double[][] w) {

    public ProductPath {
        if (tau.length != w.length || tau.length == 0) {
            throw new IllegalArgumentException("need equally many, and some, times and points");
        }
        for (int i = 1; i < tau.length; i++) {
            if (!(tau[i] > tau[i - 1])) {
                throw new IllegalArgumentException("times must increase: tau[" + i + "] = " + tau[i]);
            }
        }
        tau = tau.clone();
        double[][] copy = new double[w.length][];
        for (int i = 0; i < w.length; i++) {
            copy[i] = w[i].clone();
        }
        w = copy;
    }

    public int dimension() {
        return w[0].length;
    }

    public int size() {
        return tau.length;
    }

    public double tauAt(int i) {
        return tau[i];
    }

    public double valueAt(int i, int coordinate) {
        return w[i][coordinate];
    }

    public double start() {
        return tau[0];
    }

    public double end() {
        return tau[tau.length - 1];
    }

    /** w at rescaled time t ∈ [start, end], linearly interpolated. */
    public double[] at(double t) {
        if (t < start() || t > end()) {
            throw new IllegalArgumentException("τ = " + t + " outside [" + start() + ", " + end() + "]");
        }
        int hi = java.util.Arrays.binarySearch(tau, t);
        if (hi >= 0) {
            return w[hi].clone();
        }
        hi = -hi - 1;
        int lo = hi - 1;
        double f = (t - tau[lo]) / (tau[hi] - tau[lo]);
        double[] out = new double[dimension()];
        for (int c = 0; c < out.length; c++) {
            out[c] = (1 - f) * w[lo][c] + f * w[hi][c];
        }
        return out;
    }

    /**
     * The first τ ≥ {@code from} at which |w_c| reaches {@code level} (interpolated between points),
     * or NaN if it never does: the switch-on time of coordinate c at that level.
     */
    public double firstReach(int c, double level, double from) {
        for (int i = 0; i < tau.length; i++) {
            if (tau[i] < from || Math.abs(w[i][c]) < level) {
                continue;
            }
            if (i == 0 || tau[i - 1] < from) {
                return tau[i];
            }
            double a = Math.abs(w[i - 1][c]);
            double b = Math.abs(w[i][c]);
            return tau[i - 1] + (level - a) / (b - a) * (tau[i] - tau[i - 1]);
        }
        return Double.NaN;
    }

    /** The points with τ in [from, to], keeping every {@code every}-th (and the last), for writing and drawing. */
    public ProductPath thinned(double from, double to, int every) {
        java.util.List<Integer> keep = new java.util.ArrayList<>();
        int first = -1;
        int last = -1;
        for (int i = 0; i < tau.length; i++) {
            if (tau[i] >= from && tau[i] <= to) {
                first = first < 0 ? i : first;
                if ((i - first) % every == 0) {
                    keep.add(i);
                }
                last = i;
            }
        }
        if (keep.isEmpty()) {
            throw new IllegalArgumentException("no points in [" + from + ", " + to + "]");
        }
        if (keep.get(keep.size() - 1) != last) {
            keep.add(last);
        }
        double[] t = new double[keep.size()];
        double[][] v = new double[keep.size()][];
        for (int k = 0; k < t.length; k++) {
            t[k] = tau[keep.get(k)];
            v[k] = w[keep.get(k)];
        }
        return new ProductPath(t, v);
    }
}
