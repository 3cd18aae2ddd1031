package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Why a task must run, as {@code dvc status} and Snakemake's {@code --reason} say it: it has no
 * output yet, or its output failed verification (which file), or — against the output this task
 * last published — which params, upstream tasks, code of its kind (which classes), engine
 * versions or external data changed.
 */
public final class RunReason {
    private final OutputStore store;
    private final Plan plan;
    private final TaskKeys keys;
    private final KindCodeSource code;

    public RunReason(OutputStore store, Plan plan, TaskKeys keys, KindCodeSource code) {
        this.store = store;
        this.plan = plan;
        this.keys = keys;
        this.code = code;
    }

    /** Why {@code task} runs given what the store holds for its key ({@code v} not ok). */
    public String why(PlannedTask task, OutputStore.Verification v) {
        if (v.state() == OutputStore.Verification.State.CORRUPT) {
            return v.reason(); // "outputs failed verification: FILE has sha256 …"
        }
        Optional<String> last = store.latest(plan.spec().id(), plan.info().profile(), task.id());
        Optional<TaskRecord> previous = last.flatMap(store::record);
        if (previous.isEmpty() || previous.get().material() == null) {
            return "no outputs yet";
        }
        List<String> changes = changes(previous.get().material(), keys.materials().get(task.id()),
                previous.get().codeClasses(), code.classes(task.kind()));
        return changes.isEmpty() ? "no outputs (its last output, key " + last.get().substring(0, 12) + ", has the same inputs)"
                : String.join("; ", changes);
    }

    /** What differs between the material of an earlier output and the current one. */
    static List<String> changes(KeyMaterial was, KeyMaterial now, Map<String, String> wasClasses, Map<String, String> nowClasses) {
        List<String> out = new ArrayList<>();
        if (!was.kind().equals(now.kind())) {
            out.add("kind changed " + was.kind() + " → " + now.kind());
        }
        for (String p : keys(was.params(), now.params())) {
            Object a = was.params().get(p);
            Object b = now.params().get(p);
            if (!Objects.equals(Hashing.canonicalJson(a), Hashing.canonicalJson(b))) {
                out.add("param " + p + " changed " + show(a) + " → " + show(b));
            }
        }
        List<String> upstream = new ArrayList<>();
        for (String u : keys(was.upstream(), now.upstream())) {
            if (!Objects.equals(was.upstream().get(u), now.upstream().get(u))) {
                upstream.add(u);
            }
        }
        if (!upstream.isEmpty()) {
            out.add("upstream " + String.join(", ", upstream) + " changed");
        }
        if (!Objects.equals(was.code(), now.code())) {
            List<String> classes = new ArrayList<>();
            for (String c : keys(wasClasses, nowClasses)) {
                if (!Objects.equals(wasClasses.get(c), nowClasses.get(c))) {
                    classes.add(c.substring(c.lastIndexOf('.') + 1) + (wasClasses.containsKey(c) ? nowClasses.containsKey(c) ? "" : " (removed)" : " (new)"));
                }
            }
            out.add("code of kind " + now.kind() + " changed" + (classes.isEmpty() ? "" : " (" + String.join(", ", classes) + ")"));
        }
        for (String e : keys(was.engines(), now.engines())) {
            if (!Objects.equals(was.engines().get(e), now.engines().get(e))) {
                out.add("engine " + e + " changed " + was.engines().get(e) + " → " + now.engines().get(e));
            }
        }
        for (String f : keys(was.external(), now.external())) {
            if (!Objects.equals(was.external().get(f), now.external().get(f))) {
                out.add("external data " + f + " changed");
            }
        }
        if (was.seed() != now.seed()) {
            out.add("seed changed " + was.seed() + " → " + now.seed());
        }
        return out;
    }

    /** The keys of either map, sorted. */
    private static TreeSet<String> keys(Map<String, ?> a, Map<String, ?> b) {
        TreeSet<String> all = new TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        return all;
    }

    private static String show(Object v) {
        return v == null ? "(unset)" : Hashing.canonicalJson(v);
    }
}
