package io.rankrepro.tests.mlflow;

import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.tests.report.HeadlessChromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an MLflow user sees of two smoke runs of paper B's toy figure, read back with MLflow's own
 * Python client (the project's MLflow venv) by {@code read_back.py}: system metric histories on
 * every training, dataset inputs with digests, a logged model per checkpoint with its rank metrics,
 * overrides and the resolved spec on the parent, every metric under the naming scheme, and after a
 * rerun that changes only the figure a child run for every task, the cached ones linked to the runs
 * that computed them. Then {@code compare --plots} of the two runs, opened in headless Chromium.
 */
class MlflowUserViewTest {
    private static final String SPEC = "../pipeline/experiments/boix2023/fig1.yaml";
    private static final List<String> SMALL = List.of("--set", "train.tau_max=1.5", "--set", "train.checkpoints=6");
    private static final int TASKS = 8; // prepare, 2 × (train, checkpoint, analyze), figure

    @TempDir static Path tmp;
    private static MlflowServerProcess server;
    private static String first;
    private static String rerun;

    @BeforeAll
    static void twoRunsOfOneSpec() throws Exception {
        server = MlflowServerProcess.start();
        first = parentRun(run("first", SMALL));
        List<String> changed = new ArrayList<>(SMALL);
        changed.addAll(List.of("--set", "figure.stage_tolerance=0.2"));
        String out = run("rerun", changed);
        assertTrue(out.contains("done: 1 ran, 7 cached"), out);
        rerun = parentRun(out);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void mlflowsOwnClientSeesSystemMetricsDatasetsModelsOverridesAndAWholeTree() throws Exception {
        Path python = MlflowServerProcess.mlflowExecutable().resolveSibling("python");
        Path script = Path.of("src/test/resources/mlflow/read_back.py").toAbsolutePath();
        Path log = tmp.resolve("read_back.log");
        Process p = new ProcessBuilder(python.toString(), script.toString(), server.uri(), first, rerun, Integer.toString(TASKS))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "read_back.py hung");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out + server.logTail(20));
        assertTrue(out.contains("ALL CHECKS PASSED"), out);
        assertEquals(7, out.lines().filter(l -> l.startsWith("ok: ")).count(), out);
    }

    @Test
    void thePlotsDiffOpensInChromiumWithBothFiguresAndBothClaimTables() throws Exception {
        Path dir = tmp.resolve("plots");
        String out = rankrepro(tmp.resolve("plots.log"), Map.of(),
                List.of("compare", first, rerun, "--plots", "--out", dir.toString(), "--tracking-uri", server.uri()));
        assertTrue(out.contains("plots diff: 1 figures, 3 + 3 claims"), out); // B-fig1's three registered claims
        Path page = dir.resolve("index.html");
        HeadlessChromium chromium = HeadlessChromium.find(tmp);
        String measured = chromium.measure(page, "(() => { const sides = [...document.querySelectorAll('figure.side img.plot')];"
                + " return 'sides=' + sides.length + ' loaded=' + sides.filter(i => i.complete && i.naturalWidth > 0).length"
                + " + ' overlays=' + document.querySelectorAll('figure.overlay img.over').length"
                + " + ' claims=' + document.querySelectorAll('table.claims tbody tr').length"
                + " + ' verdicts=' + document.querySelectorAll('table.claims td.pass, table.claims td.fail').length; })()");
        Matcher m = Pattern.compile("sides=(\\d+) loaded=(\\d+) overlays=(\\d+) claims=(\\d+) verdicts=(\\d+)").matcher(measured);
        assertTrue(m.find(), measured);
        assertEquals("2", m.group(1), "the figure of A and of B");
        assertEquals("2", m.group(2), "both images load");
        assertEquals("1", m.group(3), "B over A");
        assertEquals("3", m.group(4), "the toy figure's three claims, one row each");
        assertEquals("6", m.group(5), "each claim's verdict in A and in B");
        Path shot = Path.of("target/plots-diff/plots-diff-smoke.png");
        Files.deleteIfExists(shot);
        chromium.screenshot(page, shot, 1600, 1400);
        assertTrue(Files.size(shot) > 20_000, "a screenshot with content: " + Files.size(shot) + " bytes");
    }

    private static String run(String name, List<String> overrides) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--spec", SPEC, "--profile", "smoke", "--workers", "1",
                "--tracking-uri", server.uri(), "--workdir", tmp.resolve("work").toString(),
                "--results", tmp.resolve("results-" + name).toString()));
        args.addAll(overrides);
        // samples often enough that a training of a few seconds has a history
        return rankrepro(tmp.resolve(name + ".log"), Map.of("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "0.1"), args);
    }

    private static String parentRun(String out) {
        Matcher m = Pattern.compile("MLflow parent run: ([0-9a-f]{32})").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    /** rankrepro in a JVM of its own with {@code env}; its output, after asserting exit 0. */
    private static String rankrepro(Path log, Map<String, String> env, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                RankreproCli.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) { // a hung run, not a slow machine
            p.destroyForcibly();
            throw new AssertionError("rankrepro " + args.get(0) + " did not end within 10 minutes:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out + server.logTail(30));
        return out;
    }
}
