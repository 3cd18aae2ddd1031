package io.rankrepro.pipeline.exec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineVersionsTest {
    private static final UnaryOperator<String> NO_SETTINGS = name -> null;

    /** The versions on the class path are the ones the root pom pins (so this test follows the pom). */
    @Test
    void theClassPathHasThePinnedVersions() throws Exception {
        String pom = Files.readString(rootPom());
        EngineVersions v = EngineVersions.read(EngineVersions.class.getClassLoader(), NO_SETTINGS,
                Runtime.version(), System.getProperty("java.vm.vendor"));
        assertEquals(property(pom, "djl.version"), v.djl());
        assertEquals(property(pom, "pytorch.version"), v.libtorch());
        assertEquals("0.35.1", v.djl(), "pinned in the root pom.xml");
        assertEquals("2.7.1", v.libtorch(), "pinned in the root pom.xml");
        assertEquals("cpu", v.libtorchFlavor(), "the pom bundles pytorch-native-cpu");
        assertEquals(Runtime.version().feature() + " " + System.getProperty("java.vm.vendor"), v.jvm());
        assertEquals(Map.of("djl", v.djl(), "libtorch", v.libtorch(), "libtorch_flavor", "cpu", "jvm", v.jvm()), v.asMap());
        assertEquals(List.of("djl", "jvm", "libtorch", "libtorch_flavor"), List.copyOf(v.asMap().keySet()), "sorted");
        assertEquals(EngineVersions.current(), EngineVersions.current());
    }

    /** Host and task image take JVM updates at different times: only the feature release and vendor count. */
    @Test
    void theJvmIsItsFeatureReleaseAndVendor() {
        String host = EngineVersions.jvm(Runtime.Version.parse("17.0.15+6"), "Debian");
        assertEquals("17 Debian", host);
        assertEquals(host, EngineVersions.jvm(Runtime.Version.parse("17.0.16+8"), "Debian"));
        assertNotEquals(host, EngineVersions.jvm(Runtime.Version.parse("21.0.5+11"), "Debian"));
        assertNotEquals(host, EngineVersions.jvm(Runtime.Version.parse("17.0.15+6"), "Eclipse Adoptium"));
        assertEquals("17 unknown", EngineVersions.jvm(Runtime.Version.parse("17"), null));
    }

    /** DJL's own order: PYTORCH_LIBRARY_PATH, then PYTORCH_VERSION, then the bundled native jar, then the engine default. */
    @Test
    void libtorchIsResolvedAsDjlResolvesIt(@TempDir Path tmp) throws Exception {
        Path bundled = resources(tmp.resolve("bundled"), Map.of(
                EngineVersions.DJL_PROPERTIES, "djl_version=0.99.0\n",
                EngineVersions.NATIVE_PROPERTIES, "version=2.9.0-20260101\nflavor=cu128\nclassifier=linux-x86_64\n",
                EngineVersions.ENGINE_PROPERTIES, "djl_version=0.99.0\npytorch_version=2.8.0\n"));
        Path downloaded = resources(tmp.resolve("downloaded"), Map.of(
                EngineVersions.DJL_PROPERTIES, "djl_version=0.99.0\n",
                EngineVersions.ENGINE_PROPERTIES, "djl_version=0.99.0\npytorch_version=2.8.0\n"));
        Runtime.Version java = Runtime.Version.parse("17.0.15");
        try (URLClassLoader withNative = isolated(bundled); URLClassLoader engineOnly = isolated(downloaded);
             URLClassLoader empty = isolated(Files.createDirectories(tmp.resolve("empty")))) {
            assertEquals(new EngineVersions("0.99.0", "2.9.0", "cu128", "17 X"),
                    EngineVersions.read(withNative, NO_SETTINGS, java, "X"), "the bundled build, its date dropped");
            assertEquals(new EngineVersions("0.99.0", "2.8.0", "auto", "17 X"),
                    EngineVersions.read(engineOnly, NO_SETTINGS, java, "X"), "no native jar: what DJL downloads");
            assertEquals(new EngineVersions("0.99.0", "2.6.0", "cpu", "17 X"),
                    EngineVersions.read(withNative, Map.of("PYTORCH_VERSION", "2.6.0", "PYTORCH_FLAVOR", "cpu")::get, java, "X"));
            assertEquals("path:/opt/libtorch",
                    EngineVersions.read(withNative, Map.of("PYTORCH_LIBRARY_PATH", "/opt/libtorch")::get, java, "X").libtorch());
            assertEquals(new EngineVersions("unknown", "unknown", "auto", "17 X"),
                    EngineVersions.read(empty, NO_SETTINGS, java, "X"));
        }
        assertEquals("2.7.1", EngineVersions.shortVersion("2.7.1-SNAPSHOT-20250812"));
        assertEquals("2.7.1-precxx", EngineVersions.shortVersion("2.7.1-precxx-20250812"));
        assertEquals("not-a-version", EngineVersions.shortVersion("not-a-version"), "kept as it is");
        assertEquals("2.7.1", EngineVersions.shortVersion("2.7.1"));
    }

    private static Path rootPom() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.isDirectory(dir.resolve("pipeline")) && Files.isDirectory(dir.resolve("tasks"))) {
                return pom;
            }
        }
        throw new IllegalStateException("no root pom.xml above " + Path.of("").toAbsolutePath());
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">\\s*([^<\\s]+)\\s*</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), name + " in the root pom");
        return m.group(1);
    }

    private static Path resources(Path dir, Map<String, String> files) throws Exception {
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
        }
        return dir;
    }

    /** Sees only {@code dir}: not the DJL jars on the test class path. */
    private static URLClassLoader isolated(Path dir) throws Exception {
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }
}
