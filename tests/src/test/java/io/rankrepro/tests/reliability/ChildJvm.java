package io.rankrepro.tests.reliability;

import io.rankrepro.pipeline.cli.RankreproCli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** {@code rankrepro} in a JVM of its own (the test class path), so a test can kill -9 it. */
final class ChildJvm {
    private ChildJvm() { }

    /** Starts {@code rankrepro args}, its output going to {@code log}. */
    static Process start(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), RankreproCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits until {@code condition} holds; fails with the child's log if it exits or time runs out first. */
    static void await(Process p, Path log, Duration timeout, String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!p.isAlive()) {
                throw new AssertionError("the child exited (" + p.exitValue() + ") before " + what + ":\n" + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    /** Runs {@code rankrepro args} to completion, as a user's separate command would; returns its exit code and output. */
    static Cli run(Path log, String... args) throws Exception {
        Process p = start(log, Map.of(), args);
        if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
            kill9(p);
            throw new AssertionError("rankrepro did not finish within 300 s:\n" + Files.readString(log));
        }
        return new Cli(p.exitValue(), Files.readString(log), "");
    }

    /** kill -9: no shutdown hook, no finally block runs in the child. */
    static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL on Linux and macOS
        p.waitFor();
    }
}
