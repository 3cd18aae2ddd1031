package io.rankrepro.tasks.task;

import io.rankrepro.mlflow.RunTracker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a task may use while it runs.
 *
 * @param taskId     e.g. {@code train[alpha=0.01]}
 * @param stage      e.g. {@code train}
 * @param spec       experiment-level facts (id, title, profile, seed, data label)
 * @param params     the stage's resolved params, sweep values and defaults included; bind with {@link #params(Class)}
 * @param sweepPoint the sweep values of this task (empty when not swept)
 * @param inputs     the declared inputs (see {@link Contract#inputs()}): per upstream task, a folder holding
 *                   exactly the declared files of its verified output, in plan order
 * @param outputDir  an empty folder to write outputs into; published atomically on success
 * @param tracker    this task's own tracking run
 * @param progress   where to report progress of long loops
 * @param resume     where a long task keeps snapshots to continue from after a crash
 */
public record TaskContext(
        String taskId,
        String stage,
        SpecInfo spec,
        Params params,
        Map<String, Object> sweepPoint,
        List<TaskInput> inputs,
        Path outputDir,
        RunTracker tracker,
        Progress progress,
        ResumeFolder resume) {

    public TaskContext {
        sweepPoint = Map.copyOf(sweepPoint);
        inputs = List.copyOf(inputs);
        resume = resume == null ? ResumeFolder.none() : resume;
    }

    /** A context without resuming. */
    public TaskContext(String taskId, String stage, SpecInfo spec, Params params, Map<String, Object> sweepPoint,
                       List<TaskInput> inputs, Path outputDir, RunTracker tracker, Progress progress) {
        this(taskId, stage, spec, params, sweepPoint, inputs, outputDir, tracker, progress, ResumeFolder.none());
    }

    /** The params bound to the kind's params record (see {@link Contract#params()}). */
    public <P extends Record> P params(Class<P> type) {
        return ParamsBinding.bind(type, params.asMap());
    }

    /** The single input from {@code stage}; fails if there is not exactly one. */
    public TaskInput input(String stage) {
        List<TaskInput> found = inputs(stage);
        if (found.size() != 1) {
            throw new IllegalStateException(taskId + " expects one input from stage '" + stage + "', found " + found.size());
        }
        return found.get(0);
    }

    /** All inputs from {@code stage}. */
    public List<TaskInput> inputs(String stage) {
        return inputs.stream().filter(i -> i.stage().equals(stage)).toList();
    }
}
