package io.rankrepro.mlflow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.Metric;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricSpoolTest {

    private static Metric point(String key, long step, double value) {
        return Metric.newBuilder().setKey(key).setStep(step).setValue(value).setTimestamp(1000 + step).build();
    }

    @Test
    void pendingPointsComeBackInOrderOncePerKeyAndStepWithNonFiniteValues(@TempDir Path dir) {
        MetricSpool spool = new MetricSpool(dir, "run1");
        spool.append(List.of(point("loss", 0, 2.5), point("loss", 1, Double.NaN)));
        spool.append(List.of(point("loss", 1, 9.9), point("acc", 1, Double.POSITIVE_INFINITY)));  // (loss, 1) again: the first stays
        List<Metric> pending = new MetricSpool(dir, "run1").pending();                              // a new process reads the file
        assertEquals(List.of("loss@0", "loss@1", "acc@1"), pending.stream().map(m -> m.getKey() + "@" + m.getStep()).toList());
        assertEquals(2.5, pending.get(0).getValue());
        assertTrue(Double.isNaN(pending.get(1).getValue()));
        assertEquals(Double.POSITIVE_INFINITY, pending.get(2).getValue());
        assertEquals(1001, pending.get(1).getTimestamp());
        assertEquals(List.of("run1"), MetricSpool.runIds(dir));
    }

    @Test
    void aReplayCutShortResumesAndAFinishedOneRemovesTheSpool(@TempDir Path dir) {
        MetricSpool spool = new MetricSpool(dir, "run2");
        spool.append(List.of(point("loss", 0, 1), point("loss", 1, 2), point("loss", 2, 3)));
        spool.delivered(2);
        assertEquals(List.of(2L), new MetricSpool(dir, "run2").pending().stream().map(Metric::getStep).toList());
        spool.append(List.of(point("loss", 3, 4)));
        assertEquals(List.of(2L, 3L), spool.pending().stream().map(Metric::getStep).toList());
        spool.delivered(2);
        assertFalse(spool.exists(), "fully replayed");
        assertTrue(spool.pending().isEmpty());
        assertEquals(List.of(), MetricSpool.runIds(dir));
    }

    @Test
    void aLastLineCutByACrashIsIgnoredAndTheNextAppendStartsAfterIt(@TempDir Path dir) throws Exception {
        MetricSpool spool = new MetricSpool(dir, "run3");
        spool.append(List.of(point("loss", 0, 1)));
        Files.writeString(spool.file(), "{\"key\":\"loss\",\"val", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(1, spool.pending().size(), "the cut line is not a point");
        spool.append(List.of(point("loss", 1, 2)));
        spool.append(List.of(point("loss", 2, 3)));
        assertEquals(List.of(0L, 1L, 2L), spool.pending().stream().map(Metric::getStep).toList(), "nothing glued to the cut line");
    }

    @Test
    void aCorruptLineInTheMiddleIsAnError(@TempDir Path dir) throws Exception {
        MetricSpool spool = new MetricSpool(dir, "run4");
        spool.append(List.of(point("loss", 0, 1)));
        Files.writeString(spool.file(), "not json\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        spool.append(List.of(point("loss", 1, 2)));
        assertThrows(IllegalStateException.class, spool::pending);
    }

    @Test
    void rejectsARunIdThatIsNotAFileName(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> new MetricSpool(dir, "../x"));
    }
}
