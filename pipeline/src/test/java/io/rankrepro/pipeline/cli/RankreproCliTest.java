package io.rankrepro.pipeline.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankreproCliTest {
    private static final String CHAIN = "src/test/resources/specs/chain.yaml";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"plan", "run", "prepare", "train", "checkpoint", "analyze", "figure", "task"})
    void everySubcommandExplainsItself(String command) {
        assertEquals(0, RankreproCli.execute(command, "--help"));
        assertTrue(out.toString().contains("--spec"), out.toString());
        assertTrue(out.toString().contains("Usage: rankrepro " + command), out.toString());
    }

    @Test
    void runsAChainThenSkipsItAndPublishesResults(@TempDir Path tmp) throws Exception {
        String[] args = {"run", "--spec", CHAIN, "--profile", "cpu", "--no-tracking",
                "--workdir", tmp.resolve("work").toString(), "--results", tmp.resolve("results").toString()};
        assertEquals(0, RankreproCli.execute(args), () -> out + "\n" + err);
        assertTrue(out.toString().contains("done: 8 ran, 0 cached"), out.toString());
        Path sum = tmp.resolve("results/test/chain/cpu/sum.txt");
        assertEquals("60.0", Files.readString(sum));
        assertFalse(Files.exists(tmp.resolve("results/test/chain/cpu/_task.json")), "manifests stay in the work folder");
        out.reset();
        assertEquals(0, RankreproCli.execute(args));
        assertTrue(out.toString().contains("done: 0 ran, 8 cached"), out.toString());
    }

    @Test
    void stageCommandRunsOneTaskAndNeedsItsUpstream(@TempDir Path tmp) {
        String work = tmp.resolve("work").toString();
        assertEquals(1, RankreproCli.execute("task", "--spec", CHAIN, "--task", "b[x=1]", "--no-tracking", "--workdir", work));
        assertTrue(err.toString().contains("needs the output of a"), err.toString());
        assertEquals(0, RankreproCli.execute("task", "--spec", CHAIN, "--task", "a", "--no-tracking", "--workdir", work));
        assertEquals(0, RankreproCli.execute("task", "--spec", CHAIN, "--task", "b[x=1]", "--no-tracking", "--workdir", work));
        assertTrue(out.toString().contains("✔ b[x=1] done"), out.toString());
        assertEquals(2, RankreproCli.execute("train", "--spec", CHAIN, "--task", "a", "--no-tracking", "--workdir", work));
        assertTrue(err.toString().contains("belongs to stage 'a', not 'train'"), err.toString());
        assertEquals(2, RankreproCli.execute("train", "--spec", CHAIN, "--no-tracking", "--workdir", work));
        assertTrue(err.toString().contains("has 0 tasks"), err.toString());
    }

    @Test
    void badInputExitsWithTwoAndLeavesNothingBehind(@TempDir Path tmp) throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "id: x\n");
        Path work = tmp.resolve("work");
        assertEquals(2, RankreproCli.execute("run", "--spec", bad.toString(), "--no-tracking", "--workdir", work.toString()));
        assertTrue(err.toString().contains("invalid spec " + bad), err.toString());
        assertEquals(2, RankreproCli.execute("run", "--spec", CHAIN, "--profile", "huge", "--no-tracking", "--workdir", work.toString()));
        assertEquals(2, RankreproCli.execute("run", "--spec", CHAIN, "--set", "nonsense", "--no-tracking", "--workdir", work.toString()));
        assertEquals(2, RankreproCli.execute("run", "--spec", CHAIN, "--workers", "0", "--no-tracking", "--workdir", work.toString()));
        assertEquals(2, RankreproCli.execute("run", "--nope"));
        assertEquals(2, RankreproCli.execute("run"));
        assertFalse(Files.exists(work), "nothing is written before the inputs are valid");
    }

    @Test
    void unreachableTrackingServerIsAClearError(@TempDir Path tmp) {
        int code = RankreproCli.execute("run", "--spec", CHAIN, "--tracking-uri", "http://127.0.0.1:9",
                "--workdir", tmp.resolve("w").toString());
        assertEquals(1, code);
        assertTrue(err.toString().contains("127.0.0.1:9"), err.toString());
        assertTrue(err.toString().contains("is not reachable"), "what happened: " + err);
        assertTrue(err.toString().contains("make mlflow-up") && err.toString().contains("--no-tracking"), "what to do: " + err);
    }

    @Test
    void runsSeveralSpecsInOneInvocationAfterCheckingThemAll(@TempDir Path tmp) throws Exception {
        String work = tmp.resolve("work").toString();
        String results = tmp.resolve("results").toString();
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "id: x/y\ntitle: t\nstages: [{name: a, kind: no/such}]\n");
        assertEquals(2, RankreproCli.execute("run", "--spec", CHAIN, "src/test/resources/specs/single.yaml", bad.toString(),
                "--no-tracking", "--workers", "1", "--workdir", work, "--results", results));
        assertFalse(Files.exists(tmp.resolve("results")), "a bad spec anywhere stops everything before it starts");
        assertEquals(0, RankreproCli.execute("run", "--spec", CHAIN, "src/test/resources/specs/single.yaml",
                "--no-tracking", "--workers", "1", "--workdir", work, "--results", results));
        assertEquals("60.0", Files.readString(tmp.resolve("results/test/chain/cpu/sum.txt")));
        assertEquals("6.0", Files.readString(tmp.resolve("results/test/single/cpu/value.txt")));
    }

    @Test
    void planListsTasksWithKeys() {
        assertEquals(0, RankreproCli.execute("plan", "--spec", CHAIN, "--profile", "smoke"));
        assertTrue(out.toString().contains("b[x=1]"), out.toString());
        assertTrue(out.toString().contains("4 tasks"), out.toString());
    }
}
