package io.rankrepro.tasks.bench;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;

/**
 * Interleaved timing: the benchmark's sides (rankrepro, PyTorch, ...) run as concurrent processes
 * that take turns, {@code block} steps each, passing a token around a ring of named pipes (made
 * by {@code bench/run.sh}). Only the process holding the token computes, so every side samples
 * the same stretches of a shared machine whose speed drifts by tens of percent over minutes;
 * alternating whole processes did not. The time spent waiting for the token is never inside a
 * timed step. The Python side is {@code bench/python/common.py}'s {@code Turns}.
 *
 * <p>Configured by {@code BENCH_TURN_MINE} (this side's pipe), {@code BENCH_TURN_NEXT} (the next
 * side's) and {@code BENCH_TURN_BLOCK} (steps per turn); without them, {@link #NONE}: no waiting.
 */
final class Turns implements AutoCloseable {
    static final Turns NONE = new Turns(null, null, Integer.MAX_VALUE);

    private final RandomAccessFile mine;
    private final OutputStream next;
    private final int block;
    private int done;

    private Turns(RandomAccessFile mine, OutputStream next, int block) {
        this.mine = mine;
        this.next = next;
        this.block = block;
    }

    static Turns fromEnvironment() {
        String mine = System.getenv("BENCH_TURN_MINE");
        if (mine == null || mine.isEmpty()) {
            return NONE;
        }
        try {
            // own pipe read-write: opening a FIFO so does not wait for a writer (Linux), so the ring cannot
            // deadlock on open; the next side's pipe for writing waits only until that process has started
            RandomAccessFile own = new RandomAccessFile(mine, "rw");
            return new Turns(own, new FileOutputStream(System.getenv("BENCH_TURN_NEXT")),
                    Integer.parseInt(System.getenv().getOrDefault("BENCH_TURN_BLOCK", "25")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Says this side is set up (a file {@code MINE.ready}: run.sh starts the ring once every side
     * has one, so no side's start-up runs during another's turn), then waits for the token.
     */
    void begin() {
        if (mine != null) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv("BENCH_TURN_MINE") + ".ready"), "ready\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            await();
        }
    }

    /** Call after each step, outside its timing: every {@code block} steps, hands over and waits for the token back. */
    void stepDone() {
        if (mine == null || ++done % block != 0) {
            return;
        }
        pass();
        await();
    }

    /** Hands the token on for good (the next side may have finished already: then nobody is waiting). */
    @Override
    public void close() {
        if (mine == null) {
            return;
        }
        try {
            pass();
        } catch (UncheckedIOException finished) {
            // broken pipe: the next side is done and gone
        }
        try {
            mine.close();
            next.close();
        } catch (IOException ignored) {
            // closing pipes at exit
        }
    }

    private void pass() {
        try {
            next.write('t');
            next.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void await() {
        try {
            if (mine.read() < 0) {
                throw new IOException("turn pipe closed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
