package io.rankrepro.pipeline.report;

import io.rankrepro.tasks.task.ClaimCheck;

import java.util.List;

/**
 * What one {@code rankrepro run} leaves in {@code results/<experiment>/<profile>/run.json} (and logs
 * to its parent MLflow run as {@code rankrepro/run.json}): enough to build the report from the
 * results folder alone, without the work folder or the tracking server.
 *
 * @param trackingUri        the MLflow server the run logged to; null with {@code --no-tracking}
 * @param mlflowExperimentId the MLflow experiment of the parent and task runs; null when untracked
 * @param parentRunId        the DAG run's MLflow run; null when untracked
 * @param startedAt          ISO-8601 instant the DAG run started
 * @param wallSeconds        wall time of this DAG run (cached tasks cost nothing)
 * @param ok                 every task ran or was cached
 * @param files              the figure task's files as copied to the results folder
 * @param checks             the paper's claims as the figure task checked them
 */
public record RunSummary(
        String experiment,
        String title,
        String paper,
        String data,
        String profile,
        long seed,
        String codeVersion,
        String trackingUri,
        String mlflowExperimentId,
        String parentRunId,
        String startedAt,
        double wallSeconds,
        boolean ok,
        List<TaskResult> tasks,
        List<ResultFile> files,
        List<ClaimCheck> checks) {

    public static final String FILE_NAME = "run.json";

    public RunSummary {
        tasks = List.copyOf(tasks);
        files = List.copyOf(files);
        checks = List.copyOf(checks);
    }

    /** The paper claims among the checks (sanity checks of the code are not counted). */
    public List<ClaimCheck> claims() {
        return checks.stream().filter(ClaimCheck::countsAsClaim).toList();
    }

    /** The checks of our own code and setup, reported apart from the claims. */
    public List<ClaimCheck> sanityChecks() {
        return checks.stream().filter(c -> !c.countsAsClaim()).toList();
    }

    public long claimsPassed() {
        return claims().stream().filter(ClaimCheck::passed).count();
    }

    /** Every claim held (and there was at least one, and the run finished). */
    public boolean reproduced() {
        return ok && !claims().isEmpty() && claimsPassed() == claims().size();
    }

    /** Seconds the tasks took when they actually ran, cached ones at their original cost. */
    public double computeSeconds() {
        return tasks.stream().mapToDouble(TaskResult::computeSeconds).sum();
    }

    public List<ResultFile> images() {
        return files.stream().filter(f -> f.path().toLowerCase(java.util.Locale.ROOT).endsWith(".png")).toList();
    }

    /** The run of the task that made the figure, if tracked. */
    public String figureRunId() {
        return files.stream().map(ResultFile::runId).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    /**
     * One task of the DAG run.
     *
     * @param status         RAN, CACHED, FETCHED (from the shared store), FAILED or BLOCKED
     * @param wallSeconds    time spent on it in this DAG run
     * @param computeSeconds time it took when it ran (from its {@code _task.json}); 0 if it never finished
     */
    public record TaskResult(String id, String stage, String kind, String status, String reason, String key,
                             String runId, double wallSeconds, double computeSeconds) { }

    /**
     * One file a figure task wrote, as published to the results folder.
     *
     * @param path   relative to the results folder ({@code results/<experiment>/<profile>/})
     * @param runId  the MLflow run holding it under {@code outputs/<path>}; null when untracked
     */
    public record ResultFile(String path, String sha256, String taskId, String runId) { }
}
