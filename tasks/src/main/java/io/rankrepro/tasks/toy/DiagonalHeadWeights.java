package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.NpzArray;
import io.rankrepro.tasks.io.NpzReader;
import io.rankrepro.tasks.io.NpzWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The four diagonal weight vectors of the toy head, as a checkpoint holds them
 * ({@code w_k, w_q, w_v, w_o}, float64, in an .npz).
 */
public record DiagonalHeadWeights(double[] wK, double[] wQ, double[] wV, double[] wO) {
    public static final List<String> NAMES = List.of("w_k", "w_q", "w_v", "w_o");

    public DiagonalHeadWeights {
        int d = wK.length;
        if (wQ.length != d || wV.length != d || wO.length != d) {
            throw new IllegalArgumentException("weight vectors must share one length d");
        }
        wK = wK.clone();
        wQ = wQ.clone();
        wV = wV.clone();
        wO = wO.clone();
    }

    /**
     * Initialization at scale α: w_K = w_V = α·1, w_Q = w_O = 0. The products start at exactly 0 and
     * each coordinate conserves u² − v² = α² under gradient flow, so either sign of a product entry
     * switches on after the same rescaled time, as the greedy algorithm assumes (its budgets start
     * at b = 0). This is the u₀ = α, v₀ = 0 start used for diagonal networks by Pesme &amp; Flammarion.
     */
    public static DiagonalHeadWeights smallInit(int dim, double alpha) {
        double[] scaled = new double[dim];
        Arrays.fill(scaled, alpha);
        return new DiagonalHeadWeights(scaled, new double[dim], scaled, new double[dim]);
    }

    public int dim() {
        return wK.length;
    }

    /** diag(W_K W_Q^T) = w_K⊙w_Q. */
    public double[] kq() {
        return hadamard(wK, wQ);
    }

    /** diag(W_V W_O) = w_V⊙w_O. */
    public double[] vo() {
        return hadamard(wV, wO);
    }

    /** w = (kq, vo), the coordinates the greedy algorithm works in. */
    public double[] products() {
        int d = dim();
        double[] w = new double[2 * d];
        System.arraycopy(kq(), 0, w, 0, d);
        System.arraycopy(vo(), 0, w, d, d);
        return w;
    }

    @Override
    public double[] wK() {
        return wK.clone();
    }

    @Override
    public double[] wQ() {
        return wQ.clone();
    }

    @Override
    public double[] wV() {
        return wV.clone();
    }

    @Override
    public double[] wO() {
        return wO.clone();
    }

    public void write(Path file) throws IOException {
        NpzWriter.write(file, List.of(NpzArray.vector("w_k", wK), NpzArray.vector("w_q", wQ),
                NpzArray.vector("w_v", wV), NpzArray.vector("w_o", wO)));
    }

    public static DiagonalHeadWeights read(Path file) throws IOException {
        Map<String, NpzArray> a = NpzReader.read(file);
        double[][] v = new double[4][];
        for (int i = 0; i < 4; i++) {
            NpzArray x = a.get(NAMES.get(i));
            if (x == null) {
                throw new IOException(file + " lacks '" + NAMES.get(i) + "' (has " + a.keySet() + ")");
            }
            v[i] = x.data();
        }
        return new DiagonalHeadWeights(v[0], v[1], v[2], v[3]);
    }

    private static double[] hadamard(double[] a, double[] b) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] * b[i];
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiagonalHeadWeights w && Arrays.equals(wK, w.wK) && Arrays.equals(wQ, w.wQ)
                && Arrays.equals(wV, w.wV) && Arrays.equals(wO, w.wO);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {wK, wQ, wV, wO});
    }

    @Override
    public String toString() {
        return "DiagonalHeadWeights[kq=" + Arrays.toString(kq()) + ", vo=" + Arrays.toString(vo()) + "]";
    }
}
