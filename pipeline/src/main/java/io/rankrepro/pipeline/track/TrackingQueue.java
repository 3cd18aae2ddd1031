package io.rankrepro.pipeline.track;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Tracking requests that nothing local waits for (a DAG run's params, artifacts, tags, final
 * metrics and its end), sent by one background thread in submission order, so that the next spec
 * of a {@code rankrepro run} plans and runs while the previous one's requests are in flight. A
 * no-op rerun of every spec is mostly such requests. {@link #awaitAll} before exiting.
 */
public final class TrackingQueue implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tracking-queue");
        t.setDaemon(true);
        return t;
    });
    private final List<Future<?>> pending = new ArrayList<>();
    private final List<String> what = new ArrayList<>();

    /** Requests to send; may fail with any exception, reported by {@link #awaitAll}. */
    @FunctionalInterface
    public interface Requests {
        void send() throws Exception;
    }

    /** Queues {@code work}; {@code description} names it if it fails. */
    public synchronized void submit(String description, Requests work) {
        pending.add(thread.submit(() -> {
            work.send();
            return null;
        }));
        what.add(description);
    }

    /**
     * Waits for everything queued; prints each failure to {@code err}.
     *
     * @return true when every request went through
     */
    public synchronized boolean awaitAll(PrintStream err) throws InterruptedException {
        boolean ok = true;
        for (int i = 0; i < pending.size(); i++) {
            try {
                pending.get(i).get();
            } catch (ExecutionException e) {
                ok = false;
                Throwable cause = e.getCause();
                err.println("rankrepro: tracking " + what.get(i) + " failed: " + (cause.getMessage() == null ? cause : cause.getMessage()));
            }
        }
        pending.clear();
        what.clear();
        return ok;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
