package io.rankrepro.tests.containers;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Gate for container tests: without a reachable Docker engine they are skipped with a clear
 * message on a developer's machine, but they fail when {@code CI=true}, so that CI can never
 * pass by silently skipping them.
 */
public final class RequiresDocker implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return;
        }
        String why = "No Docker engine reachable (is dockerd running? DOCKER_HOST="
                + System.getenv("DOCKER_HOST") + ")";
        if (isCi()) {
            Assertions.fail(why + ". CI=true: container tests must run in CI, refusing to skip "
                    + context.getDisplayName() + ". .ci/run starts dockerd; see its log.");
        }
        Assumptions.abort(why + ": skipping " + context.getDisplayName()
                + " (these tests FAIL instead of skipping when CI=true).");
    }

    static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
