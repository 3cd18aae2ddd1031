package io.rankrepro.mlflow;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The limits the MLflow 3.x server enforces ({@code mlflow/utils/validation.py}), checked here so a
 * bad key fails at the call that made it, not later inside a batch with a server error.
 * Keys are code, so a bad key is an error; values are data, so a long one is truncated.
 */
public final class MlflowLimits {

    public static final int MAX_METRICS_PER_BATCH = 1000;
    public static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
    public static final int MAX_KEY_LENGTH = 250;
    public static final int MAX_PARAM_VALUE_LENGTH = 6000;
    public static final int MAX_TAG_VALUE_LENGTH = 8000;

    /** Appended to a truncated value so a reader sees it was cut. */
    public static final String TRUNCATION_MARK = "...[truncated]";

    // validation.py: r"^[/\w.\- :]*$" with Python's Unicode \w.
    private static final Pattern KEY_CHARS =
            Pattern.compile("[/\\w.\\- :]*", Pattern.UNICODE_CHARACTER_CLASS);

    private MlflowLimits() {
    }

    /**
     * Returns {@code key} if MLflow accepts it as a metric, param or tag key.
     *
     * @throws IllegalArgumentException naming the key and the rule it breaks
     */
    public static String checkKey(String kind, String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(kind + " key must not be empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(kind + " key longer than " + MAX_KEY_LENGTH + " characters: "
                    + key.substring(0, 40) + "...");
        }
        if (!KEY_CHARS.matcher(key).matches()) {
            throw new IllegalArgumentException(kind + " key '" + key + "' may only contain letters, digits,"
                    + " '_', '-', '.', ' ', ':' and '/'");
        }
        if (!isNormalPath(key)) {
            throw new IllegalArgumentException(kind + " key '" + key + "' must be a normalized path:"
                    + " no leading or trailing '/', no '//', no '.' or '..' parts");
        }
        return key;
    }

    /**
     * {@code text} made into a key MLflow accepts: every character outside its key alphabet becomes
     * '_' (task ids such as {@code train[alpha=0.01]} carry brackets and '='), cut to the key length.
     */
    public static String safeKey(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(c -> sb.appendCodePoint(
                KEY_CHARS.matcher(new String(Character.toChars(c))).matches() && c != '/' ? c : '_'));
        String key = sb.length() > MAX_KEY_LENGTH ? sb.substring(0, MAX_KEY_LENGTH) : sb.toString();
        return key.isEmpty() ? "_" : key;
    }

    /** {@code value} cut to at most {@code max} characters, ending in {@link #TRUNCATION_MARK} when cut. */
    public static String truncate(String value, int max) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        if (value.length() <= max) {
            return value;
        }
        int keep = max - TRUNCATION_MARK.length();
        // Never split a surrogate pair: the server counts code points, and half a pair is not text.
        if (keep > 0 && Character.isHighSurrogate(value.charAt(keep - 1))) {
            keep--;
        }
        return value.substring(0, keep) + TRUNCATION_MARK;
    }

    /** Consecutive slices of {@code items}, each at most {@code size} long; none when {@code items} is empty. */
    public static <T> List<List<T>> chunks(List<T> items, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("chunk size must be positive: " + size);
        }
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            out.add(List.copyOf(items.subList(from, Math.min(items.size(), from + size))));
        }
        return out;
    }

    // validation.py's path_not_unique: the key must equal posixpath.normpath(key), not be '.',
    // and not start with '..' or '/'.
    private static boolean isNormalPath(String key) {
        if (key.startsWith("/") || key.startsWith("..")) {
            return false;
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
