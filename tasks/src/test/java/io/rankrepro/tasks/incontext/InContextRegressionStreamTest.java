package io.rankrepro.tasks.incontext;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InContextRegressionStreamTest {

    @Test
    void noiselessContextDeterminesTheQueryTargetsExactly() {
        int d = 4;
        int n = 7;
        int q = 3;
        InContextRegressionStream.Batch b = new InContextRegressionStream(d, n, q, 0.0, 11).draw(5);
        int f = InContextRegressionStream.features(d);
        for (int s = 0; s < 5; s++) {
            // least squares on the context recovers this sequence's w; it must predict every query
            DMatrixRMaj x = new DMatrixRMaj(n, d);
            DMatrixRMaj y = new DMatrixRMaj(n, 1);
            for (int i = 0; i < n; i++) {
                int at = (s * (n + q) + i) * f;
                for (int j = 0; j < d; j++) {
                    x.set(i, j, b.tokens()[at + j]);
                }
                y.set(i, 0, b.tokens()[at + d]);
                assertEquals(0.0, b.tokens()[at + d + 1], "a context token is not flagged as a query");
            }
            DMatrixRMaj w = new DMatrixRMaj(d, 1);
            assertTrue(CommonOps_DDRM.solve(x, y, w));
            for (int k = 0; k < q; k++) {
                int at = (s * (n + q) + n + k) * f;
                double pred = 0;
                for (int j = 0; j < d; j++) {
                    pred += b.tokens()[at + j] * w.get(j);
                }
                assertEquals(b.targets()[s * q + k], pred, 1e-9);
                assertEquals(0.0, b.tokens()[at + d], "a query token must not carry its y");
                assertEquals(1.0, b.tokens()[at + d + 1]);
            }
        }
    }

    @Test
    void noiseHasTheRequestedVarianceAndTasksDifferPerSequence() {
        // one context point, many sequences: y − w·x is unobservable, but Var(y) = d + σ² is
        int d = 3;
        double sigma = 0.5;
        InContextRegressionStream.Batch b = new InContextRegressionStream(d, 1, 1, sigma, 5).draw(40_000);
        double sum = 0;
        for (double t : b.targets()) {
            sum += t * t;
        }
        assertEquals(BayesOptimalRisk.zeroPredictor(d, sigma), sum / b.targets().length, 0.06);
    }

    @Test
    void rejectsEmptyShapes() {
        assertThrows(IllegalArgumentException.class, () -> new InContextRegressionStream(0, 4, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new InContextRegressionStream(2, 4, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new InContextRegressionStream(2, 4, 1, -1, 1));
    }
}
