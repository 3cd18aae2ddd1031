package io.rankrepro.tasks.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightDecayGroupsTest {
    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void namesAreFiledByTheDocumentedRules() {
        Map<String, ParameterRole> expected = new LinkedHashMap<>();
        expected.put("blocks.0.attn.W_Q", ParameterRole.ATTENTION);
        expected.put("blocks.0.attn.W_K", ParameterRole.ATTENTION);
        expected.put("layers.1.W_V", ParameterRole.ATTENTION);
        expected.put("layers.1.P", ParameterRole.ATTENTION);
        expected.put("model.layers.3.self_attn.q_proj.weight", ParameterRole.ATTENTION);
        expected.put("model.layers.3.self_attn.o_proj.weight", ParameterRole.ATTENTION);
        expected.put("h.2.attn.c_attn.weight", ParameterRole.ATTENTION);
        expected.put("h.2.attn.c_attn.bias", ParameterRole.OTHER);
        expected.put("h.2.mlp.c_fc.weight", ParameterRole.MLP);
        expected.put("h.2.mlp.c_proj.weight", ParameterRole.MLP);
        expected.put("model.layers.3.mlp.down_proj.weight", ParameterRole.MLP);
        expected.put("blocks.0.ffn.fc1", ParameterRole.MLP);
        expected.put("wte.weight", ParameterRole.OTHER);
        expected.put("token_embedding", ParameterRole.OTHER);
        expected.put("blocks.0.ln_1.weight", ParameterRole.OTHER);
        expected.put("blocks.0.norm2.gamma", ParameterRole.OTHER);
        expected.put("head.weight", ParameterRole.OTHER);
        expected.forEach((name, role) -> assertEquals(role, ParameterRole.classify(name), name));
    }

    @Test
    void groupsCarryTheirRolesDecayAndAssignment() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        named.put("attn.W_Q", manager.ones(new ai.djl.ndarray.types.Shape(2, 2)));
        named.put("mlp.fc1", manager.ones(new ai.djl.ndarray.types.Shape(2, 2)));
        named.put("ln.bias", manager.ones(new ai.djl.ndarray.types.Shape(2)));
        WeightDecayGroups g = WeightDecayGroups.of(named, new WeightDecayGroups.Decays(0.1, 0.01, 0.0));
        assertEquals(List.of("attention", "mlp", "other"), g.groups().stream().map(ParameterGroup::name).toList());
        assertEquals(List.of(0.1, 0.01, 0.0), g.groups().stream().map(ParameterGroup::weightDecay).toList());
        assertEquals(ParameterRole.MLP, g.assignment().get("mlp.fc1"));
        assertEquals(List.of("ln.bias"), g.groups().get(2).names());
    }

    /** A λ = 0 group must follow exactly the no-decay trajectory while a λ > 0 group shrinks. */
    @Test
    void aZeroDecayGroupIsUntouchedByDecayInEveryOptimizer() {
        for (OptimizerKind kind : OptimizerKind.values()) {
            double[][] withDecay = train(kind, 0.5);
            double[][] without = train(kind, 0.0);
            assertArrayEquals(without[0], withDecay[0], 0.0, kind + ": the λ=0 group moved differently");
            double normDecayed = norm(withDecay[1]);
            double normFree = norm(without[1]);
            assertTrue(normDecayed < normFree - 1e-3, kind + ": λ>0 group " + normDecayed + " vs " + normFree);
        }
    }

    /** 20 steps on ½‖x − 1‖² for two groups; the second group's decay is {@code lambda}, the first's is 0. */
    double[][] train(OptimizerKind kind, double lambda) {
        NDArray free = manager.create(new float[] {0.5f, -1.5f, 2f});
        NDArray decayed = manager.create(new float[] {0.5f, -1.5f, 2f});
        Optimizer opt = kind.create(List.of(ParameterGroup.of("free", List.of(free), 0.0),
                ParameterGroup.of("decayed", List.of(decayed), lambda)), LrSchedule.constant(0.05), AdamSettings.DEFAULTS, 0.9);
        BiFunction<NDArray, Float, NDArray> gradient = (x, target) -> x.sub(target);
        for (int s = 0; s < 20; s++) {
            opt.step(p -> gradient.apply(p, 1f));
        }
        return new double[][] {free.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray(),
                decayed.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray()};
    }

    static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
