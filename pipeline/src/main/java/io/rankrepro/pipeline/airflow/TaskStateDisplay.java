package io.rankrepro.pipeline.airflow;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Progress of a DAG run on a console or in a CI log: one line per task whose state changed since
 * the last poll, then a one-line tally, so the output stays readable without terminal control codes.
 */
public final class TaskStateDisplay {
    private final PrintStream out;
    private final Map<String, String> last = new HashMap<>();
    private final long start = System.nanoTime();

    public TaskStateDisplay(PrintStream out) {
        this.out = out;
    }

    public void update(List<AirflowClient.TaskInstance> tasks) {
        boolean changed = false;
        for (AirflowClient.TaskInstance t : tasks) {
            String state = stateOf(t);
            if (!state.equals(last.put(t.taskId(), state))) {
                out.printf("  [%5.0fs] %-32s %s%s%n", (System.nanoTime() - start) / 1e9, t.displayName(), symbol(state), state
                        + (t.tryNumber() > 1 ? " (try " + t.tryNumber() + ")" : ""));
                changed = true;
            }
        }
        if (changed) {
            out.println("           " + tally(tasks));
        }
    }

    /** Counts by state, e.g. {@code 4 success, 1 running, 5 none}. */
    public static String tally(List<AirflowClient.TaskInstance> tasks) {
        Map<String, Integer> counts = new TreeMap<>();
        tasks.forEach(t -> counts.merge(stateOf(t), 1, Integer::sum));
        StringBuilder s = new StringBuilder();
        counts.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(v).append(' ').append(k));
        return s.toString();
    }

    /** A table of every task's final state. */
    public void summary(List<AirflowClient.TaskInstance> tasks) {
        for (AirflowClient.TaskInstance t : tasks) {
            out.printf("  %s %-32s %-16s %s%n", symbol(stateOf(t)), t.displayName(), stateOf(t),
                    t.duration() == null ? "" : String.format("%.1fs", t.duration()));
        }
        out.println("  " + tally(tasks));
    }

    private static String stateOf(AirflowClient.TaskInstance t) {
        return t.state() == null ? "none" : t.state();
    }

    private static String symbol(String state) {
        return switch (state) {
            case "success" -> "✔ ";
            case "failed", "upstream_failed" -> "✘ ";
            case "running" -> "▶ ";
            case "skipped" -> "- ";
            default -> "· ";
        };
    }
}
