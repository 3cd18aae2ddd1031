package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.task.Params;

import java.util.List;

/** Pre-compute parameter checks shared by paper A's tasks (toys, deep linear, weight decay); each problem names its parameter. */
public final class ParamRules {
    private ParamRules() { }

    /** {@code key} must be a number in (0, max] (or [0, max] when {@code zeroAllowed}). */
    public static void number(Params p, String key, boolean zeroAllowed, double max, List<String> problems) {
        if (!p.has(key)) {
            problems.add(key + ": required");
            return;
        }
        double v;
        try {
            v = p.getDouble(key);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return;
        }
        if (!Double.isFinite(v) || v < 0 || (v == 0 && !zeroAllowed) || v > max) {
            problems.add(key + ": must be " + (zeroAllowed ? ">= 0" : "> 0") + " and <= " + max + ", got " + v);
        }
    }

    /** {@code key} must be an integer in [min, max]. */
    public static void integer(Params p, String key, long min, long max, List<String> problems) {
        if (!p.has(key)) {
            problems.add(key + ": required");
            return;
        }
        try {
            long v = p.getLong(key);
            if (v < min || v > max) {
                problems.add(key + ": must be in [" + min + ", " + max + "], got " + v);
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }

    public static void bool(Params p, String key, List<String> problems) {
        try {
            p.getBoolean(key, false);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }
}
