package io.rankrepro.pipeline.exec;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The version of the science code that a task key depends on: a hash of the compiled classes and
 * service registrations of the tasks module. It is the same whether they are read from a jar (the
 * CLI, the task image) or from a class folder (the reactor build, an IDE), so the host and a
 * container agree on keys; any change to the science changes every key.
 */
public final class CodeVersion {
    private static volatile String cached;

    private CodeVersion() { }

    public static String current() {
        String v = cached;
        if (v == null) {
            v = compute(io.rankrepro.tasks.task.Task.class);
            cached = v;
        }
        return v;
    }

    static String compute(Class<?> anchor) {
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        if (source == null) {
            return "unknown";
        }
        try {
            return compute(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException e) {
            return "unknown";
        }
    }

    /** The version of the code in a jar or class folder. */
    static String compute(Path location) {
        try {
            Map<String, byte[]> entries = Files.isRegularFile(location) ? fromJar(location) : fromFolder(location);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(e.getValue());
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unknown";
        }
    }

    /** Classes and service files only: manifests and Maven metadata differ between jar and folder. */
    private static boolean counts(String name) {
        return name.endsWith(".class") || name.startsWith("META-INF/services/");
    }

    private static Map<String, byte[]> fromJar(Path jar) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (!e.isDirectory() && counts(e.getName())) {
                    try (InputStream in = zip.getInputStream(e)) {
                        out.put(e.getName(), in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, byte[]> fromFolder(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            String name = dir.relativize(f).toString().replace('\\', '/');
            if (counts(name)) {
                out.put(name, Files.readAllBytes(f));
            }
        }
        return out;
    }
}
