package io.rankrepro.pipeline.airflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A typed client for Airflow 3's REST API ({@code /api/v2}) over {@code java.net.http}. It gets a
 * JWT from {@code POST /auth/token} (served by the simple auth manager and by FAB alike), sends it
 * as a bearer token and fetches a new one once when Airflow answers 401 (tokens expire).
 * Every failure is an {@link AirflowException} with the HTTP status and Airflow's {@code detail}.
 */
public final class AirflowClient {
    public static final String DEFAULT_URL = "http://localhost:8080";
    public static final String ENV_URL = "AIRFLOW_URL";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final AirflowCredentials credentials;
    private final HttpClient http;
    private final Duration timeout;
    private volatile String token;

    /** States a run or task instance ends in; everything else is still on its way. */
    public static final List<String> RUN_FINAL_STATES = List.of("success", "failed");

    public record Health(String metadatabase, String scheduler, String dagProcessor, String triggerer) {
        /** Whether the parts a DAG run needs (database, scheduler, dag-processor) are healthy. */
        public boolean ready() {
            return "healthy".equals(metadatabase) && "healthy".equals(scheduler) && "healthy".equals(dagProcessor);
        }
    }

    public record Dag(String dagId, String displayName, boolean paused, List<String> tags) { }

    public record DagRun(String dagId, String runId, String state, String startDate, String endDate,
                         Map<String, Object> conf) {
        public boolean finished() {
            return RUN_FINAL_STATES.contains(state);
        }
    }

    /**
     * @param state    null until the scheduler has looked at it
     * @param hostname the host (worker) the try ran on; null before it started
     */
    public record TaskInstance(String taskId, String displayName, String state, int tryNumber, String startDate,
                               String endDate, Double duration, String hostname) { }

    public record ImportError(String filename, String stackTrace) { }

    public AirflowClient(String baseUrl, AirflowCredentials credentials) {
        this(baseUrl, credentials, Duration.ofSeconds(30));
    }

    public AirflowClient(String baseUrl, AirflowCredentials credentials, Duration timeout) {
        this.base = baseUrl.replaceAll("/+$", "");
        this.credentials = credentials;
        this.timeout = timeout;
        // HTTP/1.1: uvicorn drops the body of a request that offers an h2c upgrade (the default of HttpClient).
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** {@code cliValue}, else {@code $AIRFLOW_URL}, else {@value #DEFAULT_URL}. */
    public static String resolveUrl(String cliValue, Map<String, String> env) {
        if (cliValue != null && !cliValue.isBlank()) {
            return cliValue.strip();
        }
        String e = env.get(ENV_URL);
        return e != null && !e.isBlank() ? e.strip() : DEFAULT_URL;
    }

    public String baseUrl() {
        return base;
    }

    // ---- health and DAGs ------------------------------------------------------------------------

    /** {@code GET /api/v2/monitor/health}: needs no token. */
    public Health health() {
        JsonNode h = send("GET", "/api/v2/monitor/health", null, false);
        return new Health(text(h.path("metadatabase"), "status"), text(h.path("scheduler"), "status"),
                text(h.path("dag_processor"), "status"), text(h.path("triggerer"), "status"));
    }

    public String version() {
        return send("GET", "/api/v2/version", null, true).path("version").asText();
    }

    public Dag dag(String dagId) {
        JsonNode d = send("GET", "/api/v2/dags/" + seg(dagId), null, true);
        List<String> tags = new ArrayList<>();
        d.path("tags").forEach(t -> tags.add(t.isTextual() ? t.asText() : t.path("name").asText()));
        return new Dag(d.path("dag_id").asText(), d.path("dag_display_name").asText(d.path("dag_id").asText()),
                d.path("is_paused").asBoolean(), tags);
    }

    /** DAG ids whose id contains {@code pattern} (Airflow's {@code dag_id_pattern}, a SQL LIKE). */
    public List<String> dagIds(String pattern) {
        List<String> ids = new ArrayList<>();
        int offset = 0;
        while (true) {
            JsonNode page = send("GET", "/api/v2/dags?limit=100&offset=" + offset
                    + (pattern == null ? "" : "&dag_id_pattern=" + query(pattern)), null, true);
            page.path("dags").forEach(d -> ids.add(d.path("dag_id").asText()));
            offset += page.path("dags").size();
            if (page.path("dags").isEmpty() || offset >= page.path("total_entries").asInt()) {
                return ids;
            }
        }
    }

    public void setPaused(String dagId, boolean paused) {
        ObjectNode body = JSON.createObjectNode().put("is_paused", paused);
        send("PATCH", "/api/v2/dags/" + seg(dagId), body, true);
    }

    /** DAG files that failed to import (syntax errors, missing plans folder, ...). */
    public List<ImportError> importErrors() {
        List<ImportError> out = new ArrayList<>();
        send("GET", "/api/v2/importErrors?limit=100", null, true).path("import_errors").forEach(e ->
                out.add(new ImportError(e.path("filename").asText(), e.path("stack_trace").asText())));
        return out;
    }

    // ---- runs -------------------------------------------------------------------------------------

    /**
     * Triggers a run with {@code conf}. The logical date is sent as null: a manual run of a DAG
     * without a schedule has none in Airflow 3, and two runs may then be triggered at once.
     *
     * @param runId a run id of our choosing, or null for Airflow's {@code manual__<time>}
     */
    public DagRun trigger(String dagId, Map<String, Object> conf, String runId, String note) {
        ObjectNode body = JSON.createObjectNode();
        body.putNull("logical_date");
        if (runId != null) {
            body.put("dag_run_id", runId);
        }
        body.set("conf", JSON.valueToTree(conf == null ? Map.of() : conf));
        if (note != null) {
            body.put("note", note);
        }
        return dagRun(send("POST", "/api/v2/dags/" + seg(dagId) + "/dagRuns", body, true));
    }

    public DagRun dagRun(String dagId, String runId) {
        return dagRun(send("GET", "/api/v2/dags/" + seg(dagId) + "/dagRuns/" + seg(runId), null, true));
    }

    /** The most recently started run of the DAG, if any. */
    public java.util.Optional<DagRun> latestRun(String dagId) {
        JsonNode page = send("GET", "/api/v2/dags/" + seg(dagId) + "/dagRuns?limit=1&order_by=-run_after", null, true);
        JsonNode runs = page.path("dag_runs");
        return runs.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(dagRun(runs.get(0)));
    }

    public List<TaskInstance> taskInstances(String dagId, String runId) {
        return taskInstances(send("GET", "/api/v2/dags/" + seg(dagId) + "/dagRuns/" + seg(runId) + "/taskInstances?limit=1000",
                null, true));
    }

    /** Every try of one task instance so far, oldest first (each with the host it ran on). */
    public List<TaskInstance> taskTries(String dagId, String runId, String taskId) {
        return taskInstances(send("GET", "/api/v2/dags/" + seg(dagId) + "/dagRuns/" + seg(runId) + "/taskInstances/"
                + seg(taskId) + "/tries?limit=100", null, true));
    }

    private static List<TaskInstance> taskInstances(JsonNode page) {
        List<TaskInstance> out = new ArrayList<>();
        for (JsonNode t : page.path("task_instances")) {
            out.add(new TaskInstance(t.path("task_id").asText(), t.path("task_display_name").asText(t.path("task_id").asText()),
                    t.path("state").isNull() ? null : t.path("state").asText(null), t.path("try_number").asInt(),
                    t.path("start_date").asText(null), t.path("end_date").asText(null),
                    t.path("duration").isNumber() ? t.path("duration").asDouble() : null,
                    t.path("hostname").isTextual() && !t.path("hostname").asText().isEmpty() ? t.path("hostname").asText() : null));
        }
        return out;
    }

    /**
     * Polls until the run succeeds or fails (or {@code timeout} passes: {@link AirflowException}
     * with status 0), calling {@code progress} with the task states after every poll.
     */
    public DagRun waitFor(String dagId, String runId, Duration timeout, Duration poll, Consumer<List<TaskInstance>> progress) {
        Instant deadline = Instant.now().plus(timeout);
        int hiccups = 0;
        while (true) {
            DagRun run;
            try {
                run = dagRun(dagId, runId);
                if (progress != null) {
                    progress.accept(taskInstances(dagId, runId));
                }
                hiccups = 0;
            } catch (AirflowException e) {
                // A busy api-server may time out or answer 5xx for a moment; the run goes on regardless.
                if (!isTransient(e) || ++hiccups > MAX_HICCUPS || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                run = null;
            }
            if (run != null && run.finished()) {
                return run;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AirflowException(0, "run " + runId + " of " + dagId + " still " + (run == null ? "unknown" : run.state())
                        + " after " + timeout);
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AirflowException("interrupted while waiting for " + runId, e);
            }
        }
    }

    /**
     * The log of one try of a task, as text: one line per structured log message (the event, then
     * its other fields except the timestamp and level, which lead the line).
     */
    public String taskLog(String dagId, String runId, String taskId, int tryNumber) {
        JsonNode log = send("GET", "/api/v2/dags/" + seg(dagId) + "/dagRuns/" + seg(runId) + "/taskInstances/"
                + seg(taskId) + "/logs/" + tryNumber + "?full_content=true", null, true);
        StringBuilder out = new StringBuilder();
        for (JsonNode line : log.path("content")) {
            if (line.isTextual()) {
                out.append(line.asText()).append('\n');
                continue;
            }
            StringBuilder l = new StringBuilder();
            if (line.hasNonNull("timestamp")) {
                l.append(line.get("timestamp").asText()).append(' ');
            }
            if (line.hasNonNull("level")) {
                l.append(line.get("level").asText().toUpperCase()).append(' ');
            }
            l.append(line.path("event").asText(""));
            line.fields().forEachRemaining(f -> {
                if (!List.of("timestamp", "level", "event").contains(f.getKey())) {
                    l.append(' ').append(f.getKey()).append('=').append(f.getValue().isTextual() ? f.getValue().asText() : f.getValue());
                }
            });
            out.append(l).append('\n');
        }
        return out.toString();
    }

    /**
     * Clears the failed (and upstream-failed) task instances of one run and everything downstream
     * of them, and puts the run back to queued, so the scheduler runs them again.
     *
     * @return the task ids Airflow cleared
     */
    public List<String> clearFailed(String dagId, String runId) {
        ObjectNode body = JSON.createObjectNode()
                .put("dry_run", false)
                .put("dag_run_id", runId)
                .put("only_failed", true)
                .put("include_downstream", true)
                .put("reset_dag_runs", true);
        JsonNode r = send("POST", "/api/v2/dags/" + seg(dagId) + "/clearTaskInstances", body, true);
        List<String> cleared = new ArrayList<>();
        r.path("task_instances").forEach(t -> cleared.add(t.path("task_id").asText()));
        return cleared;
    }

    private static final int MAX_HICCUPS = 5;

    private static boolean isTransient(AirflowException e) {
        return (e.status() == 0 && e.getCause() instanceof IOException) || e.status() == 502 || e.status() == 503 || e.status() == 504;
    }

    // ---- variables --------------------------------------------------------------------------------

    /** Creates or replaces an Airflow Variable (the DAG reads a few: see rankrepro_dag.py). */
    public void setVariable(String key, String value) {
        ObjectNode body = JSON.createObjectNode().put("key", key).put("value", value);
        try {
            send("PATCH", "/api/v2/variables/" + seg(key), body, true);
        } catch (AirflowException e) {
            if (e.status() != 404) {
                throw e;
            }
            send("POST", "/api/v2/variables", body, true);
        }
    }

    public void deleteVariable(String key) {
        try {
            send("DELETE", "/api/v2/variables/" + seg(key), null, true);
        } catch (AirflowException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------------

    private static DagRun dagRun(JsonNode r) {
        Map<String, Object> conf = new LinkedHashMap<>();
        if (r.path("conf").isObject()) {
            conf = JSON.convertValue(r.path("conf"), JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
        }
        return new DagRun(r.path("dag_id").asText(), r.path("dag_run_id").asText(), r.path("state").asText(null),
                r.path("start_date").asText(null), r.path("end_date").asText(null), conf);
    }

    private String token() {
        String t = token;
        if (t != null) {
            return t;
        }
        ObjectNode body = JSON.createObjectNode().put("username", credentials.username()).put("password", credentials.password());
        JsonNode r = exchange("POST", "/auth/token", body, null);
        t = r.path("access_token").asText(null);
        if (t == null || t.isEmpty()) {
            throw new AirflowException(0, "POST /auth/token at " + base + " returned no access_token");
        }
        token = t;
        return t;
    }

    private JsonNode send(String method, String path, JsonNode body, boolean auth) {
        if (!auth) {
            return exchange(method, path, body, null);
        }
        try {
            return exchange(method, path, body, token());
        } catch (AirflowException e) {
            if (e.status() != 401) {
                throw e;
            }
            token = null; // expired or signed by a restarted api-server: log in again, once
            return exchange(method, path, body, token());
        }
    }

    private JsonNode exchange(String method, String path, JsonNode body, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", "application/json");
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        String what = method + " " + path.replaceFirst("\\?.*", "");
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AirflowException("Airflow at " + base + " is not reachable (" + what + "): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "; is the stack up (`make up`) and " + ENV_URL + " right?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AirflowException(what + " interrupted", e);
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw new AirflowException(status, what + " -> HTTP " + status + ": " + detail(response.body()));
        }
        if (response.body() == null || response.body().isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AirflowException(status, what + " returned non-JSON: " + abbreviate(response.body()));
        }
    }

    /** Airflow's error text: {@code detail} (a string, an object, or FastAPI's list of validation errors). */
    static String detail(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode d = n.path("detail");
            if (d.isTextual()) {
                return d.asText();
            }
            if (d.isArray()) {
                List<String> parts = new ArrayList<>();
                d.forEach(e -> parts.add(e.path("loc") + ": " + e.path("msg").asText(e.toString())));
                return String.join("; ", parts);
            }
            return d.isMissingNode() ? abbreviate(body) : d.toString();
        } catch (IOException | RuntimeException e) {
            return abbreviate(body);
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        return t.length() > 500 ? t.substring(0, 500) + "…" : t;
    }

    private static String text(JsonNode n, String field) {
        return n.path(field).asText(null);
    }

    /** A path segment: run ids hold ':' and '+' (manual__2026-01-01T00:00:00+00:00). */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
