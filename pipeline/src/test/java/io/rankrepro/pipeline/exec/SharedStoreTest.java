package io.rankrepro.pipeline.exec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the shared store accepts: a published copy only when its manifest is the key's, it holds
 * exactly the manifest's files with their sha256, and those agree with what the run recorded. Runs
 * are folders here (laid out as a run's {@code outputs/}); the MLflow side is tested in the tests
 * module against a real server.
 */
class SharedStoreTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @TempDir Path tmp;
    private final Map<String, Path> runs = new LinkedHashMap<>(); // newest first
    private final Map<String, String> recorded = new LinkedHashMap<>();
    private final List<String> said = new ArrayList<>();
    private OutputStore local;
    private SharedStore shared;

    private final PublishedOutputs remote = new PublishedOutputs() {
        @Override
        public List<Publication> of(String key) {
            return runs.keySet().stream().map(r -> new Publication(r, recorded.get(r))).toList();
        }

        @Override
        public void download(String runId, Path dest) {
            try (Stream<Path> files = Files.walk(runs.get(runId))) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    Path to = dest.resolve(runs.get(runId).relativize(f).toString());
                    Files.createDirectories(to.getParent());
                    Files.copy(f, to);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };

    @BeforeEach
    void setUp() {
        local = new OutputStore(tmp.resolve("work"));
        shared = new SharedStore(local, remote);
    }

    /** A run's published output: files a.csv and sub/b.bin, the manifest naming the run, its outputs_sha256 recorded. */
    private Path publish(String runId, String key) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("runs").resolve(runId));
        Files.writeString(dir.resolve("a.csv"), "x,y\n1,2\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/b.bin"), "bytes of " + key.substring(0, 4));
        Map<String, String> files = OutputStore.hashFiles(dir);
        OutputStore.writeManifest(dir.resolve(OutputStore.MANIFEST),
                new TaskRecord(key, "t", "kind", Map.of(), files, "code", runId, "now", 1.0, null, Map.of()));
        runs.put(runId, dir);
        recorded.put(runId, Hashing.ofFiles(files));
        return dir;
    }

    private Optional<SharedStore.Fetched> fetch() {
        return shared.fetch(KEY, "t", said::add);
    }

    private String saidAll() {
        return String.join("\n", said);
    }

    @Test
    void aWholeCopyIsFetchedVerifiedAndPublishedLocally() throws Exception {
        Path run = publish("run1", KEY);
        SharedStore.Fetched f = fetch().orElseThrow(() -> new AssertionError(saidAll()));
        assertEquals("run1", f.runId());
        assertEquals(2, f.files());
        assertTrue(local.verify(KEY).ok());
        assertEquals("run1", local.record(KEY).orElseThrow().mlflowRunId(), "the local record names the run that computed it");
        assertArrayEquals(Files.readAllBytes(run.resolve("sub/b.bin")), Files.readAllBytes(local.dir(KEY).resolve("sub/b.bin")));
        assertEquals(List.of(), said);
        assertEquals("fetched from run run1, verified 2 files", f.summary());
    }

    @Test
    void aChangedFileIsNamedAndTheNextRunIsTried() throws Exception {
        Path bad = publish("run2", KEY);
        publish("run1", KEY);
        String expected = Hashing.sha256(Files.readAllBytes(bad.resolve("a.csv")));
        Files.writeString(bad.resolve("a.csv"), "x,y\n1,3\n");
        String actual = Hashing.sha256(Files.readAllBytes(bad.resolve("a.csv")));
        SharedStore.Fetched f = fetch().orElseThrow(() -> new AssertionError(saidAll()));
        assertEquals("run1", f.runId(), "the older, whole copy");
        assertEquals(1, said.size(), saidAll());
        assertEquals("shared store: run run2's outputs failed verification: outputs/a.csv has sha256 " + actual.substring(0, 12)
                + "…, manifest says " + expected.substring(0, 12) + "…; not accepted", said.get(0));
    }

    @Test
    void aTruncatedFileIsRejectedAndNothingIsPublished() throws Exception {
        Path bad = publish("run1", KEY);
        Files.write(bad.resolve("sub/b.bin"), new byte[3]);
        assertTrue(fetch().isEmpty());
        assertTrue(saidAll().contains("run run1's outputs failed verification: outputs/sub/b.bin has sha256"), saidAll());
        assertTrue(saidAll().contains("no published copy of key 0123456789ab verifies (1 rejected); computing t again"), saidAll());
        assertFalse(Files.exists(local.dir(KEY)), "nothing published");
        assertNoStagingLeft();
    }

    @Test
    void aMissingFileIsRejected() throws Exception {
        Files.delete(publish("run1", KEY).resolve("sub/b.bin"));
        assertTrue(fetch().isEmpty());
        assertTrue(saidAll().contains("run run1's outputs failed verification: outputs/ holds 1 files, manifest lists 2"), saidAll());
        assertNoStagingLeft();
    }

    @Test
    void anExtraFileIsRejected() throws Exception {
        Files.writeString(publish("run1", KEY).resolve("extra.txt"), "smuggled");
        assertTrue(fetch().isEmpty());
        assertTrue(saidAll().contains("outputs/ holds 3 files, manifest lists 2"), saidAll());
    }

    @Test
    void aManifestOfAnotherKeyIsRejected() throws Exception {
        String other = "fedcba9876543210fedcba9876543210";
        Path dir = publish("run1", other);
        runs.put("run1", dir); // found under KEY, but its manifest is other's
        assertTrue(fetch().isEmpty());
        assertTrue(saidAll().contains("outputs/_task.json belongs to key " + other), saidAll());
    }

    @Test
    void aManifestThatDisagreesWithTheRunsRecordIsRejected() throws Exception {
        // files and manifest changed together, consistently: only the run's own record catches it
        Path dir = publish("run1", KEY);
        Files.writeString(dir.resolve("a.csv"), "x,y\n9,9\n");
        Map<String, String> files = OutputStore.hashFiles(dir);
        OutputStore.writeManifest(dir.resolve(OutputStore.MANIFEST),
                new TaskRecord(KEY, "t", "kind", Map.of(), files, "code", "run1", "now", 1.0, null, Map.of()));
        assertTrue(fetch().isEmpty());
        assertTrue(saidAll().contains("run run1's manifest lists files whose sha256 together is " + Hashing.ofFiles(files).substring(0, 12)
                + "…, the run recorded " + recorded.get("run1").substring(0, 12) + "…; not accepted"), saidAll());
    }

    @Test
    void aRunWithoutAManifestOrWithoutARecordIsRejected() throws Exception {
        Files.delete(publish("run2", KEY).resolve(OutputStore.MANIFEST));
        publish("run1", KEY);
        recorded.put("run1", null);
        assertTrue(fetch().isEmpty());
        assertTrue(saidAll().contains("run run2's outputs have no _task.json"), saidAll());
        assertTrue(saidAll().contains("run run1's manifest lists files whose sha256 together is"), saidAll());
        assertTrue(saidAll().contains("the run recorded none"), saidAll());
    }

    @Test
    void aFailedDownloadIsRejectedWithoutAHalfCopy() throws Exception {
        publish("run1", KEY);
        SharedStore broken = new SharedStore(local, new PublishedOutputs() {
            @Override
            public List<Publication> of(String key) {
                return remote.of(key);
            }

            @Override
            public void download(String runId, Path dest) {
                remote.download(runId, dest);
                throw new IllegalStateException("connection reset");
            }
        });
        assertTrue(broken.fetch(KEY, "t", said::add).isEmpty());
        assertTrue(saidAll().contains("run run1's outputs cannot be fetched: connection reset"), saidAll());
        assertFalse(Files.exists(local.dir(KEY)));
        assertNoStagingLeft();
    }

    @Test
    void aLocalOutputIsUsedWithoutAskingAndOffMeansLocalOnly() throws Exception {
        publish("run1", KEY);
        assertTrue(SharedStore.off(local).verifyOrFetch(KEY, "t", said::add).state() == OutputStore.Verification.State.MISSING);
        assertTrue(shared.verifyOrFetch(KEY, "t", said::add).ok(), "fetched");
        runs.clear(); // the shared store is not asked again: the local copy verifies
        assertTrue(shared.verifyOrFetch(KEY, "t", said::add).ok());
    }

    private void assertNoStagingLeft() throws IOException {
        Path staging = tmp.resolve("work").resolve("staging");
        if (Files.isDirectory(staging)) {
            try (Stream<Path> s = Files.list(staging)) {
                assertEquals(List.of(), s.toList());
            }
        }
    }
}
