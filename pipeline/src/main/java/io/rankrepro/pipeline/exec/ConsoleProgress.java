package io.rankrepro.pipeline.exec;

import io.rankrepro.tasks.task.Progress;

import java.io.PrintStream;

/**
 * Progress of one task on the console: a live line rewritten in place on a terminal, plain lines
 * at most every {@code interval} elsewhere (CI logs, Airflow task logs), always the final count.
 */
public final class ConsoleProgress implements Progress {
    private final String label;
    private final PrintStream out;
    private final boolean terminal;
    private final long intervalNanos;
    private long lastPrint;
    private final long started = System.nanoTime();

    public ConsoleProgress(String label, PrintStream out, boolean terminal, double intervalSeconds) {
        this.label = label;
        this.out = out;
        this.terminal = terminal;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
        this.lastPrint = System.nanoTime();
    }

    /** Live updates when stdout is a terminal, lines every 10 s otherwise. */
    public static ConsoleProgress forTask(String label) {
        boolean tty = System.console() != null && !"true".equalsIgnoreCase(System.getenv("CI"));
        return new ConsoleProgress(label, System.out, tty, tty ? 0.2 : 10.0);
    }

    @Override
    public synchronized void update(long done, long total, String detail) {
        long now = System.nanoTime();
        boolean finished = done >= total;
        if (!finished && now - lastPrint < intervalNanos) {
            return;
        }
        lastPrint = now;
        double elapsed = (now - started) / 1e9;
        String eta = done > 0 && !finished ? String.format(" eta %.0fs", elapsed * (total - done) / done) : "";
        String line = String.format("  [%s] %d/%d (%.0f%%) %s%s", label, done, total,
                total == 0 ? 100.0 : 100.0 * done / total, detail == null ? "" : detail, eta);
        if (terminal) {
            out.print("\r" + line + "\u001b[K" + (finished ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }
}
