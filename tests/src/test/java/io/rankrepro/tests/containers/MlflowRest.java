package io.rankrepro.tests.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of MLflow's REST API to check what the pipeline logged, independent of the
 * project's own client (a test should not trust the code it checks).
 * {@code /api/2.0/mlflow/...} for tracking, {@code /api/2.0/mlflow-artifacts/...} for the
 * server's proxied artifacts.
 */
public final class MlflowRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    public MlflowRest(String trackingUri) {
        this.base = trackingUri.replaceAll("/+$", "");
    }

    public String health() {
        return new String(send(HttpRequest.newBuilder(uri("/health")).GET()), StandardCharsets.UTF_8);
    }

    public JsonNode get(String path, Map<String, String> query) {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.length() == 0 ? '?' : '&').append(enc(k)).append('=').append(enc(v)));
        return parse(send(HttpRequest.newBuilder(uri("/api/2.0/mlflow/" + path + q)).GET()));
    }

    public JsonNode post(String path, Object body) {
        try {
            return parse(send(HttpRequest.newBuilder(uri("/api/2.0/mlflow/" + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String createExperiment(String name) {
        return post("experiments/create", Map.of("name", name)).path("experiment_id").asText();
    }

    public String experimentIdByName(String name) {
        return get("experiments/get-by-name", Map.of("experiment_name", name)).path("experiment").path("experiment_id").asText();
    }

    public JsonNode createRun(String experimentId, String runName) {
        return post("runs/create", Map.of("experiment_id", experimentId, "run_name", runName,
                "start_time", System.currentTimeMillis())).path("run");
    }

    public JsonNode getRun(String runId) {
        return get("runs/get", Map.of("run_id", runId)).path("run");
    }

    /** All runs of an experiment matching an MLflow search filter (paged). */
    public List<JsonNode> searchRuns(String experimentId, String filter) {
        List<JsonNode> runs = new ArrayList<>();
        String token = null;
        do {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("experiment_ids", List.of(experimentId));
            body.put("filter", filter);
            body.put("max_results", 1000);
            if (token != null) {
                body.put("page_token", token);
            }
            JsonNode page = post("runs/search", body);
            page.path("runs").forEach(runs::add);
            token = page.path("next_page_token").asText(null);
        } while (token != null && !token.isEmpty());
        return runs;
    }

    public List<JsonNode> metricHistory(String runId, String key) {
        List<JsonNode> points = new ArrayList<>();
        get("metrics/get-history", Map.of("run_id", runId, "metric_key", key)).path("metrics").forEach(points::add);
        return points;
    }

    /** Every artifact file of a run (recursively), as paths relative to the run's artifact root. */
    public List<String> listArtifactFiles(String runId) {
        List<String> files = new ArrayList<>();
        listInto(runId, "", files);
        return files;
    }

    private void listInto(String runId, String path, List<String> out) {
        Map<String, String> q = path.isEmpty() ? Map.of("run_id", runId) : Map.of("run_id", runId, "path", path);
        for (JsonNode f : get("artifacts/list", q).path("files")) {
            if (f.path("is_dir").asBoolean()) {
                listInto(runId, f.path("path").asText(), out);
            } else {
                out.add(f.path("path").asText());
            }
        }
    }

    /** Downloads an artifact through the tracking server ({@code /get-artifact}, works for any artifact store). */
    public byte[] downloadArtifact(String runId, String path) {
        return send(HttpRequest.newBuilder(uri("/get-artifact?run_id=" + enc(runId) + "&path=" + enc(path))).GET());
    }

    /** Uploads through the proxied artifact API, as the pipeline does: {@code mlflow-artifacts:/<rest>}. */
    public void uploadArtifact(String artifactUri, String relativePath, byte[] content) {
        String rest = artifactUri.replaceFirst("^mlflow-artifacts:/*", "");
        send(HttpRequest.newBuilder(uri("/api/2.0/mlflow-artifacts/artifacts/" + rest + "/" + relativePath))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A run's tags (or params) as a map. */
    public static Map<String, String> keyValues(JsonNode run, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        run.path("data").path(field).forEach(t -> out.put(t.path("key").asText(), t.path("value").asText()));
        return out;
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private byte[] send(HttpRequest.Builder request) {
        HttpRequest r = request.timeout(Duration.ofSeconds(60)).build();
        try {
            HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(r.method() + " " + r.uri() + " -> HTTP " + response.statusCode()
                        + ": " + new String(response.body(), StandardCharsets.UTF_8));
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(r.method() + " " + r.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
