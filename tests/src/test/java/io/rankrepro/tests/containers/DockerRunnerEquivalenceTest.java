package io.rankrepro.tests.containers;

import io.rankrepro.pipeline.cli.RankreproCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `run --runner docker` (each task in the task image) produces the same analysis tables and figure
 * data as the local runner: same code, same keys, same bytes.
 */
@ExtendWith(RequiresDocker.class)
class DockerRunnerEquivalenceTest {
    private static final String SPEC = RankreproImages.repoRoot().resolve("pipeline/experiments/boix2023/fig1.yaml").toString();
    private static final List<String> TINY = List.of("--set", "prepare.samples=16", "--set", "train.tau_max=1.5",
            "--set", "train.checkpoints=6", "--set", "train.uniform_checkpoints=6");

    @Test
    void dockerAndLocalRunnersAgreeOnTheAnalysisTables(@TempDir Path tmp) throws Exception {
        String image = RankreproImages.tasks();
        run(tmp.resolve("docker"), "--runner", "docker", "--image", image, "--workers", "2");
        run(tmp.resolve("local"), "--runner", "local", "--workers", "1");

        Map<String, byte[]> docker = tables(tmp.resolve("docker/work/tasks"));
        Map<String, byte[]> local = tables(tmp.resolve("local/work/tasks"));
        assertTrue(docker.keySet().stream().anyMatch(k -> k.endsWith("/metrics.csv")), docker.keySet().toString());
        assertEquals(local.keySet(), docker.keySet(), "same task keys, same files");
        for (String f : local.keySet()) {
            assertArrayEquals(local.get(f), docker.get(f), f);
        }
        assertArrayEquals(Files.readAllBytes(tmp.resolve("local/results/boix2023/fig1/smoke/figure-data.csv")),
                Files.readAllBytes(tmp.resolve("docker/results/boix2023/fig1/smoke/figure-data.csv")));
    }

    private static void run(Path dir, String... runner) {
        List<String> args = new ArrayList<>(List.of("run", "--spec", SPEC, "--profile", "smoke", "--no-tracking",
                "--workdir", dir.resolve("work").toString(), "--results", dir.resolve("results").toString()));
        args.addAll(List.of(runner));
        args.addAll(TINY);
        assertEquals(0, RankreproCli.execute(args.toArray(String[]::new)), "rankrepro " + args);
    }

    /** Every CSV of every task output, by "<key>/<file>". */
    private static Map<String, byte[]> tables(Path tasks) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tasks)) {
            for (Path f : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".csv"))::iterator) {
                out.put(tasks.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }
}
