package io.rankrepro.mlflow;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;

/**
 * The credentials MLflow's own clients read from the environment: {@code MLFLOW_TRACKING_USERNAME}
 * and {@code MLFLOW_TRACKING_PASSWORD} (basic auth) or {@code MLFLOW_TRACKING_TOKEN} (bearer).
 * Never printed: {@link #toString()} says only which kind is present.
 */
record MlflowCredentials(String username, String password, String token) {

    static final MlflowCredentials NONE = new MlflowCredentials(null, null, null);

    static MlflowCredentials fromEnv(Map<String, String> env) {
        return new MlflowCredentials(blankToNull(env.get("MLFLOW_TRACKING_USERNAME")),
                blankToNull(env.get("MLFLOW_TRACKING_PASSWORD")), blankToNull(env.get("MLFLOW_TRACKING_TOKEN")));
    }

    /** The value of an {@code Authorization} header, if any credentials are set. */
    Optional<String> authorizationHeader() {
        if (username != null) {
            String pair = username + ":" + (password == null ? "" : password);
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return token == null ? Optional.empty() : Optional.of("Bearer " + token);
    }

    /** The same credentials in the Java client's terms. */
    MlflowHostCredsProvider hostCreds(String uri) {
        if (username != null) {
            return new BasicMlflowHostCreds(uri, username, password == null ? "" : password);
        }
        return token == null ? new BasicMlflowHostCreds(uri) : new BasicMlflowHostCreds(uri, token);
    }

    @Override
    public String toString() {
        return username != null ? "MlflowCredentials[basic auth]"
                : token != null ? "MlflowCredentials[token]" : "MlflowCredentials[none]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
