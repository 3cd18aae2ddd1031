package io.rankrepro.tasks.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InContextRegressorTest {
    private static final int F = 5;
    private static final int CONTEXT = 6;
    private static final int QUERIES = 3;
    private static final int T = CONTEXT + QUERIES;

    private static InContextRegressor model(NDManager m) {
        return new InContextRegressor(new TransformerConfig(8, 2, 2, 2, 1.0), F, CONTEXT,
                new ModelParameters(m, DataType.FLOAT64, 5, 1.0));
    }

    private static double[] tokens(long seed) {
        Random r = new Random(seed);
        double[] t = new double[T * F];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextGaussian();
        }
        return t;
    }

    private static double[] predict(InContextRegressor model, NDManager m, double[] t) {
        return model.predict(m.create(t, new Shape(1, T, F))).toDoubleArray();
    }

    @Test
    void queriesSeeTheContextButNotEachOther() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InContextRegressor model = model(m);
            double[] base = tokens(1);
            double[] before = predict(model, m, base);
            assertEquals(QUERIES, before.length);
            double[] query = base.clone();
            query[(CONTEXT + 1) * F] += 1.0; // query 1 changes
            double[] after = predict(model, m, query);
            for (int k = 0; k < QUERIES; k++) {
                double diff = Math.abs(after[k] - before[k]);
                if (k == 1) {
                    assertTrue(diff > 1e-6, "a query's own token must change its prediction");
                } else {
                    assertEquals(0.0, diff, 1e-12, "query " + k + " saw query 1");
                }
            }
            double[] context = base.clone();
            context[2 * F + 1] += 1.0; // context token 2 changes
            double[] moved = predict(model, m, context);
            for (int k = 0; k < QUERIES; k++) {
                assertTrue(Math.abs(moved[k] - before[k]) > 1e-6, "query " + k + " must see the context");
            }
        }
    }

    @Test
    void theContextIsASetPermutingItChangesNothing() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InContextRegressor model = model(m);
            double[] base = tokens(2);
            double[] swapped = base.clone();
            System.arraycopy(base, 0, swapped, 4 * F, F);
            System.arraycopy(base, 4 * F, swapped, 0, F);
            double[] a = predict(model, m, base);
            double[] b = predict(model, m, swapped);
            for (int k = 0; k < QUERIES; k++) {
                assertEquals(a[k], b[k], 1e-12);
            }
        }
    }

    @Test
    void autogradMatchesFiniteDifferencesInFloat64() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InContextRegressor model = model(m);
            NDArray x = m.create(tokens(3), new Shape(1, T, F));
            NDArray y = m.create(new double[] {0.3, -1.0, 2.0}, new Shape(1, QUERIES));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(model.loss(x, y));
            }
            for (String name : new String[] {"in_embed.weight", AttentionLayout.value(1), AttentionLayout.output(0), "readout.weight"}) {
                FiniteDifferences.assertGradient(name, model.parameters().get(name), () -> model.loss(x, y).getDouble(), 0, 3, 7);
            }
        }
    }
}
