package io.rankrepro.tasks.toy;

/**
 * The toy head's squared loss as a function of its two diagonal products, in plain doubles so
 * it can be checked independently of DJL:
 * <pre>
 *   f(X) = softmax(X diag(kq) X^T) X diag(vo)        (softmax over each row)
 *   ℓ(kq, vo) = 1/(2N) Σ_s ‖f(X_s) − Y_s‖_F²
 * </pre>
 * Coordinates of w: {@code w[i] = kq[i]} for i &lt; d, {@code w[d + i] = vo[i]} (see {@link ProductCoordinate}).
 */
public final class DiagonalHeadObjective implements SmoothLoss {
    private final ToyDataset data;
    private final int n;
    private final int d;
    // per-sample scratch, reused so a gradient allocates nothing
    private final double[] attention;
    private final double[] attended;
    private final double[] residual;
    private final double[] scoreGrad;

    public DiagonalHeadObjective(ToyDataset data) {
        this.data = data;
        this.n = data.tokens();
        this.d = data.dim();
        this.attention = new double[n * n];
        this.attended = new double[n * d];
        this.residual = new double[n * d];
        this.scoreGrad = new double[n * n];
    }

    @Override
    public int dimension() {
        return 2 * d;
    }

    @Override
    public synchronized double valueAndGradient(double[] w, double[] gradient) {
        java.util.Arrays.fill(gradient, 0.0);
        double loss = 0;
        double[] x = data.x();
        double[] y = data.y();
        int block = n * d;
        for (int s = 0; s < data.samples(); s++) {
            int off = s * block;
            attend(x, off, w, attention, attended);
            for (int t = 0; t < n; t++) {
                for (int k = 0; k < d; k++) {
                    double r = attended[t * d + k] * w[d + k] - y[off + t * d + k];
                    residual[t * d + k] = r;
                    loss += 0.5 * r * r;
                    gradient[d + k] += attended[t * d + k] * r;
                }
            }
            // dℓ/dA = R Z^T with Z = X diag(vo); then back through the row softmax
            for (int t = 0; t < n; t++) {
                double weighted = 0;
                for (int u = 0; u < n; u++) {
                    double g = 0;
                    for (int k = 0; k < d; k++) {
                        g += residual[t * d + k] * w[d + k] * x[off + u * d + k];
                    }
                    scoreGrad[t * n + u] = g;
                    weighted += attention[t * n + u] * g;
                }
                for (int u = 0; u < n; u++) {
                    scoreGrad[t * n + u] = attention[t * n + u] * (scoreGrad[t * n + u] - weighted);
                }
            }
            // scores S_tu = Σ_k X_tk kq_k X_uk, so dℓ/dkq_k = Σ_tu dS_tu X_tk X_uk
            for (int t = 0; t < n; t++) {
                for (int u = 0; u < n; u++) {
                    double gs = scoreGrad[t * n + u];
                    for (int k = 0; k < d; k++) {
                        gradient[k] += gs * x[off + t * d + k] * x[off + u * d + k];
                    }
                }
            }
        }
        double inv = 1.0 / data.samples();
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] *= inv;
        }
        return loss * inv;
    }

    /** f(X) for every sample; used to make the teacher's targets. */
    public static double[] forward(double[] x, int samples, int tokens, double[] kq, double[] vo) {
        int d = kq.length;
        double[] w = new double[2 * d];
        System.arraycopy(kq, 0, w, 0, d);
        System.arraycopy(vo, 0, w, d, d);
        double[] out = new double[x.length];
        double[] a = new double[tokens * tokens];
        double[] ax = new double[tokens * d];
        int block = tokens * d;
        for (int s = 0; s < samples; s++) {
            attendInto(x, s * block, tokens, d, w, a, ax);
            for (int i = 0; i < block; i++) {
                out[s * block + i] = ax[i] * vo[i % d];
            }
        }
        return out;
    }

    private void attend(double[] x, int off, double[] w, double[] a, double[] ax) {
        attendInto(x, off, n, d, w, a, ax);
    }

    /** a = softmax(X diag(kq) X^T) row-wise, ax = a X, for the sample starting at {@code off}. */
    private static void attendInto(double[] x, int off, int n, int d, double[] w, double[] a, double[] ax) {
        for (int t = 0; t < n; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int u = 0; u < n; u++) {
                double sc = 0;
                for (int k = 0; k < d; k++) {
                    sc += x[off + t * d + k] * w[k] * x[off + u * d + k];
                }
                a[t * n + u] = sc;
                max = Math.max(max, sc);
            }
            double z = 0;
            for (int u = 0; u < n; u++) {
                double e = Math.exp(a[t * n + u] - max);
                a[t * n + u] = e;
                z += e;
            }
            for (int u = 0; u < n; u++) {
                a[t * n + u] /= z;
            }
            for (int k = 0; k < d; k++) {
                double v = 0;
                for (int u = 0; u < n; u++) {
                    v += a[t * n + u] * x[off + u * d + k];
                }
                ax[t * d + k] = v;
            }
        }
    }
}
