package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Content addresses of a plan's tasks: SHA-256 of (kind, resolved params, the keys of its upstream
 * tasks, code version). A task's key changes exactly when something that can change its output
 * changes, so keys are known before anything runs, like Bazel's action keys.
 */
public final class TaskKeys {
    private TaskKeys() { }

    public static Map<String, String> of(Plan plan, String codeVersion) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (PlannedTask t : plan.tasks()) {
            Map<String, String> upstream = new TreeMap<>();
            for (String up : t.upstream()) {
                upstream.put(up, keys.get(up));
            }
            Map<String, Object> material = new TreeMap<>();
            material.put("kind", t.kind());
            material.put("params", t.params().asMap());
            material.put("upstream", upstream);
            material.put("code", codeVersion);
            material.put("seed", plan.info().seed());
            keys.put(t.id(), Hashing.sha256(Hashing.canonicalJson(material).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return keys;
    }
}
