package io.rankrepro.tests.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cached checkpoint inside a train output, bit-flipped or cut short, is caught by its hash: the
 * rerun names the file, recomputes that training (and only what depends on it) and ends with the
 * bytes of the first run — the damaged file is never used.
 */
class CorruptOutputTest {

    @Test
    void bitFlippedAndTruncatedCheckpointsAreDetectedAndRecomputed(@TempDir Path tmp) throws Exception {
        String[] run = {"run", "--spec", DeterminismTest.SPEC, "--no-tracking", "--workers", "1",
                "--workdir", tmp.resolve("work").toString(), "--results", tmp.resolve("results").toString()};
        assertEquals(0, Cli.run(run).code());
        Work work = new Work(tmp.resolve("work"));
        Map<String, String> original = work.files("train[alpha=0.1]");

        Path checkpoint = checkpoint(work);
        byte[] bytes = Files.readAllBytes(checkpoint);
        bytes[bytes.length - 40] ^= 0x01;
        Files.write(checkpoint, bytes);
        Cli flipped = Cli.run(run);
        assertEquals(0, flipped.code(), flipped.toString());
        assertTrue(flipped.out().lines().anyMatch(l -> l.contains("train[alpha=0.1]") && l.contains("running: outputs failed verification: "
                + checkpoint + " has sha256")), flipped.out());
        assertTrue(flipped.out().contains("done: 1 ran, 6 cached"), "only the damaged task reran: " + flipped.out());
        assertEquals(original, work.files("train[alpha=0.1]"));

        Path again = checkpoint(work);
        Files.write(again, java.util.Arrays.copyOf(Files.readAllBytes(again), 100));
        Cli truncated = Cli.run(run);
        assertEquals(0, truncated.code(), truncated.toString());
        assertTrue(truncated.out().contains("outputs failed verification: " + again), truncated.out());
        assertEquals(original, work.files("train[alpha=0.1]"));
        assertEquals(original.get(work.output("train[alpha=0.1]").orElseThrow().relativize(again).toString()),
                io.rankrepro.pipeline.exec.Hashing.sha256(again), "the file on disk is whole again");
    }

    private static Path checkpoint(Work work) throws Exception {
        Path dir = work.output("train[alpha=0.1]").orElseThrow().resolve("checkpoints");
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().reduce((a, b) -> b).orElseThrow();
        }
    }
}
