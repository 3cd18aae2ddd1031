package io.rankrepro.pipeline.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.mlflow.MetricNames;
import io.rankrepro.tasks.task.ClaimCheck;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A claim check as metrics of the DAG run (a sanity check under {@code check/} instead of
 * {@code claim/}): {@code claim/<id>/passed} (1 or 0), every number the
 * check carries under {@code claim/<id>/<field>[/<field>...]} (e.g. {@code claim/<id>/effect/estimate}),
 * and {@code claim/<id>/statistic}, the check's headline number (its effect's estimate, else a
 * top-level {@code statistic} or {@code estimate}). Read through Jackson so that fields added to
 * {@link ClaimCheck} are logged without a change here.
 */
final class ClaimMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClaimMetrics() {
    }

    static Map<String, Double> of(ClaimCheck check) {
        String section = check.countsAsClaim() ? "claim" : "check"; // a sanity check is no paper claim
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(MetricNames.of(section, check.id(), "passed"), check.passed() ? 1.0 : 0.0);
        JsonNode tree = JSON.valueToTree(check);
        numbers(tree, MetricNames.of(section, check.id()), out);
        Double headline = headline(tree);
        if (headline != null) {
            out.put(MetricNames.of(section, check.id(), "statistic"), headline);
        }
        return out;
    }

    private static void numbers(JsonNode node, String prefix, Map<String, Double> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = prefix + "/" + MetricNames.of("claim", f.getKey()).substring("claim/".length());
            if (f.getValue().isNumber()) {
                out.put(key, f.getValue().asDouble());
            } else if (f.getValue().isObject()) {
                numbers(f.getValue(), key, out);
            }
        }
    }

    private static Double headline(JsonNode tree) {
        for (JsonNode n : new JsonNode[] {tree.path("effect").path("estimate"), tree.path("statistic"), tree.path("estimate")}) {
            if (n.isNumber()) {
                return n.asDouble();
            }
        }
        return null;
    }
}
