package io.rankrepro.tasks.task;

import java.util.List;

/**
 * Checks for the compact constructors of params records. Each failure is an
 * {@link IllegalArgumentException} whose message starts with the parameter's spec name, so the
 * planner reports it as {@code stage.param: ...} before anything runs.
 */
public final class ParamCheck {
    private ParamCheck() { }

    /** Fails with "{@code param}: {@code message}" unless {@code ok}. */
    public static void require(boolean ok, String param, String message) {
        if (!ok) {
            throw new IllegalArgumentException(param + ": " + message);
        }
    }

    /** {@code value} in [min, max]. */
    public static void range(String param, double value, double min, double max) {
        require(value >= min && value <= max, param, "must be in [" + fmt(min) + ", " + fmt(max) + "], got " + fmt(value));
    }

    /** {@code value} > 0 (and finite). */
    public static void positive(String param, double value) {
        require(value > 0 && Double.isFinite(value), param, "must be > 0, got " + fmt(value));
    }

    /** {@code value} in (0, max]. */
    public static void positive(String param, double value, double max) {
        require(value > 0 && value <= max, param, "must be > 0 and <= " + fmt(max) + ", got " + fmt(value));
    }

    /** {@code value} one of {@code allowed}. */
    public static void oneOf(String param, String value, List<String> allowed) {
        require(allowed.contains(value), param, "must be one of " + allowed + ", got '" + value + "'");
    }

    /** A list with between {@code min} and {@code max} entries, none null. */
    public static void size(String param, List<?> list, int min, int max) {
        require(list != null && list.size() >= min && list.size() <= max && list.stream().noneMatch(java.util.Objects::isNull), param,
                "needs " + min + ".." + max + " entries, got " + (list == null ? "none" : list.size()));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
