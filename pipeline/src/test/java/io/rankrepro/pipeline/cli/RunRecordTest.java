package io.rankrepro.pipeline.cli;

import io.rankrepro.pipeline.exec.ConsoleProgress;
import io.rankrepro.pipeline.provenance.ProvenanceManifest;
import io.rankrepro.pipeline.provenance.ProvenanceManifests;
import io.rankrepro.pipeline.report.RunSummaries;
import io.rankrepro.pipeline.report.RunSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What `rankrepro run` leaves for the report and for provenance, and what those commands make of it. */
class RunRecordTest {
    private static final String CHAIN = "src/test/resources/specs/chain.yaml";
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F]");
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    @Test
    void runWritesRunJsonAndProvenanceThatVerifyAndCatchTampering(@TempDir Path tmp) throws Exception {
        Path results = tmp.resolve("results");
        String work = tmp.resolve("work").toString();
        assertEquals(0, RankreproCli.execute("run", "--spec", CHAIN, "--profile", "cpu", "--no-tracking",
                "--workdir", work, "--results", results.toString()), err.toString());
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("[8/8 done, 0 running]"), log);
        assertFalse(CONTROL.matcher(log).find(), "no control characters without a terminal:\n" + log);

        Path dir = results.resolve("test/chain/cpu");
        RunSummary s = RunSummaries.read(dir.resolve(RunSummary.FILE_NAME));
        assertTrue(s.ok());
        assertEquals(8, s.tasks().size());
        assertEquals(List.of("points.txt", "sum.txt"), s.files().stream().map(RunSummary.ResultFile::path).toList());
        ProvenanceManifest m = ProvenanceManifests.read(dir.resolve(ProvenanceManifest.FILE_NAME));
        assertEquals(List.of("d"), m.figureTasks());
        assertEquals("d", m.steps().get(0).taskId(), "the figure first");
        assertEquals(8, m.steps().size(), "the figure and all 7 ancestors");
        assertEquals(List.of("b[x=3]"), m.step("c[x=3]").upstream(), "direct edges; a is reached through b");

        out.reset();
        assertEquals(0, RankreproCli.execute("provenance", dir.resolve("sum.txt").toString(), "--verify", "--no-tracking", "--workdir", work));
        assertTrue(out.toString().contains("verified: 11 files match, 0 do not"), out.toString());

        Files.writeString(dir.resolve("sum.txt"), "61.0");
        out.reset();
        assertEquals(1, RankreproCli.execute("provenance", "test/chain", "--results", results.toString(), "--verify", "--no-tracking", "--workdir", work));
        assertTrue(out.toString().contains("MISMATCH results sum.txt"), out.toString());

        Path page = tmp.resolve("report/index.html");
        assertEquals(0, RankreproCli.execute("report", "--results", results.toString(), "--out", page.toString(), "--no-tracking"), err.toString());
        String html = Files.readString(page);
        assertTrue(html.contains("test/chain"), html);
        assertTrue(html.contains("run with --no-tracking"), "an untracked run says so instead of linking");
    }

    @Test
    void failedRunIsRecordedAsFailedWithoutProvenance(@TempDir Path tmp) throws Exception {
        Path results = tmp.resolve("results");
        assertEquals(1, RankreproCli.execute("run", "--spec", CHAIN, "--set", "b.fail=true", "--no-tracking",
                "--workdir", tmp.resolve("work").toString(), "--results", results.toString()));
        Path dir = results.resolve("test/chain/cpu");
        RunSummary s = RunSummaries.read(dir.resolve(RunSummary.FILE_NAME));
        assertFalse(s.ok());
        assertTrue(s.files().isEmpty());
        assertTrue(s.tasks().stream().anyMatch(t -> t.status().equals("BLOCKED")));
        assertFalse(Files.exists(dir.resolve(ProvenanceManifest.FILE_NAME)));
    }

    @Test
    void reportWithNothingToReportSaysWhatToRun(@TempDir Path tmp) {
        assertEquals(1, RankreproCli.execute("report", "--results", tmp.toString(), "--no-tracking"));
        assertTrue(err.toString().contains("nothing to report yet"), err.toString());
        assertTrue(err.toString().contains("rankrepro run --spec"), err.toString());
    }

    @Test
    void consoleProgressRewritesInPlaceOnlyOnATerminal() {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ConsoleProgress log = new ConsoleProgress("train", new PrintStream(plain, true, StandardCharsets.UTF_8), false, 0);
        ByteArrayOutputStream live = new ByteArrayOutputStream();
        ConsoleProgress tty = new ConsoleProgress("train", new PrintStream(live, true, StandardCharsets.UTF_8), true, 0);
        for (int i = 1; i <= 5; i++) {
            log.update(i, 5, "loss 0.1");
            tty.update(i, 5, "loss 0.1");
        }
        String lines = plain.toString(StandardCharsets.UTF_8);
        assertEquals(5, lines.lines().count(), lines);
        assertFalse(CONTROL.matcher(lines).find(), lines);
        assertTrue(live.toString(StandardCharsets.UTF_8).contains("\r"), "a terminal gets a line rewritten in place");
    }
}
