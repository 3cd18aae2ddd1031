package io.rankrepro.pipeline.report;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a DAG run's parent run records when it starts, the same whoever orchestrates it
 * (`rankrepro run`, or Airflow's start task through `rankrepro mlflow start-run`): the params
 * {@code profile}, {@code seed}, {@code spec}, {@code overrides} (the {@code --set} values as given)
 * and one {@code override.<stage.param>} each, the resolved spec as {@code <stage>.<param>} (a swept
 * param lists its values), and a description (MLflow's {@code mlflow.note.content}: title, paper,
 * profile, data), so two runs that differ only by their overrides differ on the parent too.
 */
public final class DagRunStart {
    public static final String ROLE_TAG = "rankrepro.role";
    public static final String ROLE = "dag-run";
    public static final String DESCRIPTION_TAG = "mlflow.note.content";

    private DagRunStart() {
    }

    /** The parent's params; {@code overrides} are the {@code --set} values in command-line order. */
    public static Map<String, String> params(Plan plan, List<String> overrides, Map<String, Object> parsed) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("profile", plan.info().profile());
        p.put("seed", Long.toString(plan.info().seed()));
        p.put("spec", plan.spec().source());
        p.put("overrides", String.join(" ", overrides));
        parsed.forEach((k, v) -> p.put("override." + k, String.valueOf(v)));
        p.putAll(resolved(plan));
        return p;
    }

    /** {@code <stage>.<param>} → value over the stage's tasks (a swept param: its values in plan order, joined by ", "). */
    static Map<String, String> resolved(Plan plan) {
        Map<String, TreeMap<String, java.util.LinkedHashSet<String>>> byStage = new LinkedHashMap<>();
        for (PlannedTask t : plan.tasks()) {
            TreeMap<String, java.util.LinkedHashSet<String>> params = byStage.computeIfAbsent(t.stage(), s -> new TreeMap<>());
            t.params().asMap().forEach((k, v) -> params.computeIfAbsent(k, x -> new java.util.LinkedHashSet<>()).add(String.valueOf(v)));
        }
        Map<String, String> out = new LinkedHashMap<>();
        byStage.forEach((stage, params) -> params.forEach((k, values) -> out.put(stage + "." + k, String.join(", ", values))));
        return out;
    }

    /** The parent's tags on top of {@code base} (code, machine): profile, seed, spec hash, role and description. */
    public static Map<String, String> tags(Plan plan, Map<String, String> base) {
        Map<String, String> t = new LinkedHashMap<>(base);
        t.put("rankrepro.profile", plan.info().profile());
        t.put("rankrepro.seed", Long.toString(plan.info().seed()));
        t.put("rankrepro.spec_sha256", plan.spec().sha256());
        t.put(ROLE_TAG, ROLE);
        t.put(DESCRIPTION_TAG, description(plan));
        return t;
    }

    static String description(Plan plan) {
        StringBuilder b = new StringBuilder();
        b.append("**").append(plan.spec().title()).append("** (").append(plan.spec().id()).append(")\n\n");
        if (plan.spec().paper() != null) {
            b.append("Paper: ").append(plan.spec().paper()).append("  \n");
        }
        b.append("Profile: ").append(plan.info().profile()).append(", seed ").append(plan.info().seed())
                .append(", ").append(plan.tasks().size()).append(" tasks  \n");
        if (plan.spec().data() != null) {
            b.append("Data: ").append(plan.spec().data()).append('\n');
        }
        return b.toString();
    }
}
