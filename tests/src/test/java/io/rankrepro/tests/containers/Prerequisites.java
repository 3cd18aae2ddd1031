package io.rankrepro.tests.containers;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a test needs from outside the JVM (a venv, a browser, a model file): when it is missing the
 * test is skipped loudly on a developer's machine, and fails where it is required (CI), so that CI
 * can never pass by skipping.
 */
public final class Prerequisites {
    private Prerequisites() { }

    /** Fails with {@code message} when {@code required}, else skips the test with it, printed so it is seen. */
    public static void skipOrFail(String message, boolean required) {
        if (required) {
            throw new IllegalStateException(message);
        }
        System.err.println("\n*** SKIPPED: " + message + " ***\n");
        Assumptions.assumeTrue(false, message);
    }

    /** Whether {@code $env} is "1": the switch `make test` and CI set to require a prerequisite. */
    public static boolean requiredBy(String env) {
        return "1".equals(System.getenv(env));
    }

    /**
     * {@code <venv>/bin/<binary>}, the venv being {@code $overrideEnv} or the repository's {@code folder};
     * skipped or failed ({@code $requireEnv}) when it is not there, naming the make target that makes it.
     */
    public static Path venvExecutable(String overrideEnv, String folder, String binary, String what, String make, String requireEnv) {
        String override = System.getenv(overrideEnv);
        Path venv = override != null && !override.isBlank() ? Path.of(override) : RankreproImages.repoRoot().resolve(folder);
        Path executable = venv.resolve("bin").resolve(binary);
        if (!Files.isExecutable(executable)) {
            skipOrFail(what + " need " + executable + ": run `" + make + "` first", requiredBy(requireEnv));
        }
        return executable;
    }
}
