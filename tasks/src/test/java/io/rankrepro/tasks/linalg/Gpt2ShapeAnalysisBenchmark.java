package io.rankrepro.tasks.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * Scratch timing, not a test: per-head analysis of a GPT-2-small-shape checkpoint (12 layers ×
 * 12 heads, d = 768, d_h = 64): KQ, PV and their changes since init, all spectral metrics, and
 * the balance gaps (free with the spectra), on {@code threads} threads (default 2).
 * Run: java -cp target/classes:target/test-classes:$EJML io.rankrepro.tasks.linalg.Gpt2ShapeAnalysisBenchmark
 */
public final class Gpt2ShapeAnalysisBenchmark {
    static final int LAYERS = 12, HEADS = 12, D = 768, DH = 64;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Random rng = new Random(0);
        // per layer: W_Q, W_K, W_V, P as d×d; head h is the d×d_h column slice h·d_h.. of each
        DMatrixRMaj[][] init = new DMatrixRMaj[LAYERS][4];
        DMatrixRMaj[][] now = new DMatrixRMaj[LAYERS][4];
        for (int l = 0; l < LAYERS; l++) {
            for (int m = 0; m < 4; m++) {
                init[l][m] = Matrices.gaussian(D, D, 0.02, rng);
                now[l][m] = Matrices.plus(init[l][m], Matrices.gaussian(D, D, 0.005, rng));
            }
        }
        ForkJoinPool pool = new ForkJoinPool(threads);
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            LongAdder cpuNanos = new LongAdder();
            double checksum = pool.submit(() -> IntStream.range(0, LAYERS * HEADS).parallel().mapToDouble(i -> {
                long cpu = THREADS.getCurrentThreadCpuTime();
                double v = analyzeHead(init[i / HEADS], now[i / HEADS], i % HEADS);
                cpuNanos.add(THREADS.getCurrentThreadCpuTime() - cpu);
                return v;
            }).sum()).get();
            // CPU seconds separate the work from waiting on a shared machine: wall on idle cores ≈ cpu / threads
            System.out.printf("round %d: %d heads on %d threads: wall %.3f s, cpu %.3f s (checksum %.6f)%n",
                    round, LAYERS * HEADS, threads, (System.nanoTime() - start) / 1e9, cpuNanos.sum() / 1e9, checksum);
        }
        pool.shutdown();
    }

    private static double analyzeHead(DMatrixRMaj[] init, DMatrixRMaj[] now, int h) {
        DMatrixRMaj q0 = head(init[0], h), k0 = head(init[1], h), v0 = head(init[2], h), p0 = head(init[3], h);
        DMatrixRMaj q1 = head(now[0], h), k1 = head(now[1], h), v1 = head(now[2], h), p1 = head(now[3], h);
        ProductEvolution kq = FactoredProduct.evolution(k0, q0, k1, q1);
        ProductEvolution pv = FactoredProduct.evolution(p0, v0, p1, v1);
        double sum = 0;
        for (ProductEvolution e : new ProductEvolution[] {kq, pv}) {
            for (double[] s : new double[][] {e.initial(), e.current(), e.change()}) {
                SpectralMetrics m = SpectralMetrics.of(s, SpectralMetrics.DEFAULT_REL_TOL);
                sum += m.stableRank() + m.effectiveRank() + m.numericalRank() + m.nuclearNorm();
            }
        }
        sum += kq.currentBalance().gap() + pv.currentBalance().gap();
        return sum;
    }

    /** Columns h·d_h .. (h+1)·d_h − 1: the head's d×d_h slice. */
    private static DMatrixRMaj head(DMatrixRMaj w, int h) {
        return CommonOps_DDRM.extract(w, 0, D, h * DH, (h + 1) * DH);
    }
}
