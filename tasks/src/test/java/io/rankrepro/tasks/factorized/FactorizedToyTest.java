package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.linalg.BalanceGap;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FactorizedToyTest {
    static final double[] D = {0.2, 0.4, 0.6, 0.8, 1.0};
    static final double[] D_DESC = {1.0, 0.8, 0.6, 0.4, 0.2};

    @Test
    void softThresholdIsLambdaOverTwoWithoutTheHalfAndLambdaWithIt() {
        assertArrayEquals(new double[] {0.75, 0.55, 0.35, 0.15, 0}, SoftThreshold.predict(D_DESC, 0.5, false), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.3, 0.1, 0, 0}, SoftThreshold.predict(D_DESC, 0.5, true), 1e-15);
        assertEquals(0.05, SoftThreshold.distanceToThreshold(D_DESC, 0.5, false), 1e-15);
    }

    @Test
    void gradientDescentConvergesToTheSoftThresholdInBothConventions() {
        for (boolean half : new boolean[] {false, true}) {
            double lambda = half ? 0.3 : 0.6; // λ_eff = 0.3, 0.1 from every d_i
            FactorizedObjective f = new FactorizedObjective(CommonOps_DDRM.diag(D), lambda, half);
            DMatrixRMaj[] ab = FactorizedGradientDescent.gaussianInit(5, 5, 5, 0.3, 1);
            List<ToySnapshot> rows = FactorizedGradientDescent.run(f, ab[0], ab[1], half ? 0.1 : 0.05, 3000, t -> false, Progress.none());
            assertArrayEquals(SoftThreshold.predict(D_DESC, lambda, half), rows.get(rows.size() - 1).singularValues(), 1e-6,
                    "halfInLoss=" + half);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        FactorizedObjective f = new FactorizedObjective(CommonOps_DDRM.diag(D), 0.37, false);
        DMatrixRMaj[] ab = FactorizedGradientDescent.gaussianInit(5, 5, 5, 0.5, 7);
        DMatrixRMaj r = new DMatrixRMaj(5, 5), ga = new DMatrixRMaj(5, 5), gb = new DMatrixRMaj(5, 5);
        f.gradients(ab[0], ab[1], r, ga, gb);
        double h = 1e-6;
        for (int i : new int[] {0, 7, 24}) {
            double keep = ab[0].data[i];
            ab[0].data[i] = keep + h;
            double up = f.loss(ab[0], ab[1]);
            ab[0].data[i] = keep - h;
            double down = f.loss(ab[0], ab[1]);
            ab[0].data[i] = keep;
            assertEquals((up - down) / (2 * h), ga.data[i], 1e-7, "dL/dA[" + i + "]");
            keep = ab[1].data[i];
            ab[1].data[i] = keep + h;
            up = f.loss(ab[0], ab[1]);
            ab[1].data[i] = keep - h;
            down = f.loss(ab[0], ab[1]);
            ab[1].data[i] = keep;
            assertEquals((up - down) / (2 * h), gb.data[i], 1e-7, "dL/dB[" + i + "]");
        }
    }

    /** M' = (1 − 2ηλ)M + η²(F_AᵀF_A − F_BᵀF_B) for one gradient-descent step, as derived. */
    @Test
    void oneStepImbalanceIdentityHolds() {
        double eta = 0.07, lambda = 0.9;
        FactorizedObjective f = new FactorizedObjective(CommonOps_DDRM.diag(D), lambda, false);
        DMatrixRMaj[] ab = FactorizedGradientDescent.gaussianInit(5, 5, 5, 0.6, 3);
        DMatrixRMaj a = ab[0], b = ab[1];
        DMatrixRMaj r = new DMatrixRMaj(5, 5), fa = new DMatrixRMaj(5, 5), fb = new DMatrixRMaj(5, 5);
        f.gradients(a, b, r, fa, fb);
        DMatrixRMaj expected = imbalanceMatrix(a, b);
        CommonOps_DDRM.scale(1 - 2 * eta * lambda, expected);
        CommonOps_DDRM.addEquals(expected, eta * eta, imbalanceMatrix(fa, fb));
        CommonOps_DDRM.addEquals(a, -eta, fa);
        CommonOps_DDRM.addEquals(b, -eta, fb);
        DMatrixRMaj actual = imbalanceMatrix(a, b);
        CommonOps_DDRM.subtractEquals(actual, expected);
        assertTrue(NormOps_DDRM.normF(actual) < 1e-13, "residual " + NormOps_DDRM.normF(actual));
    }

    /**
     * The fitted per-step rate of ‖AᵀA − BᵀB‖ over the later half of the steps above the floor lies in
     * gradient descent's band [−2ln(1−ηλ), −ln(1−2ηλ)] (issue 16: 2ηλ lies below it); Δ stays under the
     * caption's envelope ½‖M₀‖_*e^{−2ηλt}.
     */
    @Test
    void imbalanceRateLiesInTheGradientDescentBandAndGapUnderTheEnvelope() {
        double eta = 0.05;
        for (double lambda : new double[] {0.1, 0.5, 1.5}) {
            FactorizedObjective f = new FactorizedObjective(CommonOps_DDRM.diag(D), lambda, false);
            DMatrixRMaj[] ab = FactorizedGradientDescent.gaussianInit(5, 5, 5, 0.3, 7);
            double m0 = FactorizedGradientDescent.imbalanceNuclear(ab[0], ab[1]);
            List<ToySnapshot> rows = FactorizedGradientDescent.run(f, ab[0], ab[1], eta, 1000, t -> true, Progress.none());
            double rate = FactorizedToyAnalyzeTask.lateFit(rows, 1e-11).rate();
            double lo = -2 * Math.log1p(-eta * lambda), hi = -Math.log1p(-2 * eta * lambda);
            assertTrue(Kobayashi2024Fig1Task.bandPosition(rate, lo, hi) > -1e-3, "λ = " + lambda + ": fit " + rate + " vs [" + lo + ", " + hi + "]");
            assertTrue(rate > 2 * eta * lambda, "λ = " + lambda + ": 2ηλ lies below the band");
            double[] envelope = FactorizedToyAnalyzeTask.envelopeMargin(rows, m0, eta * lambda, 1e-11);
            assertTrue(envelope[0] > 0 && envelope[1] > 10, "λ = " + lambda + ": margin " + envelope[0] + " over " + envelope[1] + " steps");
        }
    }

    @Test
    void bandPositionIsPositiveInsideAndTheRelativeMissOutside() {
        assertEquals(0.0, Kobayashi2024Fig1Task.bandPosition(1.0, 1.0, 2.0), 1e-15);
        assertTrue(Kobayashi2024Fig1Task.bandPosition(1.5, 1.0, 2.0) > 0);
        assertEquals(-0.1, Kobayashi2024Fig1Task.bandPosition(0.9, 1.0, 2.0), 1e-15);
        assertEquals(-0.5, Kobayashi2024Fig1Task.bandPosition(3.0, 1.0, 2.0), 1e-15);
    }

    @Test
    void envelopeMarginIsNegativeWhenTheGapDoesNotDecay() {
        List<ToySnapshot> flat = new java.util.ArrayList<>();
        for (int t = 0; t <= 100; t++) {
            flat.add(new ToySnapshot(t, 0, 0.4, 1, new double[] {1}));
        }
        double[] m = FactorizedToyAnalyzeTask.envelopeMargin(flat, 1.0, 0.01, 1e-11);
        assertEquals(Math.log(0.5 * Math.exp(-2) / 0.4), m[0], 1e-12);
        assertEquals(101, m[1], 0);
    }

    static DMatrixRMaj imbalanceMatrix(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj m = new DMatrixRMaj(a.numCols, a.numCols), n = new DMatrixRMaj(a.numCols, a.numCols);
        CommonOps_DDRM.multTransA(a, a, m);
        CommonOps_DDRM.multTransA(b, b, n);
        CommonOps_DDRM.subtractEquals(m, n);
        return m;
    }

    @Test
    void gapIsNonNegativeOnAThousandRandomFactorPairs() {
        Random rng = new Random(11);
        double min = Double.POSITIVE_INFINITY;
        for (int k = 0; k < 1000; k++) {
            int rank = 1 + rng.nextInt(5);
            DMatrixRMaj[] ab = FactorizedGradientDescent.gaussianInit(5, 5, rank, Math.pow(10, -2 + 3 * rng.nextDouble()), rng.nextLong());
            BalanceGap gap = BalanceGap.of(ab[0], ab[1]);
            min = Math.min(min, gap.gap() / Math.max(1, gap.frobeniusHalfSum()));
        }
        assertTrue(min >= -1e-12, "min relative Δ " + min);
    }

    @Test
    void decayRateFitRecoversAnExponentialAndSkipsTheFloor() {
        long[] t = new long[200];
        double[] y = new double[200];
        for (int i = 0; i < t.length; i++) {
            t[i] = i;
            y[i] = Math.max(3 * Math.exp(-0.2 * i), 1e-15); // hits a floor at i ≈ 178
        }
        DecayRateFit fit = DecayRateFit.fit(t, y, 1e-11);
        assertEquals(0.2, fit.rate(), 1e-12);
        assertTrue(fit.last() < 140 && fit.first() == 0, "window " + fit.first() + "–" + fit.last());
    }

    @Test
    void trajectoryTableRoundTripsExactly(@TempDir Path dir) throws Exception {
        List<ToySnapshot> rows = List.of(new ToySnapshot(0, 1.0 / 3, -1e-17, Math.PI, new double[] {0.1, 1e-300}),
                new ToySnapshot(5, 2, 0, 0, new double[] {Math.E, 0}));
        Path file = dir.resolve("t.csv");
        ToyTrajectoryTable.write(file, rows);
        List<ToySnapshot> back = ToyTrajectoryTable.read(file);
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i).gap(), back.get(i).gap(), 0.0);
            assertEquals(rows.get(i).imbalance(), back.get(i).imbalance(), 0.0);
            assertArrayEquals(rows.get(i).singularValues(), back.get(i).singularValues(), 0.0);
        }
    }

    @Test
    void bindingNamesBadParameters() {
        Class<FactorizedToyTrainTask.Config> type = FactorizedToyTrainTask.Config.class;
        Map<String, Object> good = Map.of("lambda", 0.4, "learning_rate", 0.05, "init_scale", 0.3, "steps", 1000, "record_every", 1,
                "half_in_loss", false, "target_diagonal", List.of(0.2, 0.4));
        assertEquals(new FactorizedToyTrainTask.Config(0.4, java.util.Arrays.asList(0.2, 0.4), 0.05, 0.3, 1000, false, 1), ParamsBinding.bind(type, good));
        ContractRunner.assertRefused(type, good, "lambda", -0.1);
        ContractRunner.assertRefused(type, good, "lambda", 100.5);
        ContractRunner.assertRefused(type, good, "learning_rate", 0.0);
        ContractRunner.assertRefused(type, good, "learning_rate", 11.0);
        ContractRunner.assertRefused(type, good, "init_scale", 0.0);
        ContractRunner.assertRefused(type, good, "init_scale", Double.NaN);
        ContractRunner.assertRefused(type, good, "steps", -5L);
        ContractRunner.assertRefused(type, good, "steps", 10_000_001L);
        ContractRunner.assertRefused(type, good, "record_every", 0);
        ContractRunner.assertRefused(type, good, "half_in_loss", "no");
        ContractRunner.assertRefused(type, good, "target_diagonal", List.of(0.2, -1.0));
        ContractRunner.assertRefused(type, good, "target_diagonal", List.of(0.2, Double.POSITIVE_INFINITY));
        ContractRunner.assertRefused(type, good, "target_diagonal", List.of());
        Map<String, Object> tooMany = new HashMap<>(good);
        tooMany.put("steps", 10_000_000L);
        ContractRunner.assertRefused(type, tooMany, "record_every", 1L);
        for (String key : List.of("lambda", "target_diagonal", "learning_rate", "init_scale", "steps")) {
            ContractRunner.assertRequired(type, good, key);
        }
        Map<String, Object> defaults = new HashMap<>(good);
        defaults.remove("half_in_loss");
        defaults.remove("record_every");
        FactorizedToyTrainTask.Config d = ParamsBinding.bind(type, defaults);
        assertEquals(false, d.halfInLoss());
        assertEquals(1L, d.recordEvery());
    }
}
