package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.task.Params;

import java.util.ArrayList;
import java.util.List;

/** Parameter checks shared by the diagonal-toy tasks' {@code validate}. */
final class ToyTaskParams {

    private ToyTaskParams() { }

    /** Runs {@code check} and turns the getter's IllegalArgumentException into a problem line. */
    static void check(List<String> problems, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }

    static void positive(List<String> problems, Params p, String key) {
        check(problems, () -> {
            if (!(p.getDouble(key) > 0)) {
                problems.add("parameter '" + key + "' must be > 0, got " + p.getDouble(key));
            }
        });
    }

    static double[] doubles(Params p, String key) {
        List<Double> list = p.getDoubleList(key);
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    static List<String> problems() {
        return new ArrayList<>();
    }
}
