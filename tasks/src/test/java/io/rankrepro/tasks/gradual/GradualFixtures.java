package io.rankrepro.tasks.gradual;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-written train and rank/analyze outputs for the figure tests, and checks against a kind's contract. */
final class GradualFixtures {
    private GradualFixtures() { }

    /** A transformer/train output holding only {@code model.json}. */
    static Path train(Path dir, String dataset, double initScale, int width, int heads, int layers) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("model.json"), "{\"model\":\"vit\",\"dataset\":\"" + dataset + "\",\"data\":\"proxy " + dataset + "\","
                + "\"width\":" + width + ",\"heads\":" + heads + ",\"layers\":" + layers + ",\"init_scale\":" + initScale + "}");
        return dir;
    }

    /**
     * The files under {@code dir} are exactly ones {@code task} declares it reads from {@code stage}: what the
     * runner will hand it (a folder with only the declared files), so a test passing on it reads nothing else.
     */
    static void assertOnlyDeclared(Task task, String stage, Path dir) throws IOException {
        Contract.Input input = task.contract().input(stage).orElseThrow(() -> new AssertionError(task.kind() + " declares no input " + stage));
        for (Path f : files(dir)) {
            String name = dir.relativize(f).toString().replace('\\', '/');
            assertTrue(input.files().stream().anyMatch(d -> d.equals(name) || d.endsWith("/") && name.startsWith(d)),
                    task.kind() + " does not declare " + stage + "/" + name);
        }
    }

    /** Every file the run wrote under {@code out} is among the contract's outputs, and it wrote some. */
    static void assertWritesDeclared(Task task, Path out) throws IOException {
        List<Path> written = files(out);
        assertFalse(written.isEmpty());
        for (Path f : written) {
            String name = out.relativize(f).toString().replace('\\', '/');
            assertTrue(task.contract().writes(name), task.kind() + " writes undeclared " + name);
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
