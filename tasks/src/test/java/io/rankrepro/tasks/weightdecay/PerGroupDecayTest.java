package io.rankrepro.tasks.weightdecay;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rankrepro.tasks.model.CausalDecoder;
import io.rankrepro.tasks.model.GptConfig;
import io.rankrepro.tasks.model.ModelParameters;
import io.rankrepro.tasks.model.TransformerConfig;
import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.AdamW;
import io.rankrepro.tasks.optim.LrSchedule;
import io.rankrepro.tasks.optim.ParameterRole;
import io.rankrepro.tasks.optim.WeightDecayGroups;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The decay wiring A-fig3 / A-tab1 rely on, on the real GPT's parameter names: with λ_attention = 0.5,
 * λ_MLP = 0 and zero loss gradients, one AdamW step (lr 0.1) multiplies exactly W_Q, W_K, W_V, P by
 * 1 − 0.1·0.5 and leaves the MLP, norms and embeddings bit-for-bit unchanged.
 */
class PerGroupDecayTest {

    @Test
    void attentionGroupDecaysAndMlpGroupIsUntouched() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            CausalDecoder gpt = new CausalDecoder(new GptConfig(16, 4, true, new TransformerConfig(8, 2, 2, 2, 1.0)),
                    new ModelParameters(m, DataType.FLOAT64, 3, 1.0));
            Map<String, NDArray> named = gpt.parameters().arrays();
            WeightDecayGroups groups = WeightDecayGroups.of(named, new WeightDecayGroups.Decays(0.5, 0, 0));
            Map<String, double[]> before = new LinkedHashMap<>();
            named.forEach((k, v) -> before.put(k, v.toDoubleArray()));
            new AdamW(groups.groups(), LrSchedule.constant(0.1), AdamSettings.DEFAULTS).step(NDArray::zerosLike);
            int attention = 0;
            int mlp = 0;
            for (Map.Entry<String, NDArray> e : named.entrySet()) {
                double[] now = e.getValue().toDoubleArray();
                double[] old = before.get(e.getKey());
                ParameterRole role = groups.assignment().get(e.getKey());
                if (e.getKey().matches("blocks\\.\\d+\\.attn\\.w_[qkvo]")) {
                    assertEquals(ParameterRole.ATTENTION, role, e.getKey());
                    attention++;
                    for (int i = 0; i < old.length; i++) {
                        assertEquals(old[i] * (1 - 0.1 * 0.5), now[i], 1e-15, e.getKey());
                    }
                } else {
                    if (e.getKey().matches("blocks\\.\\d+\\.mlp\\.fc[12]\\.weight")) {
                        assertEquals(ParameterRole.MLP, role, e.getKey());
                        mlp++;
                    }
                    assertArrayEquals(old, now, 0, e.getKey() + " (" + role + ") must be untouched");
                }
            }
            assertEquals(8, attention);
            assertEquals(4, mlp);
        }
    }
}
