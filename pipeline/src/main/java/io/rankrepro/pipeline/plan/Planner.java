package io.rankrepro.pipeline.plan;

import io.rankrepro.pipeline.spec.ExperimentSpec;
import io.rankrepro.pipeline.spec.ProfileSpec;
import io.rankrepro.pipeline.spec.SpecException;
import io.rankrepro.pipeline.spec.StageSpec;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskKinds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Expands a spec at a profile into a DAG: stages in order, a swept stage (and every stage after it
 * up to a gather) once per sweep point, a gather stage once over all of them. Checks each stage's
 * kind exists and accepts its resolved params, so a bad spec fails before any compute.
 */
public final class Planner {
    private final TaskKinds kinds;

    public Planner(TaskKinds kinds) {
        this.kinds = kinds;
    }

    /**
     * @param overrides {@code stage.param → value} from the command line, applied after the profile
     */
    public Plan plan(ExperimentSpec spec, String profile, Map<String, Object> overrides) throws SpecException {
        List<String> problems = new ArrayList<>();
        if (!ExperimentSpec.PROFILES.contains(profile)) {
            throw new SpecException(spec.source(), List.of("profile '" + profile + "' is not one of " + ExperimentSpec.PROFILES));
        }
        ProfileSpec p = spec.profiles().getOrDefault(profile, ProfileSpec.empty());
        Map<String, List<Object>> axes = new LinkedHashMap<>(spec.sweep());
        axes.putAll(p.sweep());
        Map<String, Map<String, Object>> stageParams = new LinkedHashMap<>();
        for (StageSpec s : spec.stages()) {
            stageParams.put(s.name(), new LinkedHashMap<>(s.params()));
        }
        applyOverrides(p.set(), stageParams, spec, "profiles." + profile + ".set", problems);
        applyOverrides(overrides, stageParams, spec, "--set", problems);

        List<Map<String, Object>> points = SweepPoints.expand(axes);
        List<PlannedTask> tasks = new ArrayList<>();
        Map<String, PlannedTask> byId = new LinkedHashMap<>();
        // The tasks of the previous stage, keyed by their sweep point (one entry, the empty point, when unswept).
        Map<Map<String, Object>, PlannedTask> previous = new LinkedHashMap<>();
        boolean fanned = false;
        for (StageSpec stage : spec.stages()) {
            Map<String, Object> base = stageParams.get(stage.name());
            Task task = kinds.find(stage.kind()).orElse(null);
            if (task == null) {
                problems.add("stages (" + stage.name() + ").kind: unknown task kind '" + stage.kind() + "' (known: " + kinds.kinds() + ")");
            }
            Map<Map<String, Object>, PlannedTask> current = new LinkedHashMap<>();
            if (stage.gather()) {
                current.put(Map.of(), add(stage, base, Map.of(), List.copyOf(previous.values()), byId, tasks));
                fanned = false;
            } else if (stage.sweep() || fanned) {
                for (Map<String, Object> point : points) {
                    Map<String, Object> params = new LinkedHashMap<>(base);
                    if (stage.sweep()) {
                        params.putAll(point);
                    }
                    PlannedTask up = previous.containsKey(point) ? previous.get(point) : previous.get(Map.of());
                    current.put(point, add(stage, params, point, up == null ? List.of() : List.of(up), byId, tasks));
                }
                fanned = true;
            } else {
                current.put(Map.of(), add(stage, base, Map.of(), List.copyOf(previous.values()), byId, tasks));
            }
            if (task != null) {
                Set<String> seen = new LinkedHashSet<>();
                for (PlannedTask t : current.values()) {
                    for (String problem : validate(task, t)) {
                        if (seen.add(problem)) {
                            problems.add("stages (" + stage.name() + ").params: " + problem);
                        }
                    }
                }
            }
            previous = current;
        }
        if (!problems.isEmpty()) {
            throw new SpecException(spec.source(), problems);
        }
        SpecInfo info = new SpecInfo(spec.id(), spec.title(), spec.paper(), spec.data(), profile, spec.seed());
        return new Plan(spec, info, tasks);
    }

    /**
     * The task's own checks; a check that throws (a getter meeting a value of an unexpected shape)
     * is a problem with the spec too, never a crash of the planner.
     */
    private static List<String> validate(Task task, PlannedTask t) {
        try {
            return task.validate(t.params());
        } catch (RuntimeException e) {
            return List.of("parameters rejected by " + task.kind() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private static PlannedTask add(StageSpec stage, Map<String, Object> params, Map<String, Object> point,
                                   List<PlannedTask> upstream, Map<String, PlannedTask> byId, List<PlannedTask> tasks) {
        String id = point.isEmpty() ? stage.name() : stage.name() + "[" + SweepPoints.label(point) + "]";
        Set<String> ancestors = new LinkedHashSet<>();
        for (PlannedTask up : upstream) {
            ancestors.addAll(up.ancestors());
            ancestors.add(up.id());
        }
        List<String> ordered = tasks.stream().map(PlannedTask::id).filter(ancestors::contains).toList();
        PlannedTask t = new PlannedTask(id, stage.name(), stage.kind(), new Params(params), point,
                upstream.stream().map(PlannedTask::id).toList(), ordered, stage.gather());
        byId.put(id, t);
        tasks.add(t);
        return t;
    }

    private static void applyOverrides(Map<String, Object> overrides, Map<String, Map<String, Object>> stageParams,
                                       ExperimentSpec spec, String where, List<String> problems) {
        for (Map.Entry<String, Object> o : overrides.entrySet()) {
            String key = o.getKey();
            int dot = key.indexOf('.');
            Map<String, Object> params = dot > 0 ? stageParams.get(key.substring(0, dot)) : null;
            if (params == null || !params.containsKey(key.substring(dot + 1))) {
                problems.add(where + " " + key + ": no such stage parameter (stage.param, e.g. "
                        + spec.stages().get(0).name() + "." + spec.stages().get(0).params().keySet().stream().findFirst().orElse("x") + ")");
                continue;
            }
            Object old = params.get(key.substring(dot + 1));
            Object value = o.getValue();
            if (old instanceof Number && !(value instanceof Number)) {
                problems.add(where + " " + key + ": must be a number like its default " + old + ", got '" + value + "'");
                continue;
            }
            params.put(key.substring(dot + 1), value);
        }
    }
}
