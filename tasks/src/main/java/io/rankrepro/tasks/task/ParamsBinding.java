package io.rankrepro.tasks.task;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds a stage's params (the JSON-like values of a spec) to a task kind's params record: names
 * are the components' names in snake_case, defaults come from {@link Default} (the one place they
 * are written), values are converted with Jackson, and the record's compact constructor checks
 * them. Every problem names its parameter; an unknown name gets the nearest valid one.
 */
public final class ParamsBinding {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final Map<Class<?>, List<Component>> COMPONENTS = new ConcurrentHashMap<>();

    static {
        // "1" is not a number and 1 is not a string: a spec says what it means.
        JSON.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    private ParamsBinding() { }

    /** Parameters that cannot be bound, each "name: what is wrong". */
    public static final class Problems extends IllegalArgumentException {
        private final List<String> problems;

        public Problems(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** One record component as a spec sees it. */
    private record Component(RecordComponent component, String name, JavaType type, boolean hasDefault, Object defaultValue) { }

    /** The spec names of {@code type}'s parameters, in declaration order. */
    public static List<String> names(Class<? extends Record> type) {
        return components(type).stream().map(Component::name).toList();
    }

    /** Why {@code name} is not a parameter of {@code type}, with the nearest valid name; null when it is one. */
    public static String unknown(Class<? extends Record> type, String name) {
        List<String> names = names(type);
        if (names.contains(name)) {
            return null;
        }
        String snake = snake(name);
        String hint = !snake.equals(name) && names.contains(snake)
                ? " (did you mean " + snake + "? spec params are snake_case)"
                : nearest(name, names).map(n -> " (did you mean " + n + "?)").orElse(" (parameters: " + String.join(", ", names) + ")");
        return name + ": unknown parameter" + hint;
    }

    /**
     * The record for {@code values}; throws {@link Problems} listing every unknown, missing or
     * ill-typed parameter, or the record's own check that failed.
     */
    public static <P extends Record> P bind(Class<P> type, Map<String, ?> values) {
        List<Component> components = components(type);
        List<String> problems = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(values.keySet())) {
            String why = unknown(type, key);
            if (why != null) {
                problems.add(why);
            }
        }
        Object[] args = new Object[components.size()];
        for (int i = 0; i < args.length; i++) {
            Component c = components.get(i);
            boolean given = values.containsKey(c.name());
            if (!given && !c.hasDefault()) {
                problems.add(c.name() + ": required");
                continue;
            }
            Object raw = given ? values.get(c.name()) : c.defaultValue();
            try {
                args[i] = raw == null ? nullOf(c) : JSON.convertValue(raw, c.type());
            } catch (IllegalArgumentException e) {
                problems.add(c.name() + ": must be " + describe(c.type()) + ", got " + show(raw));
            }
        }
        if (!problems.isEmpty()) {
            throw new Problems(problems);
        }
        try {
            Constructor<P> ctor = type.getDeclaredConstructor(
                    components.stream().map(c -> c.component().getType()).toArray(Class<?>[]::new));
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new Problems(List.of(message));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type.getName() + ": " + e, e);
        }
    }

    /**
     * Every parameter of {@code params} by spec name, as JSON-like values (numbers, strings,
     * booleans, lists, maps, null), sorted: what is hashed into the task key and logged.
     */
    public static Map<String, Object> resolved(Record params) {
        Map<String, Object> out = new TreeMap<>();
        for (Component c : components(params.getClass())) {
            try {
                java.lang.reflect.Method accessor = c.component().getAccessor();
                accessor.setAccessible(true); // records of test kinds and nested records need not be public
                Object v = accessor.invoke(params);
                out.put(c.name(), v == null ? null : JSON.convertValue(v, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.name() + " of " + params.getClass().getName(), e);
            }
        }
        return out;
    }

    /** camelCase → snake_case, as spec names are spelled. */
    public static String snake(String name) {
        return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(name);
    }

    private static List<Component> components(Class<?> type) {
        return COMPONENTS.computeIfAbsent(type, t -> {
            if (!t.isRecord()) {
                throw new IllegalArgumentException(t.getName() + " is not a record");
            }
            List<Component> out = new ArrayList<>();
            for (RecordComponent rc : t.getRecordComponents()) {
                String name = snake(rc.getName());
                JavaType jt = JSON.getTypeFactory().constructType(rc.getGenericType());
                Default d = rc.getAnnotation(Default.class);
                Object def = null;
                if (d != null) {
                    try {
                        def = parseDefault(d.value());
                        if (def != null) {
                            JSON.convertValue(def, jt);
                        }
                    } catch (RuntimeException e) {
                        throw new IllegalStateException(t.getName() + "." + rc.getName() + ": bad @Default(\"" + d.value() + "\"): " + e.getMessage(), e);
                    }
                }
                out.add(new Component(rc, name, jt, d != null, def));
            }
            return List.copyOf(out);
        });
    }

    /** A default is written as YAML flow text: numbers, true/false, null, [lists], or a bare string. */
    private static Object parseDefault(String text) {
        String t = text.strip();
        if (t.equals("null")) {
            return null;
        }
        try {
            return JSON.readValue(t, Object.class);
        } catch (java.io.IOException e) {
            return text; // a bare string, e.g. adam-l2
        }
    }

    private static Object nullOf(Component c) {
        if (c.component().getType().isPrimitive()) {
            throw new IllegalArgumentException("null for a primitive");
        }
        return null;
    }

    private static String describe(JavaType t) {
        Class<?> raw = t.getRawClass();
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return "an integer";
        }
        if (raw == double.class || raw == Double.class || raw == float.class) {
            return "a number";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "true or false";
        }
        if (raw == String.class) {
            return "a string";
        }
        if (raw.isEnum()) {
            return "one of " + Arrays.toString(raw.getEnumConstants());
        }
        if (t.isCollectionLikeType()) {
            return "a list of " + describe(t.getContentType()).replaceFirst("^an? ", "") + "s";
        }
        return "a " + raw.getSimpleName();
    }

    private static String show(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    /** The valid name within edit distance ⌈len/3⌉ (at least 2) of {@code name}, if one is nearest. */
    static java.util.Optional<String> nearest(String name, List<String> names) {
        int limit = Math.max(2, (name.length() + 2) / 3);
        return names.stream()
                .map(n -> Map.entry(n, Math.min(distance(name, n), distance(snake(name), n))))
                .filter(e -> e.getValue() <= limit)
                .min(Comparator.comparingInt((Map.Entry<String, Integer> e) -> e.getValue()).thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    /** Levenshtein distance, with an adjacent swap counted once (Damerau's "optimal string alignment"). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
