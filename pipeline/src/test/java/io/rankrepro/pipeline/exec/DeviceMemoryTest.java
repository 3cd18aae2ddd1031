package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.tasks.task.ComputeDevice;
import io.rankrepro.tasks.task.TaskKinds;
import io.rankrepro.tasks.train.TrainTask;
import io.rankrepro.tasks.train.TrainingMemory;
import io.rankrepro.tasks.task.ParamsBinding;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paper profile plans everywhere; whether its trainings fit is the chosen device's question, asked against its memory. */
class DeviceMemoryTest {
    private static final TaskKinds KINDS = TaskKinds.discover();

    @Test
    void paperTrainingsAreWeighedAgainstTheDevicesMemory() throws Exception {
        Plan plan = new Planner(KINDS).plan(SpecLoader.load(Path.of("experiments/boix2023/fig3.yaml")), "paper", Map.of());
        var train = plan.tasks().stream().filter(t -> t.kind().equals("transformer/train")).toList();
        assertEquals(12, train.size(), "4 data sets × 3 seeds");
        long need = TrainingMemory.estimate(ParamsBinding.bind(TrainTask.Config.class, train.get(0).params().asMap())).bytes();
        ComputeDevice gpu = new ComputeDevice(true, 0);

        assertEquals(List.of(), DeviceMemory.problems(plan, KINDS, gpu, need, t -> true), "exactly enough is enough");
        List<String> problems = DeviceMemory.problems(plan, KINDS, gpu, need - 1, t -> true);
        assertEquals(train.stream().map(t -> t.id()).toList(), problems.stream().map(p -> p.substring(0, p.indexOf(':'))).toList());
        assertTrue(problems.get(0).contains("more than GPU 0's") && problems.get(0).endsWith("(device gpu:0)"), problems.get(0));
        assertEquals(List.of(), DeviceMemory.problems(plan, KINDS, gpu, need - 1, t -> !t.kind().equals("transformer/train")),
                "only the tasks asked about (a run: those that will run)");
        assertTrue(DeviceMemory.problems(plan, KINDS, ComputeDevice.CPU, need - 1, t -> true).get(0).contains("more than this machine's"));
    }
}
