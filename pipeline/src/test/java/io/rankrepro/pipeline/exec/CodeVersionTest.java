package io.rankrepro.pipeline.exec;

import io.rankrepro.tasks.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class CodeVersionTest {
    private static final Map<String, byte[]> CODE = new TreeMap<>(Map.of(
            "io/rankrepro/tasks/A.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2},
            "io/rankrepro/tasks/b/B.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 3},
            "META-INF/services/io.rankrepro.tasks.task.TaskProvider", "x.Provider\n".getBytes()));

    /** The host (class folder or CLI jar) and the task image (jar) must agree, or keys never match. */
    @Test
    void jarAndFolderOfTheSameClassesHaveOneVersion(@TempDir Path tmp) throws Exception {
        Path folder = folder(tmp.resolve("classes"), CODE);
        Path jar = jar(tmp.resolve("tasks.jar"), CODE, true);
        assertEquals(CodeVersion.compute(folder), CodeVersion.compute(jar), "manifest and Maven metadata do not count");
        assertEquals(CodeVersion.compute(jar), CodeVersion.compute(jar(tmp.resolve("plain.jar"), CODE, false)));

        Map<String, byte[]> changed = new TreeMap<>(CODE);
        changed.put("io/rankrepro/tasks/A.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 3});
        assertNotEquals(CodeVersion.compute(folder), CodeVersion.compute(folder(tmp.resolve("changed"), changed)));
        Map<String, byte[]> registered = new TreeMap<>(CODE);
        registered.put("META-INF/services/io.rankrepro.tasks.task.TaskProvider", "x.Provider\ny.Other\n".getBytes());
        assertNotEquals(CodeVersion.compute(folder), CodeVersion.compute(folder(tmp.resolve("services"), registered)));
    }

    @Test
    void theRunningCodeHasAVersion() {
        assertNotEquals("unknown", CodeVersion.compute(Task.class));
        assertEquals(16, CodeVersion.current().length());
    }

    private static Path folder(Path dir, Map<String, byte[]> entries) throws Exception {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        Files.writeString(dir.resolve("log.txt"), "not code");
        return dir;
    }

    private static Path jar(Path file, Map<String, byte[]> entries, boolean withMetadata) throws Exception {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            if (withMetadata) {
                out.putNextEntry(new JarEntry("META-INF/maven/io.rankrepro/rankrepro-tasks/pom.properties"));
                out.write(("built=" + System.nanoTime()).getBytes());
            }
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
            }
        }
        return file;
    }
}
