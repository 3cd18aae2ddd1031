package io.rankrepro.pipeline.report;

import io.rankrepro.mlflow.MlflowLimits;
import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.mlflow.RunView;
import io.rankrepro.mlflow.SystemInfo;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.TaskOutcome;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.ClaimChecks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The end of a DAG run, the same whoever orchestrated it (`rankrepro run`, or Airflow's end task
 * through `rankrepro mlflow end-run`): the sinks' files copied to {@code results/<id>/<profile>/},
 * the paper claims read from them, {@code run.json} and {@code provenance.json} written beside
 * them, and all of it logged to the DAG run's parent run.
 *
 * @param ok         every task ran or was cached
 * @param checks     the claims' checks of the sinks
 * @param parentTags tags for the parent run: the figure task's run, the runs of cached tasks
 * @param records    run.json (and provenance.json when published), to log under {@code rankrepro/}
 * @param resultDir  where the figures went
 * @param fetched    tasks fetched from the shared store (not computed here; not counted in {@code cached})
 * @param cachedRuns task id → the run that computed its output, for the tasks this DAG run reused
 *                   (cached, or fetched from the shared store)
 */
public record DagRunResults(boolean ok, List<ClaimCheck> checks, Map<String, String> parentTags, List<Path> records,
                            Path resultDir, long ran, long cached, long fetched, double wallSeconds, Map<String, String> cachedRuns) {
    /** On a child run that stands for a cached task: the run that computed its output. */
    public static final String COMPUTED_BY_TAG = "rankrepro.computed_by";
    /** Tag on a DAG run naming the run of its final (figure) task. */
    public static final String SINK_RUN_TAG = "rankrepro.figure_run";

    /** Publishes the results of a finished DAG run whose tasks ended as {@code outcomes}. */
    public static DagRunResults publish(Plan plan, Map<String, String> keys, Map<String, TaskOutcome> outcomes, OutputStore store,
                                        String codeVersion, Path results, double wallSeconds, String parentRunUrl) throws IOException {
        boolean ok = outcomes.values().stream().allMatch(o -> o != null && o.ok());
        Map<String, String> tags = new LinkedHashMap<>();
        Map<String, String> cachedRuns = new LinkedHashMap<>();
        for (TaskOutcome o : outcomes.values()) {
            if (o != null && o.runId() != null && (o.status() == TaskOutcome.Status.CACHED || o.status() == TaskOutcome.Status.FETCHED)) {
                tags.put(MlflowLimits.safeKey("rankrepro.cached." + o.taskId()), o.runId());
                cachedRuns.put(o.taskId(), o.runId());
            }
        }
        List<ClaimCheck> checks = new ArrayList<>();
        Path resultDir = results.resolve(plan.spec().id()).resolve(plan.info().profile());
        if (ok) {
            for (PlannedTask sink : plan.sinks()) {
                TaskOutcome o = outcomes.get(sink.id());
                copyFiles(o.dir(), resultDir);
                checks.addAll(ClaimChecks.read(o.dir()));
                if (o.runId() != null) {
                    tags.put(SINK_RUN_TAG, o.runId());
                }
            }
        }
        List<Path> records = RunRecorder.record(plan, keys, outcomes, store, codeVersion, checks, wallSeconds, parentRunUrl, resultDir);
        long ran = outcomes.values().stream().filter(o -> o != null && o.status() == TaskOutcome.Status.RAN).count();
        long cached = outcomes.values().stream().filter(o -> o != null && o.status() == TaskOutcome.Status.CACHED).count();
        long fetched = outcomes.values().stream().filter(o -> o != null && o.status() == TaskOutcome.Status.FETCHED).count();
        return new DagRunResults(ok, checks, tags, records, resultDir, ran, cached, fetched, wallSeconds, cachedRuns);
    }

    /** Each claim with its numbers, as a reader of the run's log wants them. */
    public void print(Plan plan, PrintStream out) {
        if (checks.isEmpty()) {
            return;
        }
        List<ClaimCheck> claims = checks.stream().filter(ClaimCheck::countsAsClaim).toList();
        long passed = claims.stream().filter(ClaimCheck::passed).count();
        out.printf("%nClaims of %s at profile %s: %d of %d reproduced%n", plan.spec().id(), plan.info().profile(), passed, claims.size());
        for (ClaimCheck c : claims) {
            out.printf("  %s %s: %s%n      measured: %s%n%s      criterion: %s%n",
                    c.passed() ? "PASS" : "DID NOT REPRODUCE", c.id(), c.claim(), c.measured(),
                    c.effect() == null ? "" : "      effect: " + EffectText.of(c.effect()) + "\n", c.criterion());
        }
        List<ClaimCheck> sanity = checks.stream().filter(c -> !c.countsAsClaim()).toList();
        if (!sanity.isEmpty()) {
            out.printf("Sanity checks (of the code, not claims): %d of %d held%n",
                    sanity.stream().filter(ClaimCheck::passed).count(), sanity.size());
            sanity.stream().filter(c -> !c.passed()).forEach(c ->
                    out.printf("  FAILED %s: %s%n      measured: %s%n      criterion: %s%n", c.id(), c.claim(), c.measured(), c.criterion()));
        }
    }

    /**
     * Logs the results to the parent run; a metric in {@code logged} (already on the run, e.g. a
     * retried end task) is not logged again.
     */
    public void logTo(RunTracker parent, Set<String> logged) {
        if (!parentTags.isEmpty()) {
            parent.setTags(parentTags);
        }
        for (ClaimCheck c : checks) {
            ClaimMetrics.of(c).forEach((k, v) -> metric(parent, logged, k, v));
        }
        for (Path f : records) {
            parent.logArtifact(f, "rankrepro");
        }
        metric(parent, logged, "dag/wall_seconds", wallSeconds);
        metric(parent, logged, "dag/tasks_ran", ran);
        metric(parent, logged, "dag/tasks_cached", cached);
        if (fetched > 0) {
            metric(parent, logged, "dag/tasks_fetched", fetched);
        }
    }

    /**
     * Gives each cached task a child run of the parent, so the run tree is whole after a rerun: named
     * like the task, FINISHED, with the params and {@code rankrepro.*} tags of the run that computed
     * the output, {@value #COMPUTED_BY_TAG} naming that run and a description linking to it. Tasks
     * in {@code present} (a retried end task) already have one.
     */
    public void linkCachedTasks(Tracking tracking, String experiment, String parentRunId, Set<String> present) {
        if (parentRunId == null || !tracking.enabled()) {
            return;
        }
        cachedRuns.forEach((taskId, computedBy) -> {
            if (present.contains(taskId)) {
                return;
            }
            RunView original = tracking.run(computedBy);
            Map<String, String> tags = new LinkedHashMap<>();
            original.tags().forEach((k, v) -> {
                if (k.startsWith("rankrepro.") || k.startsWith(SystemInfo.PREFIX)) {
                    tags.put(k, v);
                }
            });
            tags.put("rankrepro.cached", "true");
            tags.put(COMPUTED_BY_TAG, computedBy);
            tags.put(DagRunStart.DESCRIPTION_TAG, "Cached: this DAG run reused the output of task " + taskId
                    + ", computed by run [" + computedBy + "](" + tracking.runUrl(computedBy) + ").");
            RunTracker child = tracking.startRun(experiment, taskId, parentRunId, tags);
            child.logParams(original.params());
            tracking.endRun(child.runId(), true);
        });
    }

    private static void metric(RunTracker parent, Set<String> logged, String key, double value) {
        if (!logged.contains(key)) {
            parent.logMetric(key, value, 0);
        }
    }

    /** Copies a sink's files (not its manifest) to the results folder, replacing older ones. */
    private static void copyFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path rel = from.relativize(f);
                if (rel.toString().equals(OutputStore.MANIFEST)) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                Files.createDirectories(target.getParent());
                Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
                Files.copy(f, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }
}
