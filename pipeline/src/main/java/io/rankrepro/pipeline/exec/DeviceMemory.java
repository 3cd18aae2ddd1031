package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.tasks.task.ComputeDevice;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskKinds;
import io.rankrepro.tasks.train.TrainingMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Whether a plan's tasks fit the memory of the device chosen for the run ({@link ComputeDevice}),
 * by each kind's own estimate ({@link Task#memoryBytes}): what {@code plan} shows as warnings and
 * what a run refuses before any compute. The device's memory, not the host's: a paper-scale
 * training that cannot fit in this machine's RAM may well fit on its GPU, and the reverse.
 */
public final class DeviceMemory {
    private DeviceMemory() { }

    /** One line per task of {@code plan} (among {@code which}) that needs more than {@code available} bytes of {@code device}. */
    public static List<String> problems(Plan plan, TaskKinds kinds, ComputeDevice device, long available, Predicate<PlannedTask> which) {
        List<String> out = new ArrayList<>();
        for (PlannedTask t : plan.tasks()) {
            if (!which.test(t)) {
                continue;
            }
            OptionalLong need = need(t, kinds);
            if (need.isPresent()) {
                TrainingMemory.problem(need.getAsLong(), available, device.where())
                        .ifPresent(p -> out.add(t.id() + ": " + p + " (device " + device + ")"));
            }
        }
        return out;
    }

    /** The task's own estimate of what it needs on its device, in bytes; empty where its kind makes none. */
    public static OptionalLong need(PlannedTask t, TaskKinds kinds) {
        return kinds.find(t.kind()).map(k -> k.memoryBytes(t.params().asMap())).orElse(OptionalLong.empty());
    }
}
