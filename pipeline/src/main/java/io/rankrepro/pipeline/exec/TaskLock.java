package io.rankrepro.pipeline.exec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The right to compute one task key in a work folder ({@code work/locks/<key>.lock}), held by the
 * process that computes and publishes it, so that two runs on one work folder compute a task once:
 * the second waits, then finds the output published. An OS file lock, not a marker file: the kernel
 * drops it when its process dies however it dies (kill -9 included), so a killed run never leaves
 * a stale lock — the next holder takes over at once and removes nothing. The file keeps the
 * holder's pid and start time, only to say who is waited for.
 */
public final class TaskLock implements AutoCloseable {
    /** A JVM holds a file lock for all its threads: one permit per file keeps two threads of this JVM apart. */
    private static final Map<Path, Semaphore> IN_THIS_JVM = new ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Semaphore local;

    private TaskLock(Path file, FileChannel channel, FileLock lock, Semaphore local) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.local = local;
    }

    /**
     * Blocks until this process holds {@code file}'s lock; {@code say} hears once who holds it when
     * that is another process. Interruptible (the channel closes and the wait ends).
     */
    public static TaskLock acquire(Path file, Consumer<String> say) throws IOException, InterruptedException {
        Path abs = file.toAbsolutePath().normalize();
        Semaphore local = IN_THIS_JVM.computeIfAbsent(abs, f -> new Semaphore(1));
        local.acquire();
        FileChannel ch = null;
        try {
            Files.createDirectories(abs.getParent());
            ch = FileChannel.open(abs, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                String holder = new String(Files.readAllBytes(abs), StandardCharsets.UTF_8).strip();
                say.accept("waiting for another run that is computing it (" + (holder.isEmpty() ? "holder unknown" : holder)
                        + "; lock " + abs + ")");
                lock = ch.lock();
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since " + Instant.now())
                    .getBytes(StandardCharsets.UTF_8)), 0);
            return new TaskLock(abs, ch, lock, local);
        } catch (java.nio.channels.ClosedByInterruptException e) {
            local.release();
            throw new InterruptedException("interrupted while waiting for " + abs);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            local.release();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** Lets the next waiter in; the file stays (deleting it would race a process that just opened it). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            local.release();
        }
    }
}
