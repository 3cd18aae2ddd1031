package io.rankrepro.pipeline.plan;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The cartesian product of sweep axes, and the stable labels used in task ids. */
public final class SweepPoints {
    private SweepPoints() { }

    /** Every combination, first axis outermost; a single empty point when there are no axes. */
    public static List<Map<String, Object>> expand(Map<String, List<Object>> axes) {
        List<Map<String, Object>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<Object>> axis : axes.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> p : points) {
                for (Object v : axis.getValue()) {
                    Map<String, Object> q = new LinkedHashMap<>(p);
                    q.put(axis.getKey(), v);
                    next.add(q);
                }
            }
            points = next;
        }
        return points.stream().map(java.util.Collections::unmodifiableMap).toList();
    }

    /** {@code alpha=0.01,seed=2}: short, stable and safe in a file name. */
    public static String label(Map<String, Object> point) {
        return point.entrySet().stream().map(e -> e.getKey() + "=" + format(e.getValue())).collect(Collectors.joining(","));
    }

    /** Numbers in their shortest exact decimal form (1e-16, 0.01, 3). */
    public static String format(Object value) {
        if (value instanceof Double d) {
            BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
            String plain = b.toPlainString();
            String sci = b.toString().replace("E", "e").replace("e+", "e");
            return plain.length() <= sci.length() ? plain : sci;
        }
        return String.valueOf(value);
    }
}
