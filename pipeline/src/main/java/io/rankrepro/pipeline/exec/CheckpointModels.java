package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.track.Tracking;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoints as MLflow 3 logged models. A task that writes {@code checkpoints/step_<N>.<ext>} and
 * reads none (a training, not a verifier of another's) registers one model per checkpoint, source
 * run its own, with the checkpoint as the model's artifact and tags naming the task, key, step and
 * hash; the run keeps {@code rankrepro.model.step_<N>} → model id. A later task that reads the
 * output of exactly one such training (directly or through its upstream) links its rank metrics at
 * step N to the model of step N ({@link io.rankrepro.mlflow.RunTracker#linkModels}).
 */
final class CheckpointModels {
    static final String MODEL_TAG = "rankrepro.model.step_";
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoints/step_0*(\\d+)\\.[a-z]+");

    private CheckpointModels() {
    }

    /** step → checkpoint file (relative to the task's output) of the files a task wrote. */
    static Map<Long, String> checkpoints(Iterable<String> files) {
        Map<Long, String> out = new TreeMap<>();
        for (String f : files) {
            Matcher m = CHECKPOINT.matcher(f);
            if (m.matches()) {
                out.put(Long.parseLong(m.group(1)), f);
            }
        }
        return out;
    }

    /** Registers the checkpoints a training wrote; returns the tags (step → model id) for its run. */
    static Map<String, String> register(Tracking tracking, Plan plan, PlannedTask task, String key, String runId,
                                        Map<String, String> files, List<TaskDescriptor.Input> read, Path staged,
                                        Map<String, String> params) {
        Map<String, String> runTags = new LinkedHashMap<>();
        boolean verifier = read.stream().anyMatch(in -> !checkpoints(in.files().keySet()).isEmpty());
        if (runId == null || verifier) {
            return runTags;
        }
        Map<String, Long> outputs = new LinkedHashMap<>();
        checkpoints(files.keySet()).forEach((step, file) -> {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("rankrepro.task", task.id());
            tags.put("rankrepro.key", key);
            tags.put("rankrepro.step", Long.toString(step));
            tags.put("rankrepro.checkpoint", "runs:/" + runId + "/outputs/" + file);
            tags.put("rankrepro.checkpoint_sha256", files.get(file));
            String model = tracking.logModel(plan.spec().id(), task.id() + "-step-" + step, runId, params, tags,
                    List.of(staged.resolve(file)));
            if (model != null) {
                runTags.put(MODEL_TAG + step, model);
                outputs.put(model, step);
            }
        });
        tracking.logOutputs(runId, outputs);
        return runTags;
    }

    /**
     * step → model id of the one training whose checkpoints {@code task} measures, found among the
     * runs of its inputs' producers and their upstream tasks; empty when there is none or several.
     */
    static Map<Long, String> measured(Tracking tracking, Plan plan, PlannedTask task, TaskKeys keys, OutputStore store) {
        Deque<String> todo = new ArrayDeque<>();
        task.inputs().forEach(in -> todo.addAll(in.producers()));
        Set<String> seen = new HashSet<>();
        List<Map<Long, String>> found = new ArrayList<>();
        while (!todo.isEmpty()) {
            String id = todo.pop();
            if (!seen.add(id)) {
                continue;
            }
            PlannedTask up = plan.task(id);
            todo.addAll(up.upstream());
            TaskRecord r = store.record(keys.key(id)).orElse(null); // verified when the inputs were laid out
            if (r == null || r.mlflowRunId() == null || checkpoints(r.files().keySet()).isEmpty()) {
                continue;
            }
            Map<Long, String> models = new TreeMap<>();
            tracking.tags(r.mlflowRunId()).forEach((k, val) -> {
                if (k.startsWith(MODEL_TAG)) {
                    models.put(Long.parseLong(k.substring(MODEL_TAG.length())), val);
                }
            });
            if (!models.isEmpty()) {
                found.add(models);
            }
        }
        return found.size() == 1 ? found.get(0) : Map.of();
    }
}
