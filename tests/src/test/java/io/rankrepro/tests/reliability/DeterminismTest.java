package io.rankrepro.tests.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Same spec and seed, two separate work folders: the analysis tables (and everything upstream) are identical, byte for byte, on CPU. */
class DeterminismTest {
    static final String SPEC = "src/test/resources/reliability/toy.yaml";

    @Test
    void twoRunsInSeparateWorkFoldersGiveIdenticalAnalysisTables(@TempDir Path tmp) throws Exception {
        Map<String, Map<String, String>> first = run(tmp.resolve("a"));
        Map<String, Map<String, String>> second = run(tmp.resolve("b"));
        assertEquals(7, first.size(), "prepare, 2 × (train, checkpoint, analyze): " + first.keySet());
        assertEquals(first, second, "every task's files hash the same in both work folders");
        long analyses = first.keySet().stream().filter(k -> k.startsWith("analyze[")).count();
        assertEquals(2, analyses);
        for (String task : first.keySet()) {
            if (task.startsWith("analyze[")) {
                assertTrue(first.get(task).containsKey("metrics.csv") && first.get(task).containsKey("entries.csv"), first.get(task).toString());
            }
        }
        // and byte for byte on disk, not only by the manifests' word
        Path a = tmp.resolve("a/results/reliability/toy/cpu");
        Path b = tmp.resolve("b/results/reliability/toy/cpu");
        try (Stream<Path> files = Files.walk(a)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".csv"))::iterator) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(a.relativize(f).toString())), f.toString());
            }
        }
    }

    /** Runs the spec into {@code dir}; returns each task's file → sha256, from its manifest. */
    private static Map<String, Map<String, String>> run(Path dir) throws Exception {
        Cli r = Cli.run("run", "--spec", SPEC, "--no-tracking", "--workers", "1",
                "--workdir", dir.resolve("work").toString(), "--results", dir.resolve("results").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("done: 7 ran, 0 cached"), "a fresh work folder runs everything: " + r.out());
        Map<String, Map<String, String>> out = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> tasks = Files.list(dir.resolve("work/tasks"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                JsonNode m = json.readTree(t.resolve("_task.json").toFile());
                Map<String, String> files = new TreeMap<>();
                m.get("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
                out.put(m.get("taskId").asText(), files);
            }
        }
        return out;
    }
}
