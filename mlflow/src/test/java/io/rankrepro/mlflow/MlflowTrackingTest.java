package io.rankrepro.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MlflowTrackingTest {

    @Test
    void resolvesTheUriFromFlagThenEnvironmentThenDefault() {
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "http://tracking:5000/");
        assertEquals("http://cli:1", MlflowTracking.resolveUri("http://cli:1", env));
        assertEquals("http://tracking:5000", MlflowTracking.resolveUri(null, env));
        assertEquals("http://tracking:5000", MlflowTracking.resolveUri(" ", env));
        assertEquals(MlflowTracking.DEFAULT_URI, MlflowTracking.resolveUri(null, Map.of()));
    }

    @Test
    void anUnreachableServerGetsAMessageSayingHowToStartOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String uri = "http://127.0.0.1:" + port;
        TrackingException e = assertThrows(TrackingException.class,
                () -> MlflowTracking.connect(uri, MlflowCredentials.NONE));
        assertTrue(e.getMessage().startsWith("MLflow tracking server at " + uri + " is not reachable: "), e.getMessage());
        assertTrue(e.getMessage().contains("make mlflow-up") && e.getMessage().contains("MLFLOW_TRACKING_URI"));
    }

    @Test
    void fileStoresAreRefused() {
        TrackingException e = assertThrows(TrackingException.class,
                () -> MlflowTracking.connect("file:///tmp/mlruns", MlflowCredentials.NONE));
        assertTrue(e.getMessage().contains("http"));
    }

    @Test
    void credentialsComeFromTheEnvironmentAndAreNeverPrinted() {
        MlflowCredentials basic = MlflowCredentials.fromEnv(
                Map.of("MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "s3cret"));
        assertEquals(Optional.of("Basic YWxpY2U6czNjcmV0"), basic.authorizationHeader());
        assertFalse(basic.toString().contains("s3cret") || basic.toString().contains("alice"));
        MlflowCredentials token = MlflowCredentials.fromEnv(Map.of("MLFLOW_TRACKING_TOKEN", "tok"));
        assertEquals(Optional.of("Bearer tok"), token.authorizationHeader());
        assertFalse(token.toString().contains("tok]"));
        assertEquals(Optional.empty(), MlflowCredentials.fromEnv(Map.of()).authorizationHeader());
    }

    @Test
    void runsAreLocalUnlessAnOrchestratorSaysOtherwise() {
        assertEquals("LOCAL", MlflowTracking.sourceType(java.util.Map.of()));
        assertEquals("JOB", MlflowTracking.sourceType(java.util.Map.of(MlflowTracking.ENV_SOURCE_TYPE, " job ")));
    }
}
