package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.linalg.SingularValues;
import io.rankrepro.tasks.rank.CheckpointLayout;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A two-layer LLaMA-layout checkpoint written here (PyTorch Linear layout, rows = out features):
 * in layer 0, head 0 is balanced by construction (W_K = O W_Q with O orthogonal, so
 * W_KᵀW_K = W_QᵀW_Q, and P = O' W_V likewise) and head 1 is not; the analysis must find exactly
 * that, slicing heads out of q/k/v rows and o_proj columns.
 */
class LlamaLayoutBalanceTest {
    static final int D = 8;
    static final int HEADS = 2;
    static final int DH = D / HEADS;

    @Test
    void balancedHeadHasEqualSidesAndUnbalancedHeadDoesNot(@TempDir Path dir) throws Exception {
        Random r = new Random(7);
        // per layer and head, factors in our d×d_h convention
        DMatrixRMaj[][] wq = new DMatrixRMaj[2][HEADS];
        DMatrixRMaj[][] wk = new DMatrixRMaj[2][HEADS];
        DMatrixRMaj[][] wv = new DMatrixRMaj[2][HEADS];
        DMatrixRMaj[][] wo = new DMatrixRMaj[2][HEADS];
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < HEADS; h++) {
                wq[l][h] = gaussian(D, DH, r);
                wv[l][h] = gaussian(D, DH, r);
                if (l == 0 && h == 0) {
                    wk[l][h] = times(orthogonal(D, r), wq[l][h]);
                    wo[l][h] = times(orthogonal(D, r), wv[l][h]);
                } else {
                    wk[l][h] = gaussian(D, DH, r);
                    CommonOps_DDRM.scale(3.0, wk[l][h]);
                    wo[l][h] = gaussian(D, DH, r);
                }
            }
        }
        List<SafetensorsTensor> tensors = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            String base = "model.layers." + l + ".self_attn.";
            tensors.add(new SafetensorsTensor(base + "q_proj.weight", SafetensorsDtype.F64, new long[] {D, D}, headRows(wq[l])));
            tensors.add(new SafetensorsTensor(base + "k_proj.weight", SafetensorsDtype.F64, new long[] {D, D}, headRows(wk[l])));
            tensors.add(new SafetensorsTensor(base + "v_proj.weight", SafetensorsDtype.F64, new long[] {D, D}, headRows(wv[l])));
            tensors.add(new SafetensorsTensor(base + "o_proj.weight", SafetensorsDtype.F64, new long[] {D, D}, headColumns(wo[l])));
            tensors.add(new SafetensorsTensor("model.layers." + l + ".mlp.up_proj.weight", SafetensorsDtype.F64, new long[] {2, D},
                    new double[2 * D]));
        }
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());

        SafetensorsFile f = CheckpointFiles.readMerged(file);
        CheckpointLayout layout = CheckpointLayout.detect(f, HEADS);
        assertEquals("llama", layout.name());
        assertEquals("model.", layout.prefix());
        assertEquals(2, layout.layers());
        List<HeadBalance> rows = HeadBalance.of(layout, f, 0);
        assertEquals(2 * HEADS * 2, rows.size());
        for (HeadBalance b : rows) {
            DMatrixRMaj a = b.product().equals("KQ") ? wk[b.layer()][b.head()] : wo[b.layer()][b.head()];
            DMatrixRMaj c = b.product().equals("KQ") ? wq[b.layer()][b.head()] : wv[b.layer()][b.head()];
            double frob = 0.5 * (sq(a) + sq(c));
            DMatrixRMaj dense = new DMatrixRMaj(D, D);
            CommonOps_DDRM.multTransB(a, c, dense);
            double nuclear = java.util.Arrays.stream(SingularValues.of(dense)).sum();
            assertEquals(frob, b.gap().frobeniusHalfSum(), 1e-12 * frob, b.toString());
            assertEquals(nuclear, b.gap().nuclearNorm(), 1e-9 * frob, b.toString());
            if (b.layer() == 0 && b.head() == 0) {
                assertEquals(0, b.gap().gap(), 1e-9 * frob, "balanced head " + b);
                assertEquals(0, b.gap().imbalance(), 1e-9 * frob, "balanced head " + b);
            } else {
                assertTrue(b.gap().relativeGap() > 0.05, "unbalanced head should show a gap: " + b.gap().relativeGap() + " " + b);
            }
        }
    }

    /** q/k/v_proj.weight [H·d_h, d]: head h's rows are its d×d_h factor transposed. */
    static double[] headRows(DMatrixRMaj[] perHead) {
        double[] out = new double[D * D];
        for (int h = 0; h < HEADS; h++) {
            for (int j = 0; j < DH; j++) {
                for (int i = 0; i < D; i++) {
                    out[(h * DH + j) * D + i] = perHead[h].get(i, j);
                }
            }
        }
        return out;
    }

    /** o_proj.weight [d, H·d_h]: head h's columns are its d×d_h factor P^h. */
    static double[] headColumns(DMatrixRMaj[] perHead) {
        double[] out = new double[D * D];
        for (int h = 0; h < HEADS; h++) {
            for (int i = 0; i < D; i++) {
                for (int j = 0; j < DH; j++) {
                    out[i * D + h * DH + j] = perHead[h].get(i, j);
                }
            }
        }
        return out;
    }

    static DMatrixRMaj gaussian(int rows, int cols, Random r) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = r.nextGaussian();
        }
        return m;
    }

    static DMatrixRMaj orthogonal(int d, Random r) {
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(d, d);
        qr.decompose(gaussian(d, d, r));
        return qr.getQ(null, false);
    }

    static DMatrixRMaj times(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows, b.numCols);
        CommonOps_DDRM.mult(a, b, out);
        return out;
    }

    static double sq(DMatrixRMaj m) {
        double n = NormOps_DDRM.normF(m);
        return n * n;
    }
}
