package io.rankrepro.mlflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Independent requests to the tracking server, a few in flight at once. A training writes a few
 * hundred checkpoints, each an artifact and a logged model of three requests; one after another
 * each waits out the server's round trip, while the server (one Python process) can take the next
 * one meanwhile. The result is the same as sequential calls: all are done, in any order, before
 * the method returns, and the first failure is thrown (the rest added as suppressed) after every
 * call has finished, so nothing is still uploading when the caller moves on.
 */
final class ConcurrentCalls implements AutoCloseable {

    /** How many requests a task keeps in flight (default {@value #DEFAULT}; 1 = one after another). */
    static final String ENV_CONCURRENCY = "RANKREPRO_TRACKING_CONCURRENCY";
    static final int DEFAULT = 4;

    private final int concurrency;
    private final ExecutorService pool;

    ConcurrentCalls(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("tracking concurrency must be at least 1, got " + concurrency);
        }
        this.concurrency = concurrency;
        AtomicInteger n = new AtomicInteger();
        // daemon: a pool must never keep a task's JVM alive; the threads start on first use
        this.pool = concurrency == 1 ? null : Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "mlflow-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The concurrency {@code $RANKREPRO_TRACKING_CONCURRENCY} asks for, else {@value #DEFAULT}. */
    static int fromEnv(Map<String, String> env) {
        String v = env.get(ENV_CONCURRENCY);
        if (v == null || v.isBlank()) {
            return DEFAULT;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new TrackingException(ENV_CONCURRENCY + "=" + v + " is not a whole number ≥ 1");
    }

    int concurrency() {
        return concurrency;
    }

    /** Runs every call and returns their results in the calls' order. */
    <T> List<T> all(List<Callable<T>> calls) {
        List<T> out = new ArrayList<>(calls.size());
        if (pool == null || calls.size() <= 1) {
            for (Callable<T> c : calls) {
                out.add(unchecked(c));
            }
            return out;
        }
        List<Future<T>> futures = new ArrayList<>(calls.size());
        for (Callable<T> c : calls) {
            futures.add(pool.submit(c));
        }
        RuntimeException failure = null;
        boolean interrupted = false;
        for (Future<T> f : futures) {
            try {
                T v;
                while (true) {
                    try {
                        v = f.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // every call is awaited even so: none may outlive this method
                    }
                }
                out.add(v);
            } catch (ExecutionException e) {
                RuntimeException r = asRuntime(e.getCause());
                if (failure == null) {
                    failure = r;
                } else if (failure != r) {
                    failure.addSuppressed(r);
                }
                out.add(null);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        return out;
    }

    private static <T> T unchecked(Callable<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw asRuntime(e);
        }
    }

    private static RuntimeException asRuntime(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new TrackingException(String.valueOf(e.getMessage()), e);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
