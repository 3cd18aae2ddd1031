package io.rankrepro.pipeline.plan;

import io.rankrepro.pipeline.spec.ExperimentSpec;
import io.rankrepro.pipeline.spec.ProfileSpec;
import io.rankrepro.pipeline.spec.SpecException;
import io.rankrepro.pipeline.spec.StageSpec;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
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
 * up to a gather) once per sweep point, a gather stage once over all of them. Binds each stage's
 * params to its kind's params record (unknown names refused with the nearest valid one, defaults
 * filled in) and wires each declared input to the upstream tasks that produce it, checking that
 * they write it — so a bad spec fails before any compute.
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
        Map<String, Set<String>> sweptAxes = new LinkedHashMap<>();
        Set<String> unclaimed = new LinkedHashSet<>(axes.keySet());
        List<String> sweptKinds = new ArrayList<>();
        for (StageSpec s : spec.stages()) {
            Map<String, Object> params = new LinkedHashMap<>(s.params());
            Contract contract = contract(s.kind());
            if (contract != null) {
                for (String key : s.params().keySet()) {
                    String why = ParamsBinding.unknown(contract.params(), key);
                    if (why != null) {
                        problems.add("stages (" + s.name() + ").params." + why);
                        params.remove(key);
                    }
                }
                if (s.sweep()) {
                    // a swept stage takes the axes that are its params (e.g. prepare takes dataset, train seed_offset)
                    Set<String> taken = new LinkedHashSet<>();
                    for (String axis : axes.keySet()) {
                        if (ParamsBinding.unknown(contract.params(), axis) == null) {
                            taken.add(axis);
                            unclaimed.remove(axis);
                        }
                    }
                    sweptAxes.put(s.name(), taken);
                    sweptKinds.add("'" + s.name() + "' (" + s.kind() + ": " + String.join(", ", ParamsBinding.names(contract.params())) + ")");
                }
            }
            stageParams.put(s.name(), params);
        }
        if (!sweptKinds.isEmpty()) {
            for (String axis : unclaimed) {
                problems.add("sweep." + axis + ": no swept stage has it as a parameter (swept: " + String.join("; ", sweptKinds) + ")");
            }
        }
        for (Map.Entry<String, ProfileSpec> other : spec.profiles().entrySet()) {
            if (!other.getKey().equals(profile)) { // checked, not applied: a typo in any profile fails every plan
                Map<String, Map<String, Object>> scratch = new LinkedHashMap<>();
                stageParams.forEach((k, v) -> scratch.put(k, new LinkedHashMap<>(v)));
                applyOverrides(other.getValue().set(), scratch, spec, "profiles." + other.getKey() + ".set", problems);
            }
        }
        applyOverrides(p.set(), stageParams, spec, "profiles." + profile + ".set", problems);
        applyOverrides(overrides, stageParams, spec, "--set", problems);

        List<Map<String, Object>> points = SweepPoints.expand(axes);
        List<PlannedTask> tasks = new ArrayList<>();
        Map<String, PlannedTask> byId = new LinkedHashMap<>();
        // The tasks of the previous stage, keyed by their sweep point (one entry, the empty point, when unswept).
        Map<Map<String, Object>, PlannedTask> previous = new LinkedHashMap<>();
        boolean fanned = false;
        Set<String> seen = new LinkedHashSet<>();
        for (StageSpec stage : spec.stages()) {
            Map<String, Object> base = stageParams.get(stage.name());
            Task task = kinds.find(stage.kind()).orElse(null);
            if (task == null) {
                problems.add("stages (" + stage.name() + ").kind: unknown task kind '" + stage.kind() + "' (known: " + kinds.kinds() + ")");
            }
            Map<Map<String, Object>, PlannedTask> current = new LinkedHashMap<>();
            List<String> stageProblems = new ArrayList<>();
            if (stage.gather()) {
                current.put(Map.of(), add(stage, task, base, Map.of(), List.copyOf(previous.values()), byId, tasks, stageProblems));
                fanned = false;
            } else if (stage.sweep() || fanned) {
                for (Map<String, Object> point : points) {
                    Map<String, Object> params = new LinkedHashMap<>(base);
                    if (stage.sweep()) {
                        Set<String> taken = sweptAxes.get(stage.name());
                        point.forEach((axis, value) -> {
                            if (taken == null || taken.contains(axis)) {
                                params.put(axis, value);
                            }
                        });
                    }
                    PlannedTask up = previous.containsKey(point) ? previous.get(point) : previous.get(Map.of());
                    current.put(point, add(stage, task, params, point, up == null ? List.of() : List.of(up), byId, tasks, stageProblems));
                }
                fanned = true;
            } else {
                current.put(Map.of(), add(stage, task, base, Map.of(), List.copyOf(previous.values()), byId, tasks, stageProblems));
            }
            for (String problem : stageProblems) {
                if (seen.add(problem)) {
                    problems.add(problem);
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

    private PlannedTask add(StageSpec stage, Task task, Map<String, Object> params, Map<String, Object> point,
                            List<PlannedTask> upstream, Map<String, PlannedTask> byId, List<PlannedTask> tasks,
                            List<String> problems) {
        String id = point.isEmpty() ? stage.name() : stage.name() + "[" + SweepPoints.label(point) + "]";
        Set<String> ancestors = new LinkedHashSet<>();
        for (PlannedTask up : upstream) {
            ancestors.addAll(up.ancestors());
            ancestors.add(up.id());
        }
        List<String> ordered = tasks.stream().map(PlannedTask::id).filter(ancestors::contains).toList();
        Contract contract = task == null ? null : task.contract();
        Map<String, Object> resolved = params;
        if (contract != null) {
            try {
                resolved = ParamsBinding.resolved(ParamsBinding.bind(contract.params(), params));
            } catch (ParamsBinding.Problems e) {
                // unknown names were reported where they were written; the rest are the values'
                e.problems().stream().filter(m -> !m.contains(": unknown parameter"))
                        .forEach(m -> problems.add(stage.name() + "." + m));
            }
        }
        List<PlannedInput> inputs = wire(stage, contract, ordered.stream().map(byId::get).toList(), problems);
        PlannedTask t = new PlannedTask(id, stage.name(), stage.kind(), new Params(resolved), point,
                upstream.stream().map(PlannedTask::id).toList(), ordered, stage.gather(), inputs);
        byId.put(id, t);
        tasks.add(t);
        return t;
    }

    /**
     * The declared inputs wired to the ancestors that produce them, each checked against what the
     * producing kind declares it writes. A kind without a contract reads every ancestor whole.
     */
    private List<PlannedInput> wire(StageSpec stage, Contract contract, List<PlannedTask> ancestors, List<String> problems) {
        List<PlannedInput> inputs = new ArrayList<>();
        if (contract == null) {
            return inputs; // an unknown kind, already reported
        }
        for (Contract.Input in : contract.inputs()) {
            List<PlannedTask> producers = ancestors.stream().filter(a -> a.stage().equals(in.stage())).toList();
            if (producers.isEmpty()) {
                if (!in.optional()) {
                    problems.add("stages (" + stage.name() + "): " + stage.kind() + " reads " + in.files() + " of a stage named '"
                            + in.stage() + "', which this spec does not have before it (stages before it: "
                            + ancestors.stream().map(PlannedTask::stage).distinct().toList() + ")");
                }
                continue;
            }
            Contract upstream = contract(producers.get(0).kind());
            if (upstream != null) {
                for (String file : in.files()) {
                    if (!upstream.provides(file)) {
                        problems.add("stages (" + stage.name() + "): " + stage.kind() + " reads '" + file + "' of stage '" + in.stage()
                                + "', but " + producers.get(0).kind() + " does not write it (it writes " + upstream.outputs() + ")");
                    }
                }
            }
            inputs.add(new PlannedInput(in.stage(), in.files(), producers.stream().map(PlannedTask::id).toList()));
        }
        return inputs;
    }

    private void applyOverrides(Map<String, Object> overrides, Map<String, Map<String, Object>> stageParams,
                                ExperimentSpec spec, String where, List<String> problems) {
        for (Map.Entry<String, Object> o : overrides.entrySet()) {
            String key = o.getKey();
            int dot = key.indexOf('.');
            Map<String, Object> params = dot > 0 ? stageParams.get(key.substring(0, dot)) : null;
            if (params == null) {
                problems.add(where + " " + key + ": no such stage (stage.param, e.g. train.steps; stages: "
                        + spec.stages().stream().map(StageSpec::name).toList() + ")");
                continue;
            }
            String stage = key.substring(0, dot);
            String param = key.substring(dot + 1);
            Contract contract = contract(spec.stage(stage).orElseThrow().kind());
            if (contract != null) {
                String why = ParamsBinding.unknown(contract.params(), param);
                if (why != null) {
                    problems.add(where + " " + stage + "." + why);
                    continue;
                }
            }
            Object old = params.get(param);
            Object value = o.getValue();
            if (old instanceof Number && !(value instanceof Number)) {
                problems.add(where + " " + key + ": must be a number like its default " + old + ", got '" + value + "'");
                continue;
            }
            params.put(param, value);
        }
    }

    private Contract contract(String kind) {
        return kinds.find(kind).map(Task::contract).orElse(null);
    }
}
