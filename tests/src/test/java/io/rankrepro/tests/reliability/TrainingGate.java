package io.rankrepro.tests.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Lets a fault test hold a training at a step and let it go again, so that a kill or an outage
 * lands at a step the test chose instead of wherever a fast or slow machine happens to be: the
 * test never races a training against a clock.
 *
 * <p>A gate is a folder. The test puts a hold in it for step N ({@link #holdAt}); the training
 * ({@link GatedTaskProvider}'s kind, i.e. {@code diagonal-toy/train} itself), at its first progress
 * report at or after step N, says so ({@code held-N}, holding the step it stopped at) and waits
 * until the test removes the hold ({@link #release}) — or is killed while it waits. A training
 * finds its gate in the system property {@value #PROPERTY} (a run in the test's JVM) or the
 * environment variable {@value #ENV} (a run in a JVM of its own; its task JVMs inherit it). Without
 * either, the kind trains exactly as {@code diagonal-toy/train}.
 */
final class TrainingGate {
    static final String ENV = "RANKREPRO_TEST_TRAINING_GATE";
    static final String PROPERTY = "rankrepro.test.training-gate";
    /** A hold nobody releases (a test that died) ends the training with an error after this long. */
    static final Duration MAX_HOLD = Duration.ofMinutes(10);
    private static final String HOLD = "hold-";
    private static final String HELD = "held-";

    private final Path dir;

    private TrainingGate(Path dir) {
        this.dir = dir;
    }

    /** A new gate in {@code dir} (created), with no hold yet. */
    static TrainingGate create(Path dir) throws IOException {
        return new TrainingGate(Files.createDirectories(dir).toAbsolutePath());
    }

    /** The gate this JVM's trainings pass through, or null: none was set. */
    static TrainingGate configured() {
        String where = System.getProperty(PROPERTY);
        if (where == null || where.isBlank()) {
            where = System.getenv(ENV);
        }
        return where == null || where.isBlank() ? null : new TrainingGate(Path.of(where));
    }

    // ---- the test's side

    /** The training stops at its first progress report at or after {@code step}, until {@link #release}d. */
    TrainingGate holdAt(long step) throws IOException {
        Files.writeString(dir.resolve(name(HOLD, step)), "");
        return this;
    }

    /** Lets the training held (or still to be held) at {@code step} go on. */
    void release(long step) throws IOException {
        Files.deleteIfExists(dir.resolve(name(HOLD, step)));
    }

    /** The step at which the hold for {@code step} stopped the training, if it did. */
    OptionalLong heldAt(long step) {
        Path held = dir.resolve(name(HELD, step));
        try {
            return Files.exists(held) ? OptionalLong.of(Long.parseLong(Files.readString(held).strip()))
                    : OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isHeld(long step) {
        return heldAt(step).isPresent();
    }

    /** The environment for a {@code rankrepro} JVM whose trainings pass this gate. */
    Map<String, String> env() {
        return Map.of(ENV, dir.toString());
    }

    /** Makes the trainings of this JVM (a {@code rankrepro run} in-process) pass this gate, until closed. */
    AutoCloseable installHere() {
        System.setProperty(PROPERTY, dir.toString());
        return () -> System.clearProperty(PROPERTY);
    }

    /**
     * Waits until a run in this JVM is held at {@code step}; fails if the run ends first (with what
     * it printed) or nothing happens within {@code timeout} — a limit for a hung run, not a guess at speed.
     */
    long awaitHeld(long step, Future<?> run, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isHeld(step)) {
            if (run.isDone()) {
                fail("the run ended before the training reached step " + step + ": " + run.get());
            }
            assertTrue(System.nanoTime() < deadline, "the training did not reach step " + step + " within " + timeout.toSeconds() + " s");
            Thread.sleep(20);
        }
        return heldAt(step).getAsLong();
    }

    // ---- the training's side

    /** Called at each progress report: stops at a hold not yet passed whose step has been reached, until it is released. */
    void pass(long step) {
        try {
            for (long at : holds()) {
                if (at > step || isHeld(at)) {
                    continue;
                }
                Path tmp = Files.writeString(dir.resolve(".tmp-" + name(HELD, at)), Long.toString(step));
                Files.move(tmp, dir.resolve(name(HELD, at)), StandardCopyOption.ATOMIC_MOVE);
                long deadline = System.nanoTime() + MAX_HOLD.toNanos();
                while (Files.exists(dir.resolve(name(HOLD, at)))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("test gate " + dir + ": the hold at step " + at + " was not released within "
                                + MAX_HOLD.toMinutes() + " min");
                    }
                    TimeUnit.MILLISECONDS.sleep(10);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held at test gate " + dir, e);
        }
    }

    private List<Long> holds() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of(); // the test is gone (its temporary folder deleted): nothing holds
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(HOLD))
                    .map(n -> Long.parseLong(n.substring(HOLD.length()))).sorted().toList();
        }
    }

    private static String name(String prefix, long step) {
        return prefix + String.format(Locale.ROOT, "%012d", step);
    }
}
