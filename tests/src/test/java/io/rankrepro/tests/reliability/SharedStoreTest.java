package io.rankrepro.tests.reliability;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunView;
import io.rankrepro.tests.mlflow.MlflowServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared store on a real MLflow server: a run into an empty work folder fetches every task
 * from the runs that computed it, byte-identical; an object damaged in the server's artifact store
 * (a changed byte, or a file cut short) is named with its run and file, and exactly that task is
 * computed again — to the same bytes — while the others are fetched.
 */
class SharedStoreTest {
    private static final String TRAIN = "train[alpha=0.1]";
    private static final Pattern PARENT = Pattern.compile("MLflow parent run: ([0-9a-f]{32})");

    private static Cli run(MlflowServerProcess server, Path dir) {
        Cli r = Cli.run("run", "--spec", DeterminismTest.SPEC, "--tracking-uri", server.uri(), "--shared-store", "mlflow",
                "--workers", "1", "--workdir", dir.resolve("work").toString(), "--results", dir.resolve("results").toString());
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    /** task id → (file → sha256) of every output in a work folder, after checking each file's bytes hash as its manifest says. */
    private static Map<String, Map<String, String>> outputs(Path dir) throws Exception {
        Work work = new Work(dir.resolve("work"));
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Path t : Work.list(dir.resolve("work/tasks")).toList()) {
            String id = work.manifest(t).path("taskId").asText();
            Map<String, String> files = work.files(id);
            for (Map.Entry<String, String> f : files.entrySet()) {
                assertEquals(f.getValue(), io.rankrepro.pipeline.exec.Hashing.sha256(t.resolve(f.getKey())), id + " " + f.getKey());
            }
            out.put(id, files);
        }
        return out;
    }

    private static long lines(Cli r, String prefix) {
        return r.out().lines().filter(l -> l.startsWith(prefix)).count();
    }

    /** The file {@code rel} of {@code taskId}'s outputs as the server keeps it: artifacts/<experiment>/<run>/artifacts/outputs/<rel>. */
    private static Path stored(MlflowServerProcess server, String runId, String rel) throws Exception {
        try (Stream<Path> s = Files.walk(server.home().resolve("artifacts"))) {
            List<Path> found = s.filter(p -> p.endsWith(Path.of(runId, "artifacts", "outputs", rel))).toList();
            assertEquals(1, found.size(), "the stored " + rel + " of run " + runId + ": " + found);
            return found.get(0);
        }
    }

    @Test
    void anEmptyWorkFolderFetchesEverythingAndADamagedObjectIsRecomputed(@TempDir Path tmp) throws Exception {
        try (MlflowServerProcess server = MlflowServerProcess.start();
             MlflowTracking mlflow = MlflowTracking.connect(server.uri())) {
            Cli a = run(server, tmp.resolve("a"));
            assertTrue(a.out().contains("done: 7 ran, 0 cached, 0 fetched"), "nothing published yet: " + a.out());
            Map<String, Map<String, String>> original = outputs(tmp.resolve("a"));
            assertEquals(7, original.size());

            Cli b = run(server, tmp.resolve("b"));
            assertTrue(b.out().contains("done: 0 ran, 0 cached, 7 fetched"), b.out());
            assertEquals(7, lines(b, "⇣ "), b.out());
            assertEquals(0, lines(b, "✔ "), b.out());
            Work workA = new Work(tmp.resolve("a/work"));
            Work workB = new Work(tmp.resolve("b/work"));
            for (String task : original.keySet()) {
                assertTrue(b.out().lines().anyMatch(l -> l.startsWith("⇣ " + task + " ") && l.contains("fetched from run " + workA.runId(task)
                        + ", verified " + original.get(task).size() + " files")), task + ": " + b.out());
                assertEquals(workA.runId(task), workB.runId(task), "the fetched record names the run that computed it");
                for (String f : original.get(task).keySet()) {
                    assertArrayEquals(Files.readAllBytes(workA.output(task).orElseThrow().resolve(f)),
                            Files.readAllBytes(workB.output(task).orElseThrow().resolve(f)), task + " " + f);
                }
            }
            assertEquals(original, outputs(tmp.resolve("b")));
            // MLflow shows each fetched task as the reused ones are: a child run naming the run that computed it
            Matcher m = PARENT.matcher(b.out());
            assertTrue(m.find(), b.out());
            List<RunView> children = mlflow.childRuns(m.group(1));
            assertEquals(7, children.size(), children.toString());
            for (RunView c : children) {
                String task = c.tags().get("rankrepro.task");
                assertEquals(workA.runId(task), c.tags().get("rankrepro.computed_by"), task);
                assertEquals("true", c.tags().get("rankrepro.cached"), task);
            }

            // a changed byte in one stored object: named, that task computed again, the rest fetched
            String checkpoint = original.get(TRAIN).keySet().stream().filter(f -> f.startsWith("checkpoints/")).max(String::compareTo).orElseThrow();
            Path damaged = stored(server, workA.runId(TRAIN), checkpoint);
            byte[] bytes = Files.readAllBytes(damaged);
            bytes[bytes.length - 40] ^= 0x01;
            Files.write(damaged, bytes);
            String damagedSha = io.rankrepro.pipeline.exec.Hashing.sha256(damaged);
            Cli c = run(server, tmp.resolve("c"));
            assertTrue(c.out().lines().anyMatch(l -> l.contains(TRAIN + ": shared store: run " + workA.runId(TRAIN)
                    + "'s outputs failed verification: outputs/" + checkpoint + " has sha256 " + damagedSha.substring(0, 12)
                    + "…, manifest says " + original.get(TRAIN).get(checkpoint).substring(0, 12) + "…; not accepted")), c.out());
            assertTrue(c.out().contains(TRAIN + ": shared store: no published copy of key"), c.out());
            assertTrue(c.out().contains("done: 1 ran, 0 cached, 6 fetched"), "only the damaged task is computed: " + c.out());
            assertEquals(1, lines(c, "✔ " + TRAIN + " "), c.out());
            assertEquals(original, outputs(tmp.resolve("c")), "recomputed to the same bytes");

            // a stored file cut short, in another task: the same
            String analyze = original.keySet().stream().filter(t -> t.startsWith("analyze[") && !t.contains("0.1")).findFirst().orElseThrow();
            String table = "metrics.csv";
            Path cut = stored(server, workA.runId(analyze), table);
            Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(cut), 10));
            Cli d = run(server, tmp.resolve("d"));
            assertTrue(d.out().lines().anyMatch(l -> l.contains(analyze + ": shared store: run " + workA.runId(analyze)
                    + "'s outputs failed verification: outputs/" + table + " has sha256")), d.out());
            // the train damaged above is now fetched from the run that computed it again (the newest)
            assertTrue(d.out().lines().anyMatch(l -> l.startsWith("⇣ " + TRAIN + " ") && l.contains("fetched from run " + new Work(tmp.resolve("c/work")).runId(TRAIN))), d.out());
            assertTrue(d.out().contains("done: 1 ran, 0 cached, 6 fetched"), d.out());
            assertEquals(1, lines(d, "✔ " + analyze + " "), d.out());
            assertEquals(original, outputs(tmp.resolve("d")));
        }
    }

    @Test
    void theSharedStoreWithoutTrackingIsAUsageError(@TempDir Path tmp) {
        Cli r = Cli.run("run", "--spec", DeterminismTest.SPEC, "--no-tracking", "--shared-store", "mlflow",
                "--workdir", tmp.resolve("work").toString(), "--results", tmp.resolve("results").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--shared-store mlflow fetches from the tracking server: it cannot be used with --no-tracking"), r.toString());
        Cli bad = Cli.run("run", "--spec", DeterminismTest.SPEC, "--no-tracking", "--shared-store", "s3",
                "--workdir", tmp.resolve("work").toString(), "--results", tmp.resolve("results").toString());
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("--shared-store must be mlflow or none, got 's3'"), bad.toString());
        assertTrue(!Files.exists(tmp.resolve("work/tasks")), "nothing ran");
    }
}
