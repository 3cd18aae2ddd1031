package io.rankrepro.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MlflowLimitsTest {

    @Test
    void acceptsKeysMlflowAccepts() {
        for (String key : List.of("loss", "rank/stable", "train.lr", "a-b_c d:e", "W_K^T".replace("^", ""),
                "système", "x".repeat(250), "a..b", "mlflow.parentRunId")) {
            assertEquals(key, MlflowLimits.checkKey("metric", key));
        }
    }

    @Test
    void rejectsKeysMlflowRejects() {
        for (String key : List.of("", "x".repeat(251), "a,b", "a=b", "a\tb", "/a", "a/", "a//b", "a/./b", "a/../b",
                ".", "..", "..a", "./a", "a\nb")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MlflowLimits.checkKey("param", key), key);
            assertTrue(e.getMessage().startsWith("param key"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> MlflowLimits.checkKey("tag", null));
    }

    @Test
    void truncatesOnlyLongValuesAndMarksThem() {
        assertEquals("short", MlflowLimits.truncate("short", 10));
        String exact = "y".repeat(6000);
        assertEquals(exact, MlflowLimits.truncate(exact, MlflowLimits.MAX_PARAM_VALUE_LENGTH));
        String cut = MlflowLimits.truncate("z".repeat(7000), MlflowLimits.MAX_PARAM_VALUE_LENGTH);
        assertEquals(6000, cut.length());
        assertTrue(cut.endsWith(MlflowLimits.TRUNCATION_MARK));
        assertEquals("z".repeat(6000 - MlflowLimits.TRUNCATION_MARK.length()),
                cut.substring(0, 6000 - MlflowLimits.TRUNCATION_MARK.length()));
    }

    @Test
    void truncationNeverSplitsASurrogatePair() {
        int keep = 20 - MlflowLimits.TRUNCATION_MARK.length();
        String value = "a".repeat(keep - 1) + "\uD835\uDC00" + "b".repeat(30); // a math letter straddles the cut
        String cut = MlflowLimits.truncate(value, 20);
        assertEquals("a".repeat(keep - 1) + MlflowLimits.TRUNCATION_MARK, cut);
    }

    @Test
    void chunksCoverEverythingInOrderWithinTheLimit() {
        List<Integer> items = IntStream.range(0, 2500).boxed().toList();
        List<List<Integer>> chunks = MlflowLimits.chunks(items, 1000);
        assertEquals(List.of(1000, 1000, 500), chunks.stream().map(List::size).toList());
        assertEquals(items, chunks.stream().flatMap(List::stream).toList());
        assertEquals(List.of(), MlflowLimits.chunks(List.of(), 100));
        assertEquals(List.of(List.of(1)), MlflowLimits.chunks(List.of(1), 100));
        assertThrows(IllegalArgumentException.class, () -> MlflowLimits.chunks(items, 0));
    }
}
