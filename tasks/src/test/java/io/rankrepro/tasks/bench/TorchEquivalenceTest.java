package io.rankrepro.tasks.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The small version of make bench's like-for-like check: the toy head (float64) and the GPT
 * (float32 and float64) of rankrepro and of bench/python/models.py compute the same loss from the
 * same weights. Needs the bench venv (`make bench-venv`, .venv-bench/ at the repo root); skipped
 * without it, so not part of CI.
 */
class TorchEquivalenceTest {

    @Test
    void pytorchReferencesComputeRankreprosLosses(@TempDir Path dir) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path python = root.resolve(".venv-bench/bin/python");
        assumeTrue(Files.isExecutable(python), "no bench venv at " + python + " (make bench-venv)");
        BenchMain.export(dir, List.of("toy", "gpt"));
        Process p = new ProcessBuilder(python.toString(), "check_equivalence.py", dir.toString(), dir.resolve("equivalence.json").toString())
                .directory(root.resolve("bench/python").toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }
}
