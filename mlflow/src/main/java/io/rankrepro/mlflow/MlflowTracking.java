package io.rankrepro.mlflow;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to an MLflow tracking server (3.x, run with {@code --serve-artifacts}).
 * Runs, params, metrics and tags go through the Java client {@code org.mlflow:mlflow-client};
 * artifacts through the server's proxied artifact API over {@code java.net.http}, because the Java
 * client's artifact calls shell out to Python. Layout: one experiment per figure spec, one parent
 * run per pipeline run, one child run per task. Thread-safe.
 */
public final class MlflowTracking implements AutoCloseable {

    public static final String DEFAULT_URI = "http://127.0.0.1:5000";
    public static final String ENV_TRACKING_URI = "MLFLOW_TRACKING_URI";

    public static final String TAG_RUN_NAME = "mlflow.runName";
    public static final String TAG_PARENT_RUN_ID = "mlflow.parentRunId";
    public static final String TAG_SOURCE_NAME = "mlflow.source.name";
    public static final String TAG_SOURCE_TYPE = "mlflow.source.type";
    public static final String TAG_USER = "mlflow.user";

    private static final Logger LOG = LoggerFactory.getLogger(MlflowTracking.class);
    private static final String SOURCE_NAME = "rankrepro";
    private static final int SEARCH_PAGE = 1000;
    private static final int HISTORY_PAGE = 25_000;
    private static final int EXPERIMENTS_PER_SEARCH = 100;

    private final String uri;
    private final MlflowClient client;
    private final RestHttp http;
    private final ArtifactStore artifacts;
    private final ConcurrentCalls concurrent = new ConcurrentCalls(ConcurrentCalls.fromEnv(System.getenv()));
    private final Map<String, String> artifactRoots = new ConcurrentHashMap<>();
    /** Run id → experiment id for the runs this session created: their UI addresses need no request. */
    private final Map<String, String> experimentOfRun = new ConcurrentHashMap<>();
    private final ObjectMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private final RunBackend backend = new RunBackend() {
        @Override
        public void logBatch(String runId, List<Metric> metrics, List<Param> params, List<RunTag> tags) {
            call("logging a batch to run " + runId, () -> {
                client.logBatch(runId, metrics, params, tags);
                return null;
            });
        }

        @Override
        public void uploadArtifact(String runId, Path file, String artifactPath) {
            artifacts.upload(artifactRoot(runId), artifactPath, file);
        }

        @Override
        public void uploadArtifacts(String runId, Map<String, Path> fileByArtifactPath) {
            String root = artifactRoot(runId);
            List<java.util.concurrent.Callable<Void>> calls = new ArrayList<>();
            fileByArtifactPath.forEach((path, file) -> calls.add(() -> {
                artifacts.upload(root, path, file);
                return null;
            }));
            concurrent.all(calls);
        }

        @Override
        public Map<String, java.util.Set<Long>> loggedSteps(String runId) {
            Map<String, java.util.Set<Long>> out = new TreeMap<>();
            for (String key : getRun(runId).metrics().keySet()) {
                java.util.Set<Long> steps = new java.util.HashSet<>();
                metricHistory(runId, key).forEach(m -> steps.add(m.step()));
                out.put(key, steps);
            }
            return out;
        }

        @Override
        public void logModelMetrics(String runId, Map<String, List<Metric>> metricsByModel) {
            MlflowTracking.this.logModelMetrics(runId, metricsByModel);
        }

        @Override
        public String where() {
            return "MLflow at " + uri;
        }
    };

    /**
     * MLflow's {@code mlflow.source.type} of the runs this process starts: {@code $RANKREPRO_SOURCE_TYPE}
     * (the Airflow DAG sets {@code JOB} for its tasks), else {@code LOCAL}.
     */
    public static final String ENV_SOURCE_TYPE = "RANKREPRO_SOURCE_TYPE";

    static String sourceType(Map<String, String> env) {
        String v = env.get(ENV_SOURCE_TYPE);
        return v == null || v.isBlank() ? "LOCAL" : v.strip().toUpperCase(java.util.Locale.ROOT);
    }

    /** Where metric points wait while the server is unreachable: {@code $RANKREPRO_SPOOL_DIR}, else ~/.rankrepro/spool. */
    public static final String ENV_SPOOL_DIR = "RANKREPRO_SPOOL_DIR";
    /** How long a run waits for an unreachable server before it ends with an error (seconds; default 300). */
    public static final String ENV_OUTAGE_GRACE = "RANKREPRO_TRACKING_OUTAGE_GRACE_SECONDS";

    private Path spoolDir = defaultSpoolDir();

    private MlflowTracking(String uri, MlflowCredentials credentials) {
        this.uri = uri;
        this.client = new MlflowClient(credentials.hostCreds(uri));
        this.http = new RestHttp(uri, credentials);
        this.artifacts = new ArtifactStore(http);
    }

    /** The tracking URI to use: {@code cliValue} if given, else {@code $MLFLOW_TRACKING_URI}, else {@value #DEFAULT_URI}. */
    public static String resolveUri(String cliValue) {
        return resolveUri(cliValue, System.getenv());
    }

    static String resolveUri(String cliValue, Map<String, String> env) {
        if (cliValue != null && !cliValue.isBlank()) {
            return stripSlash(cliValue.strip());
        }
        String fromEnv = env.get(ENV_TRACKING_URI);
        return fromEnv != null && !fromEnv.isBlank() ? stripSlash(fromEnv.strip()) : DEFAULT_URI;
    }

    /**
     * Connects to the server at {@code trackingUri} (http or https), with credentials from
     * {@code MLFLOW_TRACKING_USERNAME}/{@code MLFLOW_TRACKING_PASSWORD} or {@code MLFLOW_TRACKING_TOKEN}.
     *
     * @throws TrackingException when the server does not answer or refuses the credentials
     */
    public static MlflowTracking connect(String trackingUri) {
        return connect(trackingUri, MlflowCredentials.fromEnv(System.getenv()));
    }

    static MlflowTracking connect(String trackingUri, MlflowCredentials credentials) {
        String uri = stripSlash(trackingUri.strip());
        if (!uri.startsWith("http://") && !uri.startsWith("https://")) {
            throw new TrackingException("MLflow tracking URI '" + uri + "' must be http:// or https://"
                    + " (the Java client needs a tracking server, not a file: store)");
        }
        MlflowTracking t = new MlflowTracking(uri, credentials);
        try {
            t.http.get("health", Duration.ofSeconds(10));
            // /health answers without credentials; one API call checks them.
            t.client.searchExperiments(null, ViewType.ACTIVE_ONLY, 1, List.of());
        } catch (RuntimeException e) {
            t.close();
            throw new TrackingException("MLflow tracking server at " + uri + " is not reachable: " + e.getMessage()
                    + "; start it with `make mlflow-up` or set " + ENV_TRACKING_URI, e);
        }
        return t;
    }

    public String uri() {
        return uri;
    }

    /** Spools undeliverable metric points under {@code dir} (e.g. the work folder's spool/) from now on. */
    public MlflowTracking spoolTo(Path dir) {
        this.spoolDir = dir.toAbsolutePath().normalize();
        return this;
    }

    public Path spoolDir() {
        return spoolDir;
    }

    public static Path defaultSpoolDir() {
        String env = System.getenv(ENV_SPOOL_DIR);
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".rankrepro", "spool");
    }

    /**
     * Sends the spooled points of every run under {@code dir} (in order, de-duplicated, skipping what
     * the server holds); returns run id → points still pending (0 when all went out).
     */
    public Map<String, Integer> replaySpool(Path dir) {
        Map<String, Integer> left = new TreeMap<>();
        for (String runId : MetricSpool.runIds(dir)) {
            MetricSpool spool = new MetricSpool(dir, runId);
            MlflowRunTracker t = new MlflowRunTracker(runId, backend, System::currentTimeMillis, spool, 0);
            try {
                t.awaitDelivery();
            } catch (TrackingException e) {
                LOG.warn("{}", e.getMessage());
            }
            left.put(runId, spool.pending().size());
        }
        return left;
    }

    /**
     * The id of the active experiment {@code name}, created if missing and restored if deleted.
     * Safe when several processes ask at once: whoever loses the create race reads the winner's.
     */
    public String getOrCreateExperiment(String name) {
        Optional<Experiment> existing = findExperiment(name);
        if (existing.isPresent()) {
            Experiment e = existing.get();
            if ("deleted".equals(e.getLifecycleStage())) {
                LOG.warn("experiment '{}' was deleted; restoring it", name);
                call("restoring experiment " + name, () -> {
                    client.restoreExperiment(e.getExperimentId());
                    return null;
                });
            }
            return e.getExperimentId();
        }
        try {
            return client.createExperiment(name);
        } catch (MlflowHttpException e) {
            if (e.getBodyMessage() != null && e.getBodyMessage().contains("RESOURCE_ALREADY_EXISTS")) {
                return findExperiment(name).map(Experiment::getExperimentId)
                        .orElseThrow(() -> new TrackingException("experiment " + name + " exists but cannot be read"));
            }
            throw failure("creating experiment " + name, e);
        }
    }

    /**
     * Starts a run in {@code experimentId}, a child of {@code parentRunIdOrNull} when given, with the
     * usual MLflow tags (run name, parent, source, user) and then {@code tags}, which win on a clash.
     */
    public MlflowRunTracker startRun(String experimentId, String runName, String parentRunIdOrNull,
                                     Map<String, String> tags) {
        Map<String, String> system = new LinkedHashMap<>();
        system.put(TAG_RUN_NAME, runName);
        if (parentRunIdOrNull != null) {
            system.put(TAG_PARENT_RUN_ID, parentRunIdOrNull);
        }
        system.put(TAG_SOURCE_NAME, SOURCE_NAME);
        system.put(TAG_SOURCE_TYPE, sourceType(System.getenv()));
        system.put(TAG_USER, System.getProperty("user.name", ""));
        CreateRun.Builder request = CreateRun.newBuilder().setExperimentId(experimentId).setRunName(runName)
                .setStartTime(System.currentTimeMillis()).setUserId(System.getProperty("user.name", ""));
        system.forEach((k, v) -> request.addTags(RunTag.newBuilder().setKey(k)
                .setValue(MlflowLimits.truncate(v, MlflowLimits.MAX_TAG_VALUE_LENGTH))));
        RunInfo info = call("creating run " + runName, () -> client.createRun(request.build()));
        artifactRoots.put(info.getRunId(), ArtifactStore.proxiedRoot(info.getArtifactUri()));
        experimentOfRun.put(info.getRunId(), experimentId);
        MlflowRunTracker tracker = tracker(info.getRunId());
        if (tags != null && !tags.isEmpty()) {
            tracker.setTags(tags);
        }
        return tracker;
    }

    /** A tracker for an existing run, e.g. one the executor created for a task run elsewhere. */
    public MlflowRunTracker attachRun(String runId) {
        artifactRoot(runId); // fails now, clearly, if the run does not exist
        MlflowRunTracker t = tracker(runId);
        t.flush(); // a spool left by an earlier process of this run goes out first, in order
        t.skipLogged(); // continuing a run never logs a (key, step) it already has
        return t;
    }

    /**
     * Sets tags on an existing run in one request: no tracker, no spool, no look-up of what the run
     * has logged (which {@link #attachRun} does, one request per metric). Throws
     * {@link TrackingException} if the run is not on this server.
     */
    public void tagRun(String runId, Map<String, String> tags) {
        tracker(runId).setTags(tags);
    }

    /** Marks the run FINISHED or FAILED, with the end time now. */
    public void endRun(String runId, boolean success) {
        call("ending run " + runId, () -> {
            client.setTerminated(runId, success ? RunStatus.FINISHED : RunStatus.FAILED, System.currentTimeMillis());
            return null;
        });
    }

    /** Logs the datasets a run read ({@code runs/log-inputs}); the server ignores one it already holds for the run. */
    public void logInputs(String runId, List<DatasetInput> inputs) {
        if (inputs.isEmpty()) {
            return;
        }
        List<Map<String, Object>> datasets = new ArrayList<>();
        for (DatasetInput in : inputs) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", in.name());
            d.put("digest", in.digest());
            d.put("source_type", in.sourceType());
            d.put("source", in.source());
            d.put("schema", in.schema());
            d.put("profile", in.profile());
            datasets.add(Map.of("dataset", d, "tags", List.of(Map.of("key", "mlflow.data.context", "value", in.context()))));
        }
        post("logging the datasets of run " + runId, "runs/log-inputs", Map.of("run_id", runId, "datasets", datasets));
    }

    /**
     * Registers MLflow 3 logged models: each is created with its source run, params and tags, gets
     * its files uploaded into its artifacts and is marked READY; {@link #logOutputs} then records
     * them as outputs of the run. Several models are in flight at once ({@link ConcurrentCalls});
     * all are READY, or the first failure is thrown, when this returns. Model names may not hold
     * '/', ':', '.', '%' or quotes; those become '_'.
     *
     * @return the model ids, in the order of {@code models}
     */
    public List<String> logModels(String experimentId, List<LoggedModelRequest> models) {
        List<java.util.concurrent.Callable<String>> calls = new ArrayList<>();
        for (LoggedModelRequest m : models) {
            calls.add(() -> logModel(experimentId, m));
        }
        return concurrent.all(calls);
    }

    private String logModel(String experimentId, LoggedModelRequest m) {
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("experiment_id", experimentId);
        create.put("name", m.name().replaceAll("[/:.%\"']", "_"));
        create.put("source_run_id", m.sourceRunId());
        create.put("params", keyValues(m.params(), MlflowLimits.MAX_PARAM_VALUE_LENGTH));
        create.put("tags", keyValues(m.tags(), MlflowLimits.MAX_TAG_VALUE_LENGTH));
        JsonNode model = post("creating a logged model of run " + m.sourceRunId(), "logged-models", create).path("model");
        String modelId = model.path("info").path("model_id").asText();
        String location = model.path("info").path("artifact_uri").asText();
        for (Path f : m.files()) {
            artifacts.upload(ArtifactStore.proxiedRoot(location), f.getFileName().toString(), f);
        }
        String what = "finalizing logged model " + modelId;
        call(what, () -> client.sendPatch("logged-models/" + modelId, json(Map.of("model_id", modelId, "status", 2)))); // LOGGED_MODEL_READY
        return modelId;
    }

    /**
     * The READY logged models whose source run is {@code sourceRunId}, model id → tags: a resumed
     * training reuses the checkpoints its earlier attempt registered instead of registering them twice.
     */
    public Map<String, Map<String, String>> readyModelsOf(String experimentId, String sourceRunId) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        String token = null;
        do {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("experiment_ids", List.of(experimentId));
            body.put("filter", "source_run_id = '" + sourceRunId + "'");
            body.put("max_results", 100);
            if (token != null) {
                body.put("page_token", token);
            }
            JsonNode page = post("searching the logged models of run " + sourceRunId, "logged-models/search", body);
            for (JsonNode m : page.path("models")) {
                JsonNode info = m.path("info");
                if (!"LOGGED_MODEL_READY".equals(info.path("status").asText())) {
                    continue;
                }
                Map<String, String> tags = new LinkedHashMap<>();
                info.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
                out.put(info.path("model_id").asText(), tags);
            }
            token = page.path("next_page_token").asText(null);
            token = token == null || token.isEmpty() ? null : token;
        } while (token != null);
        return out;
    }

    /** Records logged models (model id → step) as outputs of the run that produced them, in one request. */
    public void logOutputs(String runId, Map<String, Long> stepByModel) {
        if (stepByModel.isEmpty()) {
            return;
        }
        List<Map<String, Object>> models = new ArrayList<>();
        stepByModel.forEach((id, step) -> models.add(Map.of("model_id", id, "step", step)));
        post("recording " + models.size() + " models as outputs of run " + runId, "runs/outputs", Map.of("run_id", runId, "models", models));
    }

    /**
     * Metric points of a run linked to logged models ({@code log-batch}, each point with its
     * {@code model_id}): the points of every model in the same batches of at most 1000, not a
     * request per model (a training's analysis measures ~190 checkpoints).
     */
    void logModelMetrics(String runId, Map<String, List<Metric>> metricsByModel) {
        List<Map<String, Object>> out = new ArrayList<>();
        metricsByModel.forEach((modelId, metrics) -> {
            for (Metric m : metrics) {
                out.add(Map.of("key", m.getKey(), "value", m.getValue(), "timestamp", m.getTimestamp(), "step", m.getStep(),
                        "model_id", modelId));
            }
        });
        for (List<Map<String, Object>> chunk : MlflowLimits.chunks(out, MlflowLimits.MAX_METRICS_PER_BATCH)) {
            post("logging metrics of " + metricsByModel.size() + " models to run " + runId, "runs/log-batch",
                    Map.of("run_id", runId, "metrics", chunk));
        }
    }

    private static List<Map<String, String>> keyValues(Map<String, String> m, int maxValue) {
        List<Map<String, String>> out = new ArrayList<>();
        new TreeMap<>(m).forEach((k, v) -> out.add(Map.of("key", k, "value", MlflowLimits.truncate(v, maxValue))));
        return out;
    }

    private JsonNode post(String what, String path, Object body) {
        return readJson(call(what, () -> client.sendPost(path, json(body))));
    }

    private String json(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (IOException e) {
            throw new TrackingException("cannot write a request: " + e.getMessage(), e);
        }
    }

    /** Every artifact file of the run, as paths relative to its artifact root, sorted. */
    public List<String> listArtifacts(String runId) {
        return artifacts.listFiles(artifactRoot(runId), "");
    }

    /**
     * Downloads the artifact file or folder {@code artifactPath} ("" for all) of the run into
     * {@code destDir}, which must not exist or be empty; see {@link ArtifactStore#download}.
     */
    public void downloadArtifacts(String runId, String artifactPath, Path destDir) {
        artifacts.download(artifactRoot(runId), artifactPath == null ? "" : artifactPath, destDir);
    }

    /** The bytes of one artifact file. */
    public byte[] readArtifact(String runId, String path) {
        return artifacts.read(artifactRoot(runId), path);
    }

    public RunView getRun(String runId) {
        return view(call("reading run " + runId, () -> client.getRun(runId)));
    }

    /** Every logged point of metric {@code key}, ordered by step, then time. */
    public List<MetricPoint> metricHistory(String runId, String key) {
        List<MetricPoint> out = new ArrayList<>();
        String pageToken = null;
        do {
            String path = "metrics/get-history?run_id=" + RestHttp.encode(runId) + "&metric_key=" + RestHttp.encode(key)
                    + "&max_results=" + HISTORY_PAGE + (pageToken == null ? "" : "&page_token=" + RestHttp.encode(pageToken));
            JsonNode page = readJson(call("reading metric " + key + " of run " + runId, () -> client.sendGet(path)));
            for (JsonNode m : page.path("metrics")) {
                out.add(new MetricPoint(m.path("key").asText(), number(m.path("value")),
                        m.path("step").asLong(0), m.path("timestamp").asLong(0)));
            }
            pageToken = page.path("next_page_token").asText("");
        } while (!pageToken.isEmpty());
        out.sort(Comparator.comparingLong(MetricPoint::step).thenComparingLong(MetricPoint::timestampMillis));
        return out;
    }

    /** Active runs of the experiment matching an MLflow search {@code filter} (null or "" for all), oldest first. */
    public List<RunView> searchRuns(String experimentId, String filter) {
        List<RunView> out = new ArrayList<>();
        searchPages(List.of(experimentId), filter, "attributes.start_time ASC", "searching runs of experiment " + experimentId, out);
        return out;
    }

    /** Every page of one run search over {@code experimentIds}, appended to {@code out}. */
    private void searchPages(List<String> experimentIds, String filter, String orderBy, String what, List<RunView> out) {
        String pageToken = null;
        do {
            String token = pageToken;
            RunsPage page = call(what, () -> client.searchRuns(
                    experimentIds, filter == null ? "" : filter, ViewType.ACTIVE_ONLY, SEARCH_PAGE, List.of(orderBy), token));
            page.getItems().forEach(r -> out.add(view(r)));
            pageToken = page.getNextPageToken().orElse(null);
        } while (pageToken != null && !pageToken.isEmpty());
    }

    /**
     * Active runs of every active experiment matching an MLflow search {@code filter}, newest first:
     * for what is found by a tag wherever it was logged (a task key, which specs share). Experiment
     * ids go to the search {@value #EXPERIMENTS_PER_SEARCH} at a time.
     */
    public List<RunView> searchRunsEverywhere(String filter) {
        List<String> experimentIds = new ArrayList<>();
        String pageToken = null;
        do {
            String token = pageToken;
            var page = call("listing experiments", () -> client.searchExperiments(null, ViewType.ACTIVE_ONLY, SEARCH_PAGE, List.of(), token));
            page.getItems().forEach(e -> experimentIds.add(e.getExperimentId()));
            pageToken = page.getNextPageToken().orElse(null);
        } while (pageToken != null && !pageToken.isEmpty());
        List<RunView> out = new ArrayList<>();
        for (List<String> ids : MlflowLimits.chunks(experimentIds, EXPERIMENTS_PER_SEARCH)) {
            searchPages(ids, filter, "attributes.start_time DESC", "searching runs of " + ids.size() + " experiments", out);
        }
        out.sort(Comparator.comparingLong(RunView::startTimeMillis).reversed());
        return out;
    }

    /** The child runs of {@code parentRunId}, oldest first. */
    public List<RunView> childRuns(String parentRunId) {
        String experimentId = getRun(parentRunId).experimentId();
        return searchRuns(experimentId, "tags.`" + TAG_PARENT_RUN_ID + "` = '" + parentRunId.replace("'", "") + "'");
    }

    /** The run's page in the MLflow UI. */
    public String runUrl(String runId) {
        String experiment = experimentOfRun.computeIfAbsent(runId, id -> getRun(id).experimentId());
        return uri + "/#/experiments/" + experiment + "/runs/" + runId;
    }

    @Override
    public void close() {
        concurrent.close();
        client.close();
    }

    /**
     * The experiment named {@code name}, active or deleted. A search rather than get-by-name: the
     * Java client retries (and logs as "rate limit") every error answer, including the 404 of a
     * name not yet used.
     */
    private Optional<Experiment> findExperiment(String name) {
        if (name.contains("'")) {
            return call("looking up experiment " + name, () -> client.getExperimentByName(name));
        }
        return call("looking up experiment " + name, () -> client.searchExperiments(
                "name = '" + name + "'", ViewType.ALL, 1, List.of()).getItems().stream().findFirst());
    }

    private MlflowRunTracker tracker(String runId) {
        return new MlflowRunTracker(runId, backend, System::currentTimeMillis, new MetricSpool(spoolDir, runId), outageGraceMillis());
    }

    private String artifactRoot(String runId) {
        return artifactRoots.computeIfAbsent(runId, id -> ArtifactStore.proxiedRoot(
                call("reading run " + id, () -> client.getRun(id)).getInfo().getArtifactUri()));
    }

    static long outageGraceMillis() {
        String v = System.getenv(ENV_OUTAGE_GRACE);
        if (v == null || v.isBlank()) {
            v = System.getProperty("rankrepro.tracking.outage-grace-seconds", "300");
        }
        try {
            return Math.max(0, (long) (Double.parseDouble(v.strip()) * 1000));
        } catch (NumberFormatException e) {
            throw new TrackingException(ENV_OUTAGE_GRACE + " must be a number of seconds, got '" + v + "'");
        }
    }

    private static RunView view(Run run) {
        RunInfo info = run.getInfo();
        Map<String, String> params = new TreeMap<>();
        run.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
        Map<String, String> tags = new TreeMap<>();
        run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
        Map<String, Double> metrics = new TreeMap<>();
        run.getData().getMetricsList().forEach(m -> metrics.put(m.getKey(), m.getValue()));
        return new RunView(info.getRunId(), info.getExperimentId(), info.getRunName(), info.getStatus().name(),
                info.getStartTime(), info.getEndTime(), info.getArtifactUri(),
                java.util.Collections.unmodifiableMap(params), java.util.Collections.unmodifiableMap(tags),
                java.util.Collections.unmodifiableMap(metrics));
    }

    // The server writes non-finite values as the strings "NaN", "Infinity", "-Infinity".
    private static double number(JsonNode node) {
        return node.isTextual() ? Double.parseDouble(node.asText()) : node.asDouble();
    }

    private JsonNode readJson(String body) {
        try {
            return json.readTree(body.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new TrackingException("unreadable answer from " + uri + ": " + e.getMessage(), e);
        }
    }

    private <T> T call(String what, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (MlflowClientException e) {
            throw failure(what, e);
        }
    }

    private TrackingException failure(String what, MlflowClientException e) {
        String detail = e instanceof MlflowHttpException h
                ? "HTTP " + h.getStatusCode() + (h.getBodyMessage() == null ? "" : ": " + h.getBodyMessage())
                : String.valueOf(e.getMessage());
        return new TrackingException(what + " at " + uri + " failed: " + detail, e);
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
