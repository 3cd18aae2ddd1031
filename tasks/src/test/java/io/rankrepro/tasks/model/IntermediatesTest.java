package io.rankrepro.tasks.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntermediatesTest {

    @Test
    void temporariesAreFreedTheResultIsKeptAndBackwardStillSeesWhatItSaved() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new double[] {1, 2, 3});
            a.setRequiresGradient(true);
            NDArray[] temporary = new NDArray[1];
            NDArray kept;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray result;
                try (NDScope outer = new NDScope()) {
                    result = Intermediates.keepOnly(() -> {
                        temporary[0] = a.square();          // saved by nothing once freed: d(a²)/da needs a, not a²
                        return temporary[0].mul(a);         // a³: backward needs a² and a, held by autograd
                    });
                    assertTrue(temporary[0].isReleased(), "the temporary was not freed");
                    assertFalse(result.isReleased());
                    kept = Intermediates.keepOnly(() -> result.sum());
                    gc.backward(kept);
                    NDScope.unregister(kept);
                }
                assertTrue(result.isReleased(), "the result belongs to the enclosing scope and closes with it");
                assertFalse(kept.isReleased());
            }
            assertArrayEquals(new double[] {3, 12, 27}, a.getGradient().toDoubleArray(), 1e-12); // d(a³)/da = 3a²
        }
    }
}
