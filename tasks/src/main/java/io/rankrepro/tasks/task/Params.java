package io.rankrepro.tasks.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A task's resolved parameters: an immutable map of JSON-like values (numbers, strings, booleans,
 * lists) with typed getters whose errors name the parameter. Specs are validated before any task
 * runs, so a getter failing here means a task asked for a parameter its spec does not declare.
 */
public final class Params {
    private final Map<String, Object> values;

    public Params(Map<String, ?> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static Params of(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new Params(m);
    }

    /** Sorted by key, so iteration order (and therefore hashing) is stable. */
    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public double getDouble(String key) {
        return number(key).doubleValue();
    }

    public double getDouble(String key, double fallback) {
        return has(key) ? getDouble(key) : fallback;
    }

    public int getInt(String key) {
        Number n = number(key);
        if (n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter '" + key + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public long getLong(String key) {
        Number n = number(key);
        if (n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("parameter '" + key + "' must be an integer, got " + n);
        }
        return n.longValue();
    }

    public long getLong(String key, long fallback) {
        return has(key) ? getLong(key) : fallback;
    }

    public boolean getBoolean(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        Object v = values.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("parameter '" + key + "' must be true or false, got " + v);
    }

    public String getString(String key) {
        Object v = require(key);
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("parameter '" + key + "' must be a string, got " + v);
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    public List<Double> getDoubleList(String key) {
        Object v = require(key);
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException("parameter '" + key + "' must be a list of numbers, got " + v);
        }
        List<Double> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof Number n)) {
                throw new IllegalArgumentException("parameter '" + key + "' must be a list of numbers, found " + o);
            }
            out.add(n.doubleValue());
        }
        return List.copyOf(out);
    }

    public List<Double> getDoubleList(String key, List<Double> fallback) {
        return has(key) ? getDoubleList(key) : fallback;
    }

    private Number number(String key) {
        Object v = require(key);
        if (v instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException("parameter '" + key + "' must be a number, got " + v);
    }

    private Object require(String key) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing parameter '" + key + "' (have " + values.keySet() + ")");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
