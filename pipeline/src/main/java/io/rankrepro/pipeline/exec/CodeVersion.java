package io.rankrepro.pipeline.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.stream.Stream;

/**
 * The version of the science code that a task key depends on: a hash of the compiled tasks
 * module (its jar, built reproducibly, or its class folder). Any change to the science changes
 * every key; a rebuild of unchanged code does not.
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
            Path location = Path.of(source.getLocation().toURI());
            if (Files.isRegularFile(location)) {
                return Hashing.sha256(location).substring(0, 16);
            }
            List<String> parts;
            try (Stream<Path> files = Files.walk(location)) {
                parts = files.filter(Files::isRegularFile).sorted().map(f -> {
                    try {
                        return location.relativize(f) + ":" + Hashing.sha256(f);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).toList();
            }
            return Hashing.sha256(String.join("\n", parts).getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
        } catch (IOException | URISyntaxException e) {
            return "unknown";
        }
    }
}
