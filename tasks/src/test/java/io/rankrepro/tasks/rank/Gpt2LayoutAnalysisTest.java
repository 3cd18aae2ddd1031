package io.rankrepro.tasks.rank;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.TaskContext;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rank/analyze run standalone on a synthetic GPT-2-layout safetensors file (c_attn [d, 3d] Conv1D,
 * c_proj [d, d]) equals a dense SVD of the products built by hand from the GPT-2 conventions.
 */
class Gpt2LayoutAnalysisTest {
    private static final int D = 12;
    private static final int HEADS = 3;
    private static final int DH = 4;

    @Test
    void standaloneAnalysisOfGpt2FileMatchesDenseSvd(@TempDir Path dir) throws Exception {
        Random r = new Random(1);
        double[] cAttn = new double[D * 3 * D];
        double[] cProj = new double[D * D];
        for (int i = 0; i < cAttn.length; i++) {
            cAttn[i] = r.nextGaussian();
        }
        for (int i = 0; i < cProj.length; i++) {
            cProj[i] = r.nextGaussian();
        }
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, List.of(
                new SafetensorsTensor("h.0.attn.c_attn.weight", SafetensorsDtype.F64, new long[] {D, 3 * D}, cAttn),
                new SafetensorsTensor("h.0.attn.c_proj.weight", SafetensorsDtype.F64, new long[] {D, D}, cProj),
                new SafetensorsTensor("wte.weight", SafetensorsDtype.F64, new long[] {5, D}, new double[5 * D])), Map.of());

        Path out = Files.createDirectories(dir.resolve("out"));
        TaskContext ctx = new TaskContext("analyze", "analyze", new SpecInfo("t/t", "t", "", "", "smoke", 0),
                Params.of("checkpoint", file.toString(), "heads", HEADS), Map.of(), List.of(), out, NO_TRACKING, Progress.none());
        AnalyzeTask task = new AnalyzeTask();
        AnalyzeTask.Config c = ctx.params(AnalyzeTask.Config.class);
        assertEquals(new AnalyzeTask.Config(0.01, HEADS, file.toString()), c);
        assertEquals(List.of(file), task.contract().external().apply(c), "the standalone checkpoint is hashed into the key");
        task.run(ctx);

        List<String> lines = Files.readAllLines(out.resolve(RankTables.RANKS));
        assertEquals(1 + HEADS * 2, lines.size(), "one row per head and product");
        for (int h = 0; h < HEADS; h++) {
            // GPT-2: q = x c_attn[:, 0:d], k = x c_attn[:, d:2d], v = x c_attn[:, 2d:3d]; out = z c_proj
            DMatrixRMaj wq = cols(cAttn, 3 * D, h * DH);
            DMatrixRMaj wk = cols(cAttn, 3 * D, D + h * DH);
            DMatrixRMaj wv = cols(cAttn, 3 * D, 2 * D + h * DH);
            DMatrixRMaj projRows = new DMatrixRMaj(DH, D);
            for (int i = 0; i < DH; i++) {
                for (int j = 0; j < D; j++) {
                    projRows.set(i, j, cProj[(h * DH + i) * D + j]);
                }
            }
            DMatrixRMaj kq = new DMatrixRMaj(D, D);
            CommonOps_DDRM.multTransB(wk, wq, kq);
            DMatrixRMaj pv = new DMatrixRMaj(D, D); // PV^h = P^h W_V^hᵀ with P^h = c_proj[rows h]ᵀ
            CommonOps_DDRM.multTransAB(projRows, wv, pv);
            assertRow(lines, h, "KQ", SpectralMetrics.of(kq, 0.01));
            assertRow(lines, h, "PV", SpectralMetrics.of(pv, 0.01));
        }
    }

    @Test
    void aFileWithoutAttentionWeightsIsRejectedClearly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("other.safetensors");
        SafetensorsWriter.write(file, List.of(SafetensorsTensor.of("fc.weight", new double[4], 2, 2)), Map.of());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CheckpointLayout.detect(io.rankrepro.tasks.io.SafetensorsReader.read(file), 2));
        assertTrue(e.getMessage().contains("c_attn") && e.getMessage().contains("fc.weight"), e.getMessage());
    }

    private static void assertRow(List<String> lines, int head, String product, SpectralMetrics dense) {
        String row = lines.stream().filter(l -> l.startsWith("0,0," + head + "," + product + ",current,")).findFirst().orElseThrow();
        String[] c = row.split(",");
        assertEquals(dense.stableRank(), Double.parseDouble(c[5]), 1e-9 * dense.stableRank());
        assertEquals(dense.effectiveRank(), Double.parseDouble(c[6]), 1e-9 * dense.effectiveRank());
        assertEquals(DH, (int) Double.parseDouble(c[7]));
        assertEquals(dense.nuclearNorm(), Double.parseDouble(c[9]), 1e-9 * dense.nuclearNorm());
    }

    private static DMatrixRMaj cols(double[] data, int width, int start) {
        DMatrixRMaj m = new DMatrixRMaj(D, DH);
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < DH; j++) {
                m.set(i, j, data[i * width + start + j]);
            }
        }
        return m;
    }

    private static final RunTracker NO_TRACKING = RunTracker.none();
}
