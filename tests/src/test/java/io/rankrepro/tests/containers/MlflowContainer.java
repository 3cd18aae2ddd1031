package io.rankrepro.tests.containers;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/** The rankrepro MLflow server image (docker/mlflow), reachable as {@code mlflow:5000} on its network. */
public final class MlflowContainer extends GenericContainer<MlflowContainer> {

    public static final String ALIAS = "mlflow";
    public static final int PORT = 5000;

    public MlflowContainer(Network network) {
        super(RankreproImages.mlflow());
        withNetwork(network);
        withNetworkAliases(ALIAS);
        withExposedPorts(PORT);
        // One worker is plenty for a test and starts faster on 2 cores.
        withEnv("MLFLOW_WORKERS", "1");
        waitingFor(Wait.forHttp("/health").forPort(PORT).forStatusCode(200)
                .withStartupTimeout(Duration.ofMinutes(3)));
    }

    /** Tracking URI as seen from the test JVM (through the mapped port). */
    public String hostTrackingUri() {
        return "http://" + getHost() + ":" + getMappedPort(PORT);
    }

    /** Tracking URI as seen from other containers on the same network. */
    public static String networkTrackingUri() {
        return "http://" + ALIAS + ":" + PORT;
    }
}
