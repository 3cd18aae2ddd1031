package io.rankrepro.pipeline.exec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A verified output is remembered per process, but any change on disk is still caught. */
class OutputStoreTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    private static Path published(OutputStore store) throws Exception {
        Path staged = store.stage(KEY);
        Files.writeString(staged.resolve("a.csv"), "x,y\n1,2\n");
        Files.createDirectories(staged.resolve("sub"));
        Files.writeString(staged.resolve("sub/b.bin"), "bytes");
        store.publish(staged, new TaskRecord(KEY, "t", "kind", Map.of(), OutputStore.hashFiles(staged), "code", null, "now", 1.0, null, Map.of()));
        return store.dir(KEY);
    }

    @Test
    void aChangedFileIsCaughtAfterAnEarlierVerification(@TempDir Path work) throws Exception {
        OutputStore store = new OutputStore(work);
        Path dir = published(store);
        assertTrue(store.verify(KEY).ok());
        assertTrue(store.verify(KEY).ok(), "the remembered verification");
        FileTime before = Files.getLastModifiedTime(dir.resolve("a.csv"));
        Files.writeString(dir.resolve("a.csv"), "x,y\n1,3\n");   // same size, new content
        Files.setLastModifiedTime(dir.resolve("a.csv"), FileTime.fromMillis(before.toMillis() + 2000));
        OutputStore.Verification v = store.verify(KEY);
        assertEquals(OutputStore.Verification.State.CORRUPT, v.state(), v.reason());
        assertTrue(v.reason().contains("a.csv"), v.reason());
    }

    @Test
    void anAddedOrRemovedFileIsCaughtAfterAnEarlierVerification(@TempDir Path work) throws Exception {
        OutputStore store = new OutputStore(work);
        Path dir = published(store);
        assertTrue(store.verify(KEY).ok());
        Files.writeString(dir.resolve("sub/extra.txt"), "?");
        assertEquals(OutputStore.Verification.State.CORRUPT, store.verify(KEY).state());
        Files.delete(dir.resolve("sub/extra.txt"));
        assertTrue(store.verify(KEY).ok(), "back as published");
        Files.delete(dir.resolve("sub/b.bin"));
        assertEquals(OutputStore.Verification.State.CORRUPT, store.verify(KEY).state());
    }

    @Test
    void aFreshStoreHashesEverything(@TempDir Path work) throws Exception {
        Path dir = published(new OutputStore(work));
        FileTime t = Files.getLastModifiedTime(dir.resolve("sub/b.bin"));
        Files.writeString(dir.resolve("sub/b.bin"), "BYTES");   // same size, time put back: only a hash sees it
        Files.setLastModifiedTime(dir.resolve("sub/b.bin"), t);
        assertEquals(OutputStore.Verification.State.CORRUPT, new OutputStore(work).verify(KEY).state());
    }
}
