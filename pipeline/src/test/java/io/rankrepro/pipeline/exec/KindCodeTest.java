package io.rankrepro.pipeline.exec;

import io.rankrepro.tasks.factorized.FactorizedToyTrainTask;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskKinds;
import io.rankrepro.tasks.train.TrainTask;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The code of the real task kinds, as the reactor's class folders (or the tasks jar) hold them. */
class KindCodeTest {
    private static final TaskKinds KINDS = TaskKinds.discover();

    @Test
    void theFactorizedToyTrainerDependsOnItsOwnClassesAndNoOtherPapers() {
        KindCode code = KindCode.of(FactorizedToyTrainTask.class);
        Set<String> names = code.classes().keySet();
        assertEquals(FactorizedToyTrainTask.class.getName(), code.implementation());
        assertTrue(names.contains(FactorizedToyTrainTask.class.getName()), "the root itself");
        assertTrue(names.contains("io.rankrepro.tasks.factorized.FactorizedGradientDescent"), names.toString());
        assertTrue(names.contains("io.rankrepro.tasks.factorized.FactorizedObjective"), "reached through FactorizedGradientDescent");
        assertTrue(names.contains("io.rankrepro.tasks.factorized.FactorizedToyTrainTask$Config"), "nested classes");
        assertTrue(names.contains(Task.class.getName()), "the task contract is project code");
        assertTrue(names.contains("io.rankrepro.mlflow.RunTracker"), "the mlflow module is project code");
        assertEquals(Set.of(), prefixed(names, "io.rankrepro.tasks.toy."), "nothing of paper B's toy");
        assertEquals(Set.of(), prefixed(names, "io.rankrepro.tasks.gradual."), "nothing of the gradual-rank figures");
        assertEquals(Set.of(), prefixed(names, "io.rankrepro.pipeline."), "the pipeline is not task code");
        assertFalse(names.contains("io.rankrepro.tasks.factorized.Kobayashi2024Fig1Task"), "not the figure that reads its output");
        assertEquals(Set.of(), names.stream().filter(n -> !n.startsWith("io.rankrepro.")).collect(Collectors.toSet()),
                "no third-party or JDK class");
        assertEquals(64, code.hash().length());
        code.classes().values().forEach(sha -> assertTrue(sha.matches("[0-9a-f]{64}"), sha));
    }

    @Test
    void theTransformerTrainerIncludesTheModelsAndNotTheFigures() {
        KindCode train = KindCode.of(KINDS.find("transformer/train").orElseThrow());
        assertEquals(TrainTask.class.getName(), train.implementation());
        Set<String> names = train.classes().keySet();
        assertTrue(names.contains("io.rankrepro.tasks.model.VisionTransformer"), names.toString());
        assertTrue(names.contains("io.rankrepro.tasks.model.CausalDecoder"), names.toString());
        assertTrue(names.contains("io.rankrepro.tasks.model.MultiHeadAttention"), names.toString());
        assertEquals(Set.of(), prefixed(names, "io.rankrepro.tasks.gradual."), "editing a figure must not retrain");
        assertEquals(Set.of(), prefixed(names, "io.rankrepro.tasks.weightdecay."), names.toString());

        KindCode figure = KindCode.of(io.rankrepro.tasks.gradual.StableRankCurvesFigure.class);
        assertNotEquals(train.hash(), figure.hash());
        assertTrue(figure.classes().containsKey("io.rankrepro.tasks.figures.Figure"), figure.classes().keySet().toString());
        KindCode.Changes diff = figure.changedClasses(train);
        assertTrue(diff.added().contains("io.rankrepro.tasks.gradual.StableRankCurvesFigure"), diff.toString());
        assertTrue(diff.removed().contains("io.rankrepro.tasks.model.VisionTransformer"), diff.toString());
        assertTrue(diff.changed().isEmpty(), "the same class has the same bytes in both: " + diff.changed());
    }

    @Test
    void everyKindHasCodeAndItIsStable() {
        SortedMap<String, KindCode> all = KindCode.ofAll(KINDS);
        assertEquals(KINDS.kinds(), all.keySet());
        for (Map.Entry<String, KindCode> e : all.entrySet()) {
            KindCode again = KindCode.of(KINDS.find(e.getKey()).orElseThrow());
            assertEquals(e.getValue(), again, e.getKey());
            assertTrue(again.changedClasses(e.getValue()).isEmpty());
            assertEquals("no class changed", again.changedClasses(e.getValue()).toString());
        }
        long distinct = all.values().stream().map(KindCode::hash).distinct().count();
        assertEquals(all.size(), distinct, "every kind has its own root class, so its own code");
    }


    @Test
    void aClassWithoutAClassFileHasNoCode() {
        Runnable lambda = () -> { };
        assertThrows(IllegalArgumentException.class, () -> KindCode.of(lambda.getClass()), "a hidden class");
        assertThrows(IllegalArgumentException.class, () -> KindCode.of(String.class), "the boot loader");
    }

    private static Set<String> prefixed(Set<String> names, String prefix) {
        return names.stream().filter(n -> n.startsWith(prefix)).collect(Collectors.toSet());
    }
}
