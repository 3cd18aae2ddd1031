package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Content addresses of a plan's tasks: the hash of each task's {@link KeyMaterial}. A task's key
 * changes exactly when something that can change its output changes, so keys are known before
 * anything runs, like Bazel's action keys.
 *
 * @param materials task id → what its key hashes, in plan order
 * @param keys      task id → key, in plan order
 */
public record TaskKeys(Map<String, KeyMaterial> materials, Map<String, String> keys) {

    public TaskKeys {
        materials = Collections.unmodifiableMap(new LinkedHashMap<>(materials));
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    /** The key of task {@code taskId}. */
    public String key(String taskId) {
        return keys.get(taskId);
    }

    /** Keys with {@code code}, {@code engines} and the external data the plan's kinds read. */
    public static TaskKeys compute(Plan plan, KindCodeSource code, Map<String, String> engines, ExternalData external) {
        Map<String, KeyMaterial> materials = new LinkedHashMap<>();
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, PlannedTask> byId = new LinkedHashMap<>();
        plan.tasks().forEach(t -> byId.put(t.id(), t));
        for (PlannedTask t : plan.tasks()) {
            Map<String, String> upstream = new TreeMap<>();
            Map<String, Long> perStage = t.upstream().stream()
                    .collect(java.util.stream.Collectors.groupingBy(up -> byId.get(up).stage(), java.util.stream.Collectors.counting()));
            for (String up : t.upstream()) {
                // the one upstream of its stage is named by the stage, not by its task id: the id carries the
                // sweep label of this spec (prepare[dataset=x] vs prepare), and the same training must get the
                // same key in every spec that plans it; a gather's several inputs of one stage keep their ids
                String stage = byId.get(up).stage();
                upstream.put(perStage.get(stage) == 1 ? stage : up, keys.get(up));
            }
            KeyMaterial m = new KeyMaterial(t.kind(), t.params().asMap(), upstream, code.version(t.kind()), engines,
                    external.hashes(t), plan.info().seed());
            materials.put(t.id(), m);
            keys.put(t.id(), m.key());
        }
        return new TaskKeys(materials, keys);
    }

    /** Keys with one code version for every kind and nothing else beside the plan (tests, simple callers). */
    public static Map<String, String> of(Plan plan, String codeVersion) {
        return compute(plan, KindCodeSource.whole(codeVersion), Map.of(), ExternalData.NONE).keys();
    }
}
