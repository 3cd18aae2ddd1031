package io.rankrepro.pipeline.report;

import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.TaskOutcome;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.provenance.ProvenanceManifest;
import io.rankrepro.pipeline.provenance.ProvenanceManifests;
import io.rankrepro.tasks.task.ClaimCheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes what a finished DAG run leaves next to its figures: {@code run.json} (always, so a failed
 * run shows as failed in the report) and {@code provenance.json} (when the figures were published).
 */
public final class RunRecorder {
    // MlflowTracking.runUrl's shape: <tracking uri>/#/experiments/<experiment id>/runs/<run id>
    private static final Pattern RUN_URL = Pattern.compile("^(.*)/#/experiments/([^/]+)/runs/([^/?#]+)$");

    private RunRecorder() { }

    /**
     * @param parentRunUrl the parent run's UI address ({@code Tracking.runUrl}), null when untracked
     * @param resultDir    {@code results/<experiment>/<profile>/}, where the sinks' files were copied
     * @return the files written, for logging to the parent run
     */
    public static List<Path> record(Plan plan, Map<String, String> keys, Map<String, TaskOutcome> outcomes, OutputStore store,
                                    String codeVersion, List<ClaimCheck> checks, double wallSeconds, String parentRunUrl,
                                    Path resultDir) throws IOException {
        String trackingUri = null;
        String experimentId = null;
        String parentRunId = null;
        if (parentRunUrl != null) {
            Matcher m = RUN_URL.matcher(parentRunUrl);
            if (!m.matches()) {
                throw new IllegalArgumentException("not an MLflow run address: " + parentRunUrl);
            }
            trackingUri = m.group(1);
            experimentId = m.group(2);
            parentRunId = m.group(3);
        }
        boolean ok = outcomes.values().stream().allMatch(o -> o != null && o.ok());
        List<RunSummary.TaskResult> tasks = new ArrayList<>();
        for (PlannedTask t : plan.tasks()) {
            TaskOutcome o = outcomes.get(t.id());
            OutputStore.Verification v = o != null && o.ok() ? store.verify(o.key()) : null;
            double compute = v != null && v.ok() ? v.record().wallSeconds() : 0;
            tasks.add(new RunSummary.TaskResult(t.id(), t.stage(), t.kind(), o == null ? "NOT_RUN" : o.status().name(),
                    o == null ? "" : o.reason(), keys.get(t.id()), o == null ? null : o.runId(),
                    o == null ? 0 : o.wallSeconds(), compute));
        }
        List<RunSummary.ResultFile> files = new ArrayList<>();
        Map<String, String> published = new TreeMap<>();
        if (ok) {
            for (PlannedTask sink : plan.sinks()) {
                OutputStore.Verification v = store.verify(keys.get(sink.id()));
                for (Map.Entry<String, String> f : v.record().files().entrySet()) {
                    files.add(new RunSummary.ResultFile(f.getKey(), f.getValue(), sink.id(), v.record().mlflowRunId()));
                    published.put(f.getKey(), f.getValue());
                }
            }
        }
        Files.createDirectories(resultDir);
        List<Path> written = new ArrayList<>();
        if (ok) {
            ProvenanceManifest manifest = ProvenanceManifests.build(plan, keys, store, codeVersion, trackingUri,
                    experimentId, parentRunId, published);
            Path provenance = resultDir.resolve(ProvenanceManifest.FILE_NAME);
            ProvenanceManifests.write(provenance, manifest);
            written.add(provenance);
        }
        RunSummary summary = new RunSummary(plan.spec().id(), plan.spec().title(), plan.spec().paper(), plan.spec().data(),
                plan.info().profile(), plan.info().seed(), codeVersion, trackingUri, experimentId, parentRunId,
                Instant.now().minusMillis((long) (wallSeconds * 1000)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), wallSeconds, ok, tasks, files, checks);
        Path run = resultDir.resolve(RunSummary.FILE_NAME);
        RunSummaries.write(run, summary);
        written.add(0, run);
        return written;
    }
}
