package io.rankrepro.pipeline.exec;

import io.rankrepro.mlflow.LoggedModelRequest;
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

    /** Whether a task registers its checkpoints: it has a run and is a training, not a verifier of another's checkpoints. */
    static boolean registers(String runId, List<TaskDescriptor.Input> read) {
        return runId != null && read.stream().allMatch(in -> checkpoints(in.files().keySet()).isEmpty());
    }

    /** The logged model of one checkpoint ({@code file} relative to the output, {@code sha256} its hash). */
    static LoggedModelRequest request(PlannedTask task, String key, String runId, String file, String sha256,
                                      Path staged, Map<String, String> params) {
        long step = checkpoints(List.of(file)).keySet().iterator().next();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rankrepro.task", task.id());
        tags.put("rankrepro.key", key);
        tags.put("rankrepro.step", Long.toString(step));
        tags.put("rankrepro.checkpoint", "runs:/" + runId + "/outputs/" + file);
        tags.put("rankrepro.checkpoint_sha256", sha256);
        return new LoggedModelRequest(task.id() + "-step-" + step, runId, params, tags, List.of(staged.resolve(file)));
    }

    /**
     * Registers the checkpoints a training wrote that are not yet logged models — not streamed
     * while it trained ({@code streamed}: file → model id) and, where models may exist that nobody
     * here has the id of ({@code lookUp}: a run continued from a resume snapshot, or one whose stream
     * stopped at an outage), not already READY in MLflow for the same file and hash — and
     * records every one as an output of the run. Returns the tags (step → model id) for its run.
     */
    static Map<String, String> register(Tracking tracking, Plan plan, PlannedTask task, String key, String runId,
                                        Map<String, String> files, List<TaskDescriptor.Input> read, Path staged,
                                        Map<String, String> params, Map<String, String> streamed, boolean lookUp) {
        Map<String, String> runTags = new LinkedHashMap<>();
        if (!registers(runId, read)) {
            return runTags;
        }
        Map<String, String> known = new LinkedHashMap<>(streamed);
        if (lookUp) {
            tracking.readyModelsOf(plan.spec().id(), runId).forEach((model, tags) -> {
                String file = tags.getOrDefault("rankrepro.checkpoint", "").replace("runs:/" + runId + "/outputs/", "");
                if (files.containsKey(file) && files.get(file).equals(tags.get("rankrepro.checkpoint_sha256"))) {
                    known.putIfAbsent(file, model);
                }
            });
        }
        Map<Long, String> checkpoints = checkpoints(files.keySet());
        List<String> todo = checkpoints.values().stream().filter(f -> !known.containsKey(f)).toList();
        List<LoggedModelRequest> requests = new ArrayList<>();
        for (String file : todo) {
            requests.add(request(task, key, runId, file, files.get(file), staged, params));
        }
        List<String> models = tracking.logModels(plan.spec().id(), requests);
        for (int i = 0; i < models.size(); i++) {
            known.put(todo.get(i), models.get(i));
        }
        Map<String, Long> outputs = new LinkedHashMap<>();
        checkpoints.forEach((step, file) -> {
            String model = known.get(file);
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
