package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.linalg.Matrices;
import io.rankrepro.tasks.linalg.SingularValues;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layout of {@link AttentionFamily}, written the way Hugging Face stores it (packed here by
 * hand, not through {@link ModelLayout}), with heads whose products have prescribed singular values:
 * W_K^g = U_g diag(a_g), W_Q^h = V_h diag(b_h) with orthonormal U, V, so KQ^h has singular values
 * a_g ∘ b_h and balance gap ½(‖a_g‖² + ‖b_h‖²) − Σ a_g b_h; likewise PV^h. Stored as F64, F32, F16
 * or BF16, with an I64 tensor beside them, in one file or two shards. Spectra are checked against a
 * dense SVD of the d×d products of the stored values (and, in F64, against the prescribed values).
 */
class InspectLayoutsTest {
    private static final int D = 24;
    private static final int LAYERS = 2;

    @TempDir Path dir;

    /** One layout under test. */
    record Case(String modelType, AttentionFamily family, String prefix, SafetensorsDtype dtype, int heads, int kvHeads,
                int headDim, int shards, boolean configKv, String widthKey, String headsKey, String layersKey) { }

    private static final List<Case> CASES = List.of(
            new Case("bert", AttentionFamily.BERT, "", SafetensorsDtype.F32, 4, 4, 6, 1, false, "hidden_size", "num_attention_heads", "num_hidden_layers"),
            new Case("roberta", AttentionFamily.BERT, "roberta.", SafetensorsDtype.F64, 4, 4, 6, 1, false, "hidden_size", "num_attention_heads", "num_hidden_layers"),
            new Case("distilbert", AttentionFamily.DISTILBERT, "distilbert.", SafetensorsDtype.F16, 4, 4, 6, 1, false, "dim", "n_heads", "n_layers"),
            new Case("vit", AttentionFamily.VIT, "vit.", SafetensorsDtype.BF16, 4, 4, 6, 1, false, "hidden_size", "num_attention_heads", "num_hidden_layers"),
            new Case("deit", AttentionFamily.VIT, "deit.", SafetensorsDtype.F32, 3, 3, 8, 2, false, "hidden_size", "num_attention_heads", "num_hidden_layers"),
            new Case("gpt2", AttentionFamily.GPT2, "transformer.", SafetensorsDtype.F64, 4, 4, 6, 1, false, "n_embd", "n_head", "n_layer"),
            new Case("gpt_neox", AttentionFamily.GPT_NEOX, "gpt_neox.", SafetensorsDtype.BF16, 4, 4, 6, 1, false, "hidden_size", "num_attention_heads", "num_hidden_layers"),
            new Case("opt", AttentionFamily.OPT, "model.", SafetensorsDtype.F16, 4, 4, 6, 2, false, "hidden_size", "num_attention_heads", "num_hidden_layers"),
            new Case("llama", AttentionFamily.LLAMA, "model.", SafetensorsDtype.BF16, 4, 2, 6, 2, true, "hidden_size", "num_attention_heads", "num_hidden_layers"),
            new Case("mistral", AttentionFamily.LLAMA, "model.", SafetensorsDtype.F64, 6, 2, 4, 1, false, "hidden_size", "num_attention_heads", "num_hidden_layers"),
            new Case("qwen2", AttentionFamily.LLAMA, "model.", SafetensorsDtype.F32, 4, 1, 8, 1, true, "hidden_size", "num_attention_heads", "num_hidden_layers"));

    /** The heads' factors of one model: per layer, q/o per query head, k/v per kv head, each D×d_h. */
    record Weights(DMatrixRMaj[][] q, DMatrixRMaj[][] k, DMatrixRMaj[][] v, DMatrixRMaj[][] o, double[][][] a, double[][][] b,
                   double[][][] c, double[][][] e) { }

    @Test
    void everyLayoutGivesThePrescribedSpectraHeadMappingAndGaps() throws IOException {
        for (Case c : CASES) {
            Weights w = weights(c, new Random(c.modelType().hashCode()));
            Path model = write(dir.resolve(c.modelType()), c, w);
            List<InspectedHead> rows = inspect(model, null);
            assertEquals(LAYERS * c.heads() * 2, rows.size(), c.modelType());
            for (InspectedHead r : rows) {
                int g = r.head() / (c.heads() / c.kvHeads());
                String what = c.modelType() + " " + c.dtype() + " layer " + r.layer() + " head " + r.head() + " " + r.product();
                assertEquals(g, r.kvHead(), what + ": kv head");
                DMatrixRMaj left = r.product().equals("KQ") ? w.k()[r.layer()][g] : w.o()[r.layer()][r.head()];
                DMatrixRMaj right = r.product().equals("KQ") ? w.q()[r.layer()][r.head()] : w.v()[r.layer()][g];
                double[] dense = denseSingularValues(left, right, c.headDim());
                assertSpectrum(dense, r.metrics().singularValues(), 1e-6, what);
                if (c.dtype() == SafetensorsDtype.F64) {
                    double[] s1 = r.product().equals("KQ") ? w.a()[r.layer()][g] : w.e()[r.layer()][r.head()];
                    double[] s2 = r.product().equals("KQ") ? w.b()[r.layer()][r.head()] : w.c()[r.layer()][g];
                    assertSpectrum(prescribed(s1, s2), r.metrics().singularValues(), 1e-9, what + " (prescribed)");
                    double gap = 0;
                    for (int i = 0; i < s1.length; i++) {
                        gap += 0.5 * (s1[i] * s1[i] + s2[i] * s2[i]) - s1[i] * s2[i];
                    }
                    assertEquals(gap, r.balance().gap(), 1e-9 * r.balance().frobeniusHalfSum(), what + ": prescribed gap");
                }
                double half = 0.5 * (Math.pow(NormOps_DDRM.normF(left), 2) + Math.pow(NormOps_DDRM.normF(right), 2));
                assertEquals(half, r.balance().frobeniusHalfSum(), 1e-9 * half, what + ": Frobenius side");
                assertEquals(Arrays.stream(dense).sum(), r.balance().nuclearNorm(), 1e-6 * half, what + ": nuclear side");
                assertTrue(r.balance().gap() > 0, what + ": unbalanced by construction");
            }
        }
    }

    @Test
    void baseGivesThePerturbationAndTheProductOfTheFactorChanges() throws IOException {
        Case c = CASES.get(9); // mistral, F64, grouped-query attention
        Random rnd = new Random(7);
        Weights base = weights(c, rnd);
        // fine-tuning changes W_K^g and W_Q^h by rank-2 updates ΔW = U' diag(p) (zero columns after 2)
        Weights tuned = weights(c, rnd);
        double[][][] p = new double[LAYERS][c.kvHeads()][];
        double[][][] q = new double[LAYERS][c.heads()][];
        for (int l = 0; l < LAYERS; l++) {
            for (int g = 0; g < c.kvHeads(); g++) {
                p[l][g] = new double[] {0.3 + g, 0.1, 0, 0};
                tuned.k()[l][g] = Matrices.plus(base.k()[l][g], scaled(Matrices.orthonormalColumns(D, c.headDim(), rnd), p[l][g]));
                tuned.v()[l][g] = base.v()[l][g];
            }
            for (int h = 0; h < c.heads(); h++) {
                q[l][h] = new double[] {0.5, 0.2 + 0.1 * h, 0, 0};
                tuned.q()[l][h] = Matrices.plus(base.q()[l][h], scaled(Matrices.orthonormalColumns(D, c.headDim(), rnd), q[l][h]));
                tuned.o()[l][h] = base.o()[l][h];
            }
        }
        Path b = write(dir.resolve("base"), c, base);
        Path m = write(dir.resolve("tuned"), c, tuned);
        List<InspectedHead> rows = inspect(m, b);
        assertEquals(LAYERS * c.heads() * 2 * 4, rows.size());
        for (InspectedHead r : rows) {
            int g = r.head() / (c.heads() / c.kvHeads());
            String what = r.which() + " layer " + r.layer() + " head " + r.head() + " " + r.product();
            double[] s = r.metrics().singularValues();
            if (r.product().equals("PV") && (r.which().equals("delta") || r.which().equals("delta_factors"))) {
                assertEquals(0, s[0], 1e-12, what + ": P and W_V did not change");
                continue;
            }
            if (r.product().equals("PV")) {
                continue;
            }
            switch (r.which()) {
                case "delta_factors" -> assertSpectrum(prescribed(p[r.layer()][g], q[r.layer()][r.head()]), s, 1e-9, what);
                case "delta" -> {
                    DMatrixRMaj now = Matrices.productTransB(tuned.k()[r.layer()][g], tuned.q()[r.layer()][r.head()]);
                    DMatrixRMaj then = Matrices.productTransB(base.k()[r.layer()][g], base.q()[r.layer()][r.head()]);
                    DMatrixRMaj diff = new DMatrixRMaj(D, D);
                    CommonOps_DDRM.subtract(now, then, diff);
                    assertSpectrum(Arrays.copyOf(SingularValues.of(diff), 2 * c.headDim()), s, 1e-9, what);
                }
                case "current" -> assertSpectrum(denseSingularValues(tuned.k()[r.layer()][g], tuned.q()[r.layer()][r.head()], c.headDim()), s, 1e-9, what);
                case "init" -> assertSpectrum(prescribed(base.a()[r.layer()][g], base.b()[r.layer()][r.head()]), s, 1e-9, what);
                default -> throw new AssertionError(what);
            }
        }
    }

    static List<InspectedHead> inspect(Path model, Path base) throws IOException {
        InspectTask.Config cfg = new InspectTask.Config(model.toString(), base == null ? null : base.toString(), 0, 0, 0, 0, 0.01);
        List<InspectedHead> rows = new ArrayList<>();
        try (InspectTask.Opened o = InspectTask.open(cfg)) {
            ModelInspection.run(o.layout(), o.model(), o.base(), 0.01, (l, r) -> rows.addAll(r));
        }
        return rows;
    }

    static Weights weights(Case c, Random rnd) {
        int dh = c.headDim();
        DMatrixRMaj[][] q = new DMatrixRMaj[LAYERS][c.heads()];
        DMatrixRMaj[][] o = new DMatrixRMaj[LAYERS][c.heads()];
        DMatrixRMaj[][] k = new DMatrixRMaj[LAYERS][c.kvHeads()];
        DMatrixRMaj[][] v = new DMatrixRMaj[LAYERS][c.kvHeads()];
        double[][][] a = new double[LAYERS][c.kvHeads()][];
        double[][][] b = new double[LAYERS][c.heads()][];
        double[][][] cv = new double[LAYERS][c.kvHeads()][];
        double[][][] e = new double[LAYERS][c.heads()][];
        for (int l = 0; l < LAYERS; l++) {
            for (int g = 0; g < c.kvHeads(); g++) {
                a[l][g] = scales(rnd, dh);
                cv[l][g] = scales(rnd, dh);
                k[l][g] = scaled(Matrices.orthonormalColumns(D, dh, rnd), a[l][g]);
                v[l][g] = scaled(Matrices.orthonormalColumns(D, dh, rnd), cv[l][g]);
            }
            for (int h = 0; h < c.heads(); h++) {
                b[l][h] = scales(rnd, dh);
                e[l][h] = scales(rnd, dh);
                q[l][h] = scaled(Matrices.orthonormalColumns(D, dh, rnd), b[l][h]);
                o[l][h] = scaled(Matrices.orthonormalColumns(D, dh, rnd), e[l][h]);
            }
        }
        return new Weights(q, k, v, o, a, b, cv, e);
    }

    /** Writes {@code w} in {@code c}'s layout and dtype, then reads the stored (rounded) values back into {@code w}. */
    static Path write(Path folder, Case c, Weights w) throws IOException {
        int dh = c.headDim();
        int hq = c.heads() * dh;
        int hkv = c.kvHeads() * dh;
        List<TestCheckpoints.Tensor> tensors = new ArrayList<>();
        for (int l = 0; l < LAYERS; l++) {
            // round in place: the expectations are then exact for what the file holds
            for (DMatrixRMaj[] side : List.of(w.q()[l], w.k()[l], w.v()[l], w.o()[l])) {
                for (DMatrixRMaj m : side) {
                    for (int i = 0; i < m.data.length; i++) {
                        m.data[i] = TestCheckpoints.round(m.data[i], c.dtype());
                    }
                }
            }
            List<String> n = c.family().tensors(c.prefix(), l);
            switch (c.family().packing()) {
                case SEPARATE -> {
                    tensors.add(tensor(n.get(0), c, hq, D, rowsOf(w.q()[l], D, dh)));
                    tensors.add(tensor(n.get(1), c, hkv, D, rowsOf(w.k()[l], D, dh)));
                    tensors.add(tensor(n.get(2), c, hkv, D, rowsOf(w.v()[l], D, dh)));
                    tensors.add(tensor(n.get(3), c, D, hq, columnsOf(w.o()[l], D, dh)));
                }
                case FUSED_CONV1D -> {
                    // c_attn [d, 3·H·d_h]: q | k | v column blocks, head blocks within each
                    double[] qkv = new double[D * 3 * hq];
                    DMatrixRMaj[][] parts = {w.q()[l], w.k()[l], w.v()[l]};
                    for (int part = 0; part < 3; part++) {
                        for (int h = 0; h < c.heads(); h++) {
                            for (int i = 0; i < D; i++) {
                                for (int j = 0; j < dh; j++) {
                                    qkv[i * 3 * hq + part * hq + h * dh + j] = parts[part][h].get(i, j);
                                }
                            }
                        }
                    }
                    tensors.add(tensor(n.get(0), c, D, 3 * hq, qkv));
                    tensors.add(tensor(n.get(3), c, hq, D, rowsOf(w.o()[l], D, dh))); // c_proj [H·d_h, d]: head rows
                }
                case FUSED_INTERLEAVED -> {
                    // query_key_value [3·H·d_h, d], rows of head h: q (d_h), k (d_h), v (d_h)
                    double[] qkv = new double[3 * hq * D];
                    DMatrixRMaj[][] parts = {w.q()[l], w.k()[l], w.v()[l]};
                    for (int h = 0; h < c.heads(); h++) {
                        for (int part = 0; part < 3; part++) {
                            for (int j = 0; j < dh; j++) {
                                for (int i = 0; i < D; i++) {
                                    qkv[(3 * h * dh + part * dh + j) * D + i] = parts[part][h].get(i, j);
                                }
                            }
                        }
                    }
                    tensors.add(tensor(n.get(0), c, 3 * hq, D, qkv));
                    tensors.add(tensor(n.get(3), c, D, hq, columnsOf(w.o()[l], D, dh)));
                }
                case COLUMNS -> throw new AssertionError("not a Hugging Face layout");
            }
            tensors.add(new TestCheckpoints.Tensor(c.prefix() + "layers." + l + ".mlp.bias", c.dtype(), new long[] {3}, new double[] {1, 2, 3}));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_type", c.modelType());
        config.put(c.widthKey(), D);
        config.put(c.headsKey(), c.heads());
        config.put(c.layersKey(), LAYERS);
        if (c.configKv()) {
            config.put("num_key_value_heads", c.kvHeads());
        }
        if (c.heads() * dh != D) {
            config.put("head_dim", dh);
        }
        return TestCheckpoints.folder(folder, config, tensors, c.shards());
    }

    private static TestCheckpoints.Tensor tensor(String name, Case c, int rows, int cols, double[] data) {
        return new TestCheckpoints.Tensor(name, c.dtype(), new long[] {rows, cols}, data);
    }

    /** [n·d_h, d]: head h's factor transposed into rows h·d_h … (a Linear's out features). */
    static double[] rowsOf(DMatrixRMaj[] heads, int d, int dh) {
        double[] t = new double[heads.length * dh * d];
        for (int h = 0; h < heads.length; h++) {
            for (int j = 0; j < dh; j++) {
                for (int i = 0; i < d; i++) {
                    t[(h * dh + j) * d + i] = heads[h].get(i, j);
                }
            }
        }
        return t;
    }

    /** [d, n·d_h]: head h's factor in columns h·d_h … (a Linear's in features). */
    static double[] columnsOf(DMatrixRMaj[] heads, int d, int dh) {
        int width = heads.length * dh;
        double[] t = new double[d * width];
        for (int h = 0; h < heads.length; h++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < dh; j++) {
                    t[i * width + h * dh + j] = heads[h].get(i, j);
                }
            }
        }
        return t;
    }

    static double[] scales(Random rnd, int n) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = 0.5 + 1.5 * rnd.nextDouble();
        }
        return s;
    }

    static DMatrixRMaj scaled(DMatrixRMaj u, double[] s) {
        DMatrixRMaj out = u.copy();
        for (int i = 0; i < u.numRows; i++) {
            for (int j = 0; j < u.numCols; j++) {
                out.set(i, j, u.get(i, j) * s[j]);
            }
        }
        return out;
    }

    /** The d_h largest singular values of the dense d×d product A Bᵀ (full SVD: independent of the factored path). */
    static double[] denseSingularValues(DMatrixRMaj a, DMatrixRMaj b, int dh) {
        return Arrays.copyOf(SingularValues.of(Matrices.productTransB(a, b)), dh);
    }

    static double[] prescribed(double[] x, double[] y) {
        double[] s = new double[x.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = x[i] * y[i];
        }
        Arrays.sort(s);
        for (int i = 0, j = s.length - 1; i < j; i++, j--) {
            double t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }

    static void assertSpectrum(double[] expected, double[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + ": count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rel * Math.max(expected[i], 1e-3 * expected[0]), what + ": σ_" + i
                    + " expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
        }
    }
}
