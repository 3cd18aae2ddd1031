package io.rankrepro.pipeline.report;

import io.rankrepro.mlflow.MlflowLimits;
import io.rankrepro.mlflow.MlflowRunTracker;
import io.rankrepro.mlflow.TrackingException;
import io.rankrepro.mlflow.MlflowTracking;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Logs a rendered report to MLflow. A DAG run's parent run sees one figure, while the report spans
 * all of them, so the page goes to a run of its own in the {@value #EXPERIMENT} experiment, and
 * each DAG run it covers is tagged {@value #REPORT_RUN_TAG} with that run's id, so the report can
 * be found from any figure's run.
 */
public final class ReportPublisher {
    public static final String EXPERIMENT = "rankrepro/report";
    public static final String REPORT_RUN_TAG = "rankrepro.report_run";

    private ReportPublisher() { }

    /** @return the report run's id */
    public static String publish(MlflowTracking mlflow, Path page, List<RunSummary> covered) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rankrepro.role", "report");
        List<String> parents = covered.stream().map(RunSummary::parentRunId).filter(Objects::nonNull).toList();
        tags.put("rankrepro.report.dag_runs", MlflowLimits.truncate(String.join(",", parents), MlflowLimits.MAX_TAG_VALUE_LENGTH));
        tags.put("rankrepro.report.figures", Integer.toString(covered.size()));
        String name = "report " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        MlflowRunTracker run = mlflow.startRun(mlflow.getOrCreateExperiment(EXPERIMENT), name, null, tags);
        boolean ok = false;
        try {
            long claims = covered.stream().mapToLong(s -> s.claims().size()).sum();
            long passed = covered.stream().mapToLong(RunSummary::claimsPassed).sum();
            run.logMetric("report.figures", covered.size(), 0);
            run.logMetric("report.claims", claims, 0);
            run.logMetric("report.claims_reproduced", passed, 0);
            run.logArtifact(page, "");
            run.flush();
            for (String parent : parents) {
                try {
                    mlflow.tagRun(parent, Map.of(REPORT_RUN_TAG, run.runId()));
                } catch (TrackingException e) {
                    // results/ can hold figures tracked on another server (or a reset one): report them, link what exists.
                    System.err.println("rankrepro report: DAG run " + parent + " is not on " + mlflow.uri()
                            + " (tracked elsewhere?); the report covers it but is not linked from it");
                }
            }
            ok = true;
            return run.runId();
        } finally {
            mlflow.endRun(run.runId(), ok);
        }
    }
}
