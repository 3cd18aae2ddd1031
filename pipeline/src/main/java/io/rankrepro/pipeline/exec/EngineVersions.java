package io.rankrepro.pipeline.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versions of what runs a task's numbers besides its own code ({@link KindCode}): DJL, libtorch
 * and the JVM. Read from class-path resources only: neither DJL's {@code Engine} class (whose static
 * initializer discovers engines and may call home) nor the native library is loaded, so this is
 * cheap on a host that never trains.
 *
 * @param djl            DJL's version, e.g. {@code 0.35.1}
 * @param libtorch       the libtorch version DJL will load, e.g. {@code 2.7.1}
 * @param libtorchFlavor its build: {@code cpu}, {@code cu128}, ... (CPU and CUDA kernels differ in the last digits)
 * @param jvm            the Java feature release and VM vendor, e.g. {@code 17 Debian}
 */
public record EngineVersions(String djl, String libtorch, String libtorchFlavor, String jvm) {
    /** DJL's own version file, which {@code Engine.getDjlVersion()} falls back to (in the api jar). */
    static final String DJL_PROPERTIES = "ai/djl/engine/api.properties";
    /** Written into each pytorch-native-* jar: the bundled libtorch ({@code version=2.7.1-20250812}, {@code flavor=cpu}). */
    static final String NATIVE_PROPERTIES = "native/lib/pytorch.properties";
    /** In the pytorch-engine jar: the libtorch version DJL downloads when no native jar is bundled. */
    static final String ENGINE_PROPERTIES = "pytorch-engine.properties";
    /** DJL's own reading of a libtorch version: {@code 2.7.1-20250812} → {@code 2.7.1}; {@code 2.7.1-precxx11} stays. */
    private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+\\.\\d+(-[a-z]+)?)(-SNAPSHOT)?(-\\d+)?");
    static final String UNKNOWN = "unknown";

    private static volatile EngineVersions cached;

    public EngineVersions {
        Objects.requireNonNull(djl, "djl");
        Objects.requireNonNull(libtorch, "libtorch");
        Objects.requireNonNull(libtorchFlavor, "libtorchFlavor");
        Objects.requireNonNull(jvm, "jvm");
    }

    /** The versions in this JVM (read once). */
    public static EngineVersions current() {
        EngineVersions v = cached;
        if (v == null) {
            ClassLoader loader = EngineVersions.class.getClassLoader();
            v = read(loader, EngineVersions::envOrProperty, Runtime.version(), System.getProperty("java.vm.vendor"));
            cached = v;
        }
        return v;
    }

    /**
     * For hashing into task keys: sorted, snake_case keys, plain strings.
     * {@code {djl, jvm, libtorch, libtorch_flavor}}.
     */
    public SortedMap<String, String> asMap() {
        SortedMap<String, String> m = new TreeMap<>();
        m.put("djl", djl);
        m.put("libtorch", libtorch);
        m.put("libtorch_flavor", libtorchFlavor);
        m.put("jvm", jvm);
        return java.util.Collections.unmodifiableSortedMap(m);
    }

    /**
     * Resolves libtorch the way DJL's {@code LibUtils} chooses it: {@code PYTORCH_LIBRARY_PATH} (a libtorch
     * of the user's, whose version only its path tells), else {@code PYTORCH_VERSION} (downloaded), else
     * the bundled native jar, else the engine's default download.
     *
     * @param setting environment variable or system property by name (as DJL's {@code Utils.getEnvOrSystemProperty}), null if unset
     */
    static EngineVersions read(ClassLoader loader, UnaryOperator<String> setting, Runtime.Version runtime, String vmVendor) {
        String djl = properties(loader, DJL_PROPERTIES).getOrDefault("djl_version", UNKNOWN).toString();
        Properties bundled = properties(loader, NATIVE_PROPERTIES);
        Properties engine = properties(loader, ENGINE_PROPERTIES);

        String libtorch;
        String flavor = blankToNull(setting.apply("PYTORCH_FLAVOR"));
        String override = blankToNull(setting.apply("PYTORCH_LIBRARY_PATH"));
        String requested = blankToNull(setting.apply("PYTORCH_VERSION"));
        if (override != null) {
            libtorch = "path:" + override;
        } else if (requested != null) {
            libtorch = shortVersion(requested);
        } else if (bundled.getProperty("version") != null) {
            libtorch = shortVersion(bundled.getProperty("version"));
            if (flavor == null) {
                flavor = bundled.getProperty("flavor");
            }
        } else {
            libtorch = shortVersion(engine.getProperty("pytorch_version", UNKNOWN));
        }
        if (flavor == null) {
            flavor = "auto"; // downloaded: DJL picks cpu or a CUDA build from the machine
        }
        return new EngineVersions(djl, libtorch, flavor, jvm(runtime, vmVendor));
    }

    /**
     * The feature release and the vendor, not the update: an update (17.0.15 → 17.0.16) fixes bugs and
     * security holes and does not change floating-point results — since Java 17 all arithmetic is
     * strict (JEP 306) and the tasks use {@code StrictMath} where the JIT could differ — while the host
     * and the task image take their updates from apt at different times. Keying on the update would
     * make their keys disagree and void every cache at each security release. A feature release or
     * another vendor's build (other intrinsics, another JIT) does count.
     */
    static String jvm(Runtime.Version runtime, String vmVendor) {
        return runtime.feature() + " " + (vmVendor == null || vmVendor.isBlank() ? UNKNOWN : vmVendor.trim());
    }

    static String shortVersion(String version) {
        Matcher m = VERSION.matcher(version.trim());
        return m.matches() ? m.group(1) : version.trim();
    }

    private static Properties properties(ClassLoader loader, String resource) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return p;
    }

    private static String envOrProperty(String name) {
        String v = System.getenv(name);
        return v != null ? v : System.getProperty(name);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        return "DJL " + djl + ", libtorch " + libtorch + " (" + libtorchFlavor + "), Java " + jvm;
    }
}
