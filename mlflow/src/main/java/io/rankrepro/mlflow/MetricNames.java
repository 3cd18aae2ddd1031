package io.rankrepro.mlflow;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The one naming scheme of every metric rankrepro logs: {@code <section>/<name>[/<qualifier>...]},
 * with '/' because the MLflow UI groups a run's charts by the part before the first '/'. A name is
 * lower case; a part may hold letters, digits, '_', '.' and '-' (MLflow refuses '=' in keys; a swept
 * value reads {@code analysis/fitted_rate/lambda_0.1}). The sections:
 *
 * <ul>
 *   <li>{@code train/} per training step ({@code train/loss}, {@code train/final_loss}, {@code train/steps_per_second})
 *   <li>{@code test/} held-out evaluation ({@code test/perplexity})
 *   <li>{@code data/} what a prepare task made ({@code data/examples})
 *   <li>{@code model/} the model's size ({@code model/parameters})
 *   <li>{@code rank/} a spectrum's metric per checkpoint step:
 *       {@code rank/<product>/<metric>[/layer_<l>]}, e.g. {@code rank/delta_kq/stable_rank/layer_1}
 *   <li>{@code balance/} factor balance: {@code balance/<product>/<gap|imbalance|relative_gap>[/layer_<l>]}
 *   <li>{@code analysis/} a figure's other derived numbers ({@code analysis/greedy_stages})
 *   <li>{@code claim/} a paper claim on the DAG run: {@code claim/<id>/passed} (1 or 0) and {@code claim/<id>/statistic}
 *   <li>{@code check/} a sanity check of our own code or setup, never counted as a claim: {@code check/<id>/passed}
 *   <li>{@code dag/} the DAG run ({@code dag/wall_seconds}, {@code dag/tasks_ran}, {@code dag/tasks_cached}, {@code dag/tasks_fetched})
 *   <li>{@code report/} the report run
 *   <li>{@code system/} MLflow's own system metrics ({@link SystemMetrics})
 * </ul>
 */
public final class MetricNames {
    public static final List<String> SECTIONS = List.of("train", "test", "data", "model", "rank", "balance", "analysis",
            "claim", "check", "dag", "report", "system");
    private static final Pattern NAME = Pattern.compile("(" + String.join("|", SECTIONS) + ")(/[a-z0-9_.-]+)+");
    private static final Pattern UNSAFE = Pattern.compile("[^a-z0-9_.-]+");

    private MetricNames() {
    }

    /** Whether {@code name} follows the scheme. */
    public static boolean matches(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** {@code name} if it follows the scheme; else an exception naming the scheme. */
    public static String check(String name) {
        if (!matches(name)) {
            throw new IllegalArgumentException("metric name '" + name + "' does not follow the scheme <section>/<name>[/...]"
                    + " with a section of " + SECTIONS + " and lower-case parts of [a-z0-9_.-] (see MetricNames)");
        }
        return name;
    }

    /** {@code section/part/part...}, each part made safe (lower case, other characters as '_'). */
    public static String of(String section, Object... parts) {
        StringBuilder b = new StringBuilder(section);
        for (Object p : parts) {
            b.append('/').append(part(String.valueOf(p)));
        }
        return check(b.toString());
    }

    /** {@code rank/<product>/<metric>/layer_<layer>}. */
    public static String rank(String product, String metric, int layer) {
        return of("rank", product, metric, "layer_" + layer);
    }

    /** {@code claim/<id>/<what>} for {@code passed} or {@code statistic}. */
    public static String claim(String id, String what) {
        return of("claim", id, what);
    }

    static String part(String p) {
        String s = UNSAFE.matcher(p.toLowerCase(java.util.Locale.ROOT)).replaceAll("_");
        return s.isEmpty() ? "_" : s;
    }
}
