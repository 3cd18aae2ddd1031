package io.rankrepro.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankrepro.tests.airflow.PodSpecs;
import io.rankrepro.tests.containers.RankreproImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Airflow stack has no password anyone could guess: none is written into the compose files, the
 * DAG file, the make targets or the README, nor into the pods the kubernetes variant renders; the one
 * `make up` generates lives in a file only its owner can read, which git ignores.
 */
class NoDefaultPasswordTest {
    /** A password given a fixed value: user:password pairs, shell defaults, assignments, the passwords JSON. */
    private static final Pattern DEFAULT_PASSWORD = Pattern.compile(
            "admin:admin|AIRFLOW_ADMIN_PASSWORD:-|PASSWORD=admin\\b|\"admin\": \"admin\"");
    private static final Path ROOT = RankreproImages.repoRoot();

    @TempDir Path dir;

    @Test
    void noFileOfTheStackGivesAPasswordAFixedValue() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> docker = Files.walk(ROOT.resolve("docker"))) {
            docker.filter(f -> f.getFileName().toString().matches("(?i).*compose.*\\.ya?ml")).forEach(files::add);
        }
        assertTrue(files.contains(ROOT.resolve("docker/compose.yaml")) && files.contains(ROOT.resolve("docker/cluster/compose.yaml")),
                "the single-host and the distributed stack's compose files must both be checked: " + files);
        files.addAll(List.of(ROOT.resolve("pipeline/airflow/dags/rankrepro_dag.py"), ROOT.resolve("docker/docker.mk"),
                ROOT.resolve("docker/cluster.mk"), ROOT.resolve("docker/cluster/cluster-env.sh"), ROOT.resolve("README.md")));
        for (Path f : files) {
            assertNoDefault(f.toString(), Files.readString(f, StandardCharsets.UTF_8));
        }
    }

    @Test
    void noRenderedPodCarriesADefaultPassword() throws Exception {
        Path plans = Files.createDirectories(dir.resolve("plans"));
        PodSpecs.export(plans, "pipeline/experiments/kobayashi2024/fig1.yaml", "smoke");
        PodSpecs.Result r = PodSpecs.render(plans, dir, PodSpecs.deployment(Map.of()));
        assertEquals(0, r.exitCode(), r.stderr());
        assertNoDefault("the rendered pods", r.report().toString());
    }

    @Test
    void theGeneratedSettingsAreRandomKeptOwnerOnlyAndIgnoredByGit() throws Exception {
        Path first = dir.resolve("a/airflow.env");
        settings(first);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
        String text = Files.readString(first);
        assertTrue(text.matches("(?s)AIRFLOW__API_AUTH__JWT_SECRET=[0-9a-f]{64}\nAIRFLOW_ADMIN_PASSWORD=[0-9a-f]{32}\n"), text);
        settings(first);
        assertEquals(text, Files.readString(first), "generated once: a second make up keeps the password the user was told");
        Path second = dir.resolve("b/airflow.env");
        settings(second);
        assertNotEquals(password(text), password(Files.readString(second)), "each stack its own password");

        // A file from before the password was generated: it gains one, and loses its looser mode.
        Path older = dir.resolve("c/airflow.env");
        Files.createDirectories(older.getParent());
        Files.writeString(older, "AIRFLOW__API_AUTH__JWT_SECRET=" + "ab".repeat(32) + "\n");
        Files.setPosixFilePermissions(older, PosixFilePermissions.fromString("rw-r--r--"));
        settings(older);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(older)));
        assertTrue(Files.readString(older).startsWith("AIRFLOW__API_AUTH__JWT_SECRET=" + "ab".repeat(32) + "\nAIRFLOW_ADMIN_PASSWORD="));

        Process git = new ProcessBuilder("git", "check-ignore", "-q", "docker/.build/airflow.env").directory(ROOT.toFile())
                .redirectErrorStream(true).start();
        git.getInputStream().readAllBytes();
        assertTrue(git.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, git.exitValue(), "git must ignore docker/.build/airflow.env");
    }

    private static void settings(Path file) throws Exception {
        Process p = new ProcessBuilder(ROOT.resolve("docker/airflow-settings.sh").toString(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    private static String password(String settings) {
        Matcher m = Pattern.compile("AIRFLOW_ADMIN_PASSWORD=(\\S+)").matcher(settings);
        assertTrue(m.find(), settings);
        return m.group(1);
    }

    private static void assertNoDefault(String where, String text) {
        Matcher m = DEFAULT_PASSWORD.matcher(text);
        assertFalse(m.find(), () -> where + " gives a password a fixed value: " + m.group());
    }
}
