package io.rankrepro.tests.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunView;
import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.provenance.ProvenanceManifest;
import io.rankrepro.pipeline.provenance.ProvenanceManifests;
import io.rankrepro.pipeline.provenance.ProvenanceVerifier;
import io.rankrepro.pipeline.provenance.ProvenanceVerifier.Finding;
import io.rankrepro.pipeline.report.ReportPublisher;
import io.rankrepro.pipeline.report.RunSummaries;
import io.rankrepro.pipeline.report.RunSummary;
import io.rankrepro.tests.mlflow.MlflowServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproduction report end to end: a smoke run of Kobayashi et al. Fig. 1 (seconds) tracked in
 * a real MLflow server, the report rendered from results/, opened in headless Chromium (every
 * figure image loads, one summary row per figure, a screenshot kept under target/), logged to
 * MLflow, rebuilt from MLflow; the provenance manifest's hashes checked against MLflow's files.
 */
class SmokeRunReportTest {
    private static final String EXPERIMENT = "kobayashi2024/fig1";
    /** Control characters other than newline and tab: what a CI log must not receive. */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F]");

    @TempDir static Path tmp;
    private static MlflowServerProcess server;
    private static MlflowTracking mlflow;
    private static Path results;
    private static Path work;
    private static String runOutput;

    @BeforeAll
    static void runSmokeAndReport() throws Exception {
        server = MlflowServerProcess.start();
        mlflow = MlflowTracking.connect(server.uri());
        results = tmp.resolve("results");
        work = tmp.resolve("work");
        Path spec = repoRoot().resolve("pipeline/experiments/kobayashi2024/fig1.yaml");
        Cli run = Cli.execute("run", "--spec", spec.toString(), "--profile", "smoke", "--tracking-uri", server.uri(),
                "--workdir", work.toString(), "--results", results.toString());
        assertEquals(0, run.code, run.out + run.err + server.logTail(30));
        runOutput = run.out;
        Cli report = Cli.execute("report", "--results", results.toString(), "--tracking-uri", server.uri());
        assertEquals(0, report.code, report.out + report.err);
    }

    @AfterAll
    static void stop() {
        if (mlflow != null) {
            mlflow.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void runLogShowsDagProgressWithoutControlCharacters() {
        // Tests run without a console, as CI does: progress must come as plain lines.
        assertTrue(runOutput.contains("[7/7 done, 0 running]"), runOutput);
        assertTrue(runOutput.contains("[train[lambda=0]] 300/300 (100%)"), runOutput);
        Matcher m = CONTROL.matcher(runOutput);
        assertFalse(m.find(), () -> "control character U+" + String.format("%04X", (int) runOutput.charAt(m.start()))
                + " in the run log at " + m.start() + ":\n" + runOutput);
    }

    @Test
    void reportOpensInChromiumWithEveryFigureLoadedAndOneRowPerFigure() throws Exception {
        Path page = results.resolve("report/index.html");
        String html = Files.readString(page);
        assertFalse(html.contains("<script"), "the report needs no scripts");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//(?!127\\.0\\.0\\.1)").matcher(html).find(),
                "nothing is loaded from elsewhere (MLflow run links are the only absolute links)");
        List<Path> summaries = RunSummaries.find(results);
        assertEquals(1, summaries.size());

        // A copy of the page with a probe that writes what the browser loaded into the DOM.
        String probe = "<script>window.addEventListener('load', () => {"
                + " const imgs = [...document.querySelectorAll('img.figure-image')];"
                + " const out = document.createElement('pre'); out.id = 'probe';"
                + " out.textContent = 'images=' + imgs.length + ' loaded=' + imgs.filter(i => i.complete && i.naturalWidth > 0).length"
                + " + ' rows=' + document.querySelectorAll('#summary tbody tr.figure-row').length"
                + " + ' claims=' + document.querySelectorAll('table.claims tbody tr').length;"
                + " document.body.appendChild(out); });</script>";
        Path probed = page.resolveSibling("probe.html");
        Files.writeString(probed, html.replace("</body>", probe + "</body>"));
        HeadlessChromium chromium = HeadlessChromium.find(tmp);
        String dom = chromium.dumpDom(probed);
        Matcher m = Pattern.compile("images=(\\d+) loaded=(\\d+) rows=(\\d+) claims=(\\d+)").matcher(dom);
        assertTrue(m.find(), "the probe did not run; DOM:\n" + dom.substring(0, Math.min(2000, dom.length())));
        RunSummary summary = RunSummaries.read(summaries.get(0));
        assertEquals(summary.images().size(), Integer.parseInt(m.group(1)), "one <img> per figure PNG");
        assertTrue(Integer.parseInt(m.group(1)) >= 1, "the smoke run makes a figure");
        assertEquals(m.group(1), m.group(2), "every figure image loads");
        assertEquals(summaries.size(), Integer.parseInt(m.group(3)), "one summary row per figure");
        assertEquals(summary.claims().size(), Integer.parseInt(m.group(4)), "one claims row per checked paper claim (sanity checks apart)");

        Path shot = Path.of("target/report/report-smoke.png");
        Files.deleteIfExists(shot);
        chromium.screenshot(page, shot, 1280, 2000);
        assertTrue(Files.size(shot) > 20_000, "a screenshot with content: " + Files.size(shot) + " bytes");
    }

    @Test
    void reportIsLoggedToItsOwnExperimentAndLinkedFromTheDagRun() throws Exception {
        RunSummary summary = RunSummaries.read(RunSummaries.find(results).get(0));
        RunView parent = mlflow.getRun(summary.parentRunId());
        String reportRun = parent.tags().get(ReportPublisher.REPORT_RUN_TAG);
        assertNotNull(reportRun, "the DAG run names its report run: " + parent.tags());
        assertTrue(mlflow.listArtifacts(reportRun).contains("index.html"), mlflow.listArtifacts(reportRun).toString());
        assertEquals(Files.readString(results.resolve("report/index.html")),
                new String(mlflow.readArtifact(reportRun, "index.html"), StandardCharsets.UTF_8));
        assertTrue(mlflow.listArtifacts(summary.parentRunId()).containsAll(List.of("rankrepro/run.json", "rankrepro/provenance.json")));
    }

    @Test
    void reportRebuildsFromMlflowAlone() throws Exception {
        RunSummary summary = RunSummaries.read(RunSummaries.find(results).get(0));
        Path out = tmp.resolve("from-mlflow/index.html");
        Cli report = Cli.execute("report", "--from-run", summary.parentRunId(), "--out", out.toString(),
                "--tracking-uri", server.uri());
        assertEquals(0, report.code, report.out + report.err);
        String html = Files.readString(out);
        for (var c : summary.checks()) {
            assertTrue(html.contains(c.id()), c.id());
        }
        assertTrue(html.contains("data:image/png;base64,"), "the figure comes from the figure run's outputs/");
    }

    @Test
    void provenanceHashesVerifyAgainstTheFilesInMlflow() throws Exception {
        Path manifestFile = results.resolve(EXPERIMENT).resolve("smoke").resolve(ProvenanceManifest.FILE_NAME);
        ProvenanceManifest m = ProvenanceManifests.read(manifestFile);
        assertEquals(List.of("figure"), m.figureTasks());
        assertEquals(7, m.steps().size(), "figure, 3 analyses, 3 training runs");
        assertTrue(m.steps().stream().allMatch(s -> s.runId() != null && !s.files().isEmpty()));
        long files = m.steps().stream().mapToLong(s -> s.files().size()).sum();

        List<Finding> inMlflow = ProvenanceVerifier.inMlflow(m, mlflow, Files.createDirectories(tmp.resolve("verify")));
        assertEquals(files, inMlflow.stream().filter(f -> f.status() == Finding.Status.OK).count(), inMlflow.toString());
        assertTrue(inMlflow.stream().noneMatch(Finding::failed), inMlflow.toString());

        Cli cli = Cli.execute("provenance", results.resolve(EXPERIMENT).resolve("smoke/fig1.png").toString(), "--verify",
                "--workdir", work.toString(), "--tracking-uri", server.uri());
        assertEquals(0, cli.code, cli.out + cli.err);
        assertTrue(cli.out.contains("mlflow: " + files + " files match"), cli.out);
        assertTrue(cli.out.contains("└── train[lambda=0.4]"), cli.out);

        // A flipped byte in the work folder is caught, and named.
        ProvenanceManifest.Step train = m.step("train[lambda=0]");
        String name = train.files().keySet().iterator().next();
        Path file = new OutputStore(work).dir(train.key()).resolve(name);
        byte[] original = Files.readAllBytes(file);
        byte[] tampered = original.clone();
        tampered[0] ^= 1;
        Files.write(file, tampered);
        try {
            List<Finding> onDisk = ProvenanceVerifier.onDisk(m, manifestFile.getParent(), new OutputStore(work));
            List<Finding> bad = onDisk.stream().filter(Finding::failed).toList();
            assertEquals(1, bad.size(), onDisk.toString());
            assertEquals(name, bad.get(0).file());
            assertEquals(Finding.Status.MISMATCH, bad.get(0).status());
        } finally {
            Files.write(file, original);
        }
    }

    /** The CLI in this JVM with stdout and stderr captured (ConsoleProgress looks up System.out per task). */
    private record Cli(int code, String out, String err) {
        static synchronized Cli execute(String... args) {
            PrintStream oldOut = System.out;
            PrintStream oldErr = System.err;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                int code = RankreproCli.execute(args);
                return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("pipeline/experiments"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
    }
}
