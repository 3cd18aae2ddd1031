package io.rankrepro.pipeline.exec;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change detection without touching the project's sources: two tiny kinds are compiled into
 * temporary folders, once with version 1 and once with version 2 of a class only one of them
 * depends on, and each build is read through its own class loader.
 */
class KindCodeChangeTest {
    private static final String PKG = "io.rankrepro.kindcodetest";
    private static final String USES = PKG + ".UsesShared";
    private static final String OTHER = PKG + ".Other";

    /** Version 1. UsesShared reaches every class through another route of the constant pool. */
    private static final Map<String, String> V1 = sources(
            "Shared", "public final class Shared { public static double value() { return 1.0; } }",
            "Helper", "public final class Helper { public double get() { return Shared.value(); } }",
            "Common", "public final class Common { public static String name(String k) { return \"kind:\" + k; } }",
            "Maker", "public final class Maker { public static Object make() { return new Object(); } }",
            "Marker", "@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME) public @interface Marker { }",
            "Thing", "public final class Thing { }",
            "Grid", "public final class Grid { }",
            "Gen", "public final class Gen { }",
            "Unused", "public final class Unused { }",
            "UsesShared", """
                    import io.rankrepro.tasks.task.*;
                    import java.util.List;
                    import java.util.function.Supplier;
                    @Marker
                    public final class UsesShared implements Task {
                        record Config(int n) { }
                        List<Gen> generic;
                        public String kind() { return Common.name("uses-shared"); }
                        public Contract contract() { return Contract.of(Config.class).build(); }
                        public void run(TaskContext ctx) {
                            Supplier<Double> viaLambda = () -> new Helper().get();
                            Supplier<Object> viaMethodReference = Maker::make;
                            Thing[] things = new Thing[new Config(3).n()];
                            Grid[][] grid = new Grid[2][2];
                            System.out.println(viaLambda.get() + " " + viaMethodReference.get() + things.length + grid.length);
                        }
                    }""",
            "Other", """
                    import io.rankrepro.tasks.task.*;
                    public final class Other implements Task {
                        public String kind() { return Common.name("other"); }
                        public Contract contract() { return null; }
                        public void run(TaskContext ctx) { }
                    }""");

    /** Version 2: Shared computes its value elsewhere, in a new class. */
    private static final Map<String, String> V2_CHANGES = sources(
            "Shared", "public final class Shared { public static double value() { return Extra.two() / 2; } }",
            "Extra", "public final class Extra { static double two() { return 2.0; } }");

    @Test
    void onlyTheKindsThatReachAChangedClassChange(@TempDir Path tmp) throws Exception {
        Path v1 = compile(tmp.resolve("src1"), tmp.resolve("v1"), V1, List.of());
        Path v2 = tmp.resolve("v2");
        copyTree(v1, v2);
        compile(tmp.resolve("src2"), v2, V2_CHANGES, List.of(v2)); // recompile Shared only, against the rest

        try (URLClassLoader l1 = loader(v1); URLClassLoader l2 = loader(v2)) {
            KindCode uses1 = KindCode.of(l1, USES);
            KindCode uses2 = KindCode.of(l2, USES);
            KindCode other1 = KindCode.of(l1, OTHER);
            KindCode other2 = KindCode.of(l2, OTHER);

            assertNotEquals(uses1.hash(), uses2.hash(), "UsesShared reaches Shared through Helper");
            KindCode.Changes changes = uses2.changedClasses(uses1);
            assertEquals(Set.of(PKG + ".Shared"), changes.changed(), changes.toString());
            assertEquals(Set.of(PKG + ".Extra"), changes.added(), changes.toString());
            assertEquals(Set.of(), changes.removed());
            assertEquals("changed: " + PKG + ".Shared; added: " + PKG + ".Extra", changes.toString());
            KindCode.Changes back = uses1.changedClasses(uses2);
            assertEquals(Set.of(PKG + ".Extra"), back.removed(), "the other way round");

            assertEquals(other1, other2, "Other does not reach Shared: its code is the same");
            assertTrue(other2.changedClasses(other1).isEmpty());
            // Helper's bytes did not change, only what it calls did.
            assertEquals(uses1.classHash(PKG + ".Helper"), uses2.classHash(PKG + ".Helper"));
        }
    }

    @Test
    void everyRouteThroughTheConstantPoolIsFollowed(@TempDir Path tmp) throws Exception {
        Path v1 = compile(tmp.resolve("src"), tmp.resolve("v1"), V1, List.of());
        try (URLClassLoader l1 = loader(v1)) {
            Set<String> uses = KindCode.of(l1, USES).classes().keySet();
            for (String name : List.of("Shared", "Helper", "Common", "Maker", "Marker", "Thing", "Grid", "Gen", "UsesShared$Config")) {
                assertTrue(uses.contains(PKG + "." + name), name + " missing from " + uses);
            }
            assertFalse(uses.contains(PKG + ".Unused"), "a class nobody names");
            assertFalse(uses.contains(PKG + ".Other"));
            assertTrue(uses.contains(Task.class.getName()), "the contract, read through the parent loader");
            assertTrue(uses.contains(RunTracker.class.getName()), "through TaskContext");

            Set<String> other = KindCode.of(l1, OTHER).classes().keySet();
            assertTrue(other.contains(PKG + ".Common"));
            assertFalse(other.contains(PKG + ".Shared"), other.toString());
            assertFalse(other.contains(PKG + ".Helper"), other.toString());
        }
    }

    /** The CLI and the task image read classes from jars, the reactor from folders: they must agree. */
    @Test
    void aJarAndAFolderOfTheSameClassesHaveTheSameCode(@TempDir Path tmp) throws Exception {
        Path v1 = compile(tmp.resolve("src"), tmp.resolve("v1"), V1, List.of());
        Path jar = jar(v1, tmp.resolve("kinds.jar"));
        try (URLClassLoader folder = loader(v1); URLClassLoader packed = loader(jar)) {
            assertEquals(KindCode.of(folder, USES), KindCode.of(packed, USES));
            assertEquals(KindCode.of(folder, OTHER), KindCode.of(packed, OTHER));
        }
    }

    /** The same for the real tasks and mlflow classes, packed into one jar and read without the test's loader. */
    @Test
    void theRealKindsHaveTheSameCodeFromAJar(@TempDir Path tmp) throws Exception {
        Path tasks = location(Task.class);
        Path mlflow = location(RunTracker.class);
        if (!Files.isDirectory(tasks) || !Files.isDirectory(mlflow)) {
            return; // run against installed jars: already the jar case
        }
        Path jar = tmp.resolve("project.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            addTree(out, tasks);
            addTree(out, mlflow);
        }
        String root = io.rankrepro.tasks.factorized.FactorizedToyTrainTask.class.getName();
        try (URLClassLoader packed = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            KindCode fromJar = KindCode.of(packed, root);
            assertEquals(KindCode.of(io.rankrepro.tasks.factorized.FactorizedToyTrainTask.class), fromJar);
        }
    }

    private static Map<String, String> sources(String... nameAndBody) {
        Map<String, String> out = new TreeMap<>();
        for (int i = 0; i < nameAndBody.length; i += 2) {
            out.put(nameAndBody[i], "package " + PKG + ";\n" + nameAndBody[i + 1] + "\n");
        }
        return out;
    }

    /** Compiles the sources into {@code out} against the test class path (the task contract) and {@code extra}. */
    private static Path compile(Path srcDir, Path out, Map<String, String> sources, List<Path> extra) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "tests run on a JDK");
        Path pkg = srcDir.resolve(PKG.replace('.', '/'));
        Files.createDirectories(pkg);
        Files.createDirectories(out);
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", out.toString(), "-classpath", classPath(extra)));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = pkg.resolve(e.getKey() + ".java");
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, args.toArray(String[]::new));
        assertEquals(0, rc, err.toString());
        return out;
    }

    private static String classPath(List<Path> extra) throws Exception {
        List<String> entries = new ArrayList<>();
        for (Path p : extra) {
            entries.add(p.toString());
        }
        entries.add(location(Task.class).toString());
        entries.add(location(RunTracker.class).toString());
        return String.join(File.pathSeparator, entries);
    }

    private static Path location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** A fresh loader over the compiled kinds; the task contract comes from its parent, the test's loader. */
    private static URLClassLoader loader(Path classes) throws Exception {
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, KindCodeChangeTest.class.getClassLoader());
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static Path jar(Path folder, Path file) throws Exception {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            addTree(out, folder);
        }
        return file;
    }

    private static void addTree(JarOutputStream out, Path folder) throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        for (Path f : files) {
            String name = folder.relativize(f).toString().replace(File.separatorChar, '/');
            if (name.startsWith("META-INF/")) {
                continue; // classes are what counts, and two modules' metadata would collide
            }
            out.putNextEntry(new JarEntry(name));
            out.write(Files.readAllBytes(f));
            out.closeEntry();
        }
    }
}
