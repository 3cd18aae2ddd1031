package io.rankrepro.pipeline.cli;

import io.rankrepro.pipeline.exec.CodeVersion;
import io.rankrepro.pipeline.exec.DeviceMemory;
import io.rankrepro.tasks.task.ComputeDevice;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.RunReason;
import io.rankrepro.pipeline.exec.TaskKeys;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Print the DAG a spec expands to at a profile, and which tasks are already cached.",
                "Nothing runs and nothing is tracked."})
final class PlanCommand implements Callable<Integer> {
    @Mixin SpecOptions specOptions;
    @Mixin WorkOptions work;

    @Option(names = "--json", description = "Print the plan as JSON (tasks, params, dependencies, keys)")
    boolean json;

    @Mixin DeviceOption device;

    @Override
    public Integer call() throws Exception {
        ComputeDevice chosen = device.resolve();
        Plan plan = Commands.plan(specOptions);
        TaskKeys planKeys = Commands.keys(plan);
        Map<String, String> keys = planKeys.keys();
        if (json) {
            System.out.println(Commands.planJson(plan, keys));
            return 0;
        }
        OutputStore store = new OutputStore(work.workdir);
        RunReason reasons = new RunReason(store, plan, planKeys, Commands.code());
        Map<String, java.util.SortedSet<String>> users = store.experimentsByKey();
        System.out.printf("%s — %s%nprofile %s, seed %d, %d tasks, code %s%n%n", plan.spec().id(), plan.spec().title(),
                plan.info().profile(), plan.info().seed(), plan.tasks().size(), CodeVersion.current());
        for (String warning : DeviceMemory.problems(plan, Commands.kinds(), chosen, chosen.memoryBytes(), t -> true)) {
            System.out.println("warning: " + warning + "; `rankrepro run` would refuse it here");
        }
        for (PlannedTask t : plan.tasks()) {
            OutputStore.Verification v = store.verify(keys.get(t.id()));
            java.util.SortedSet<String> others = new java.util.TreeSet<>(users.getOrDefault(keys.get(t.id()), new java.util.TreeSet<>()));
            others.remove(plan.spec().id());
            String shared = others.isEmpty() ? "" : ", shared with " + String.join(", ", others);
            System.out.printf("%-28s %-26s %s  %s%s%n", t.id(), t.kind(), keys.get(t.id()).substring(0, 12),
                    v.ok() ? "cached" : "will run: " + reasons.why(t, v), shared);
            plan.spec().stage(t.stage()).map(s -> s.sharedFrom()).ifPresent(f -> System.out.printf("    stage from %s%n", f));
            System.out.printf("    after: %s%n    params: %s%n", t.upstream().isEmpty() ? "-" : String.join(", ", t.upstream()), t.params());
        }
        return 0;
    }
}
