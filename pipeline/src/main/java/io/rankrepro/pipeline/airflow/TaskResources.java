package io.rankrepro.pipeline.airflow;

import io.rankrepro.pipeline.exec.DeviceMemory;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.tasks.task.TaskKinds;

import java.util.Map;
import java.util.OptionalLong;

/**
 * What each task of an exported plan asks of the machine that runs it ({@link AirflowPlan.Resources}):
 * the KubernetesPodOperator variant of the DAG file turns these numbers into the pod's requests and
 * limits, so a scheduler places a task where it fits and a runaway task is stopped at its limit.
 * <ul>
 *   <li>CPUs: the PyTorch threads the task runs with (the pod sets {@code OMP_NUM_THREADS} to it);
 *       a training computes with {@value #TRAINING_CPUS}, everything else is one busy thread.</li>
 *   <li>memory: a task JVM's floor plus twice the kind's own estimate ({@link DeviceMemory#need}),
 *       which is a lower bound made so that a refusal is certain; a limit that kills must not be one.</li>
 *   <li>GPUs: one per training task at profile paper, the papers' own scale; none elsewhere.</li>
 * </ul>
 * Each can be set per stage at export ({@code rankrepro airflow export --gpus/--cpus/--memory-mib STAGE=N}).
 */
public final class TaskResources {
    /** A task JVM with libtorch loaded and nothing computed yet: the warm workers' floor ({@code WarmWorkers}). */
    static final long JVM_FLOOR_MIB = 2048;
    /** Times the kind's lower-bound estimate that a memory limit allows. */
    static final int ESTIMATE_HEADROOM = 2;
    static final int TRAINING_CPUS = 2;
    private static final long MIB = 1 << 20;
    /** The MLflow start- and end-run tasks: one JVM that computes nothing. */
    public static final AirflowPlan.Resources BOOKKEEPING = new AirflowPlan.Resources(0, 1, JVM_FLOOR_MIB);

    /** Per-stage choices from the export's command line; a stage not named gets the defaults above. */
    public record PerStage(Map<String, Integer> gpus, Map<String, Integer> cpus, Map<String, Long> memoryMib) {
        public static final PerStage DEFAULTS = new PerStage(Map.of(), Map.of(), Map.of());

        public PerStage {
            gpus = Map.copyOf(gpus);
            cpus = Map.copyOf(cpus);
            memoryMib = Map.copyOf(memoryMib);
        }
    }

    private final TaskKinds kinds;
    private final String profile;
    private final PerStage perStage;

    public TaskResources(TaskKinds kinds, String profile, PerStage perStage) {
        this.kinds = kinds;
        this.profile = profile;
        this.perStage = perStage;
    }

    public AirflowPlan.Resources of(PlannedTask t) {
        int gpus = perStage.gpus().getOrDefault(t.stage(), defaultGpus(profile, t.kind()));
        int cpus = perStage.cpus().getOrDefault(t.stage(), isTraining(t.kind()) ? TRAINING_CPUS : 1);
        long memory = perStage.memoryMib().getOrDefault(t.stage(), defaultMemoryMib(DeviceMemory.need(t, kinds)));
        return new AirflowPlan.Resources(gpus, cpus, memory);
    }

    /** At the papers' own scale (profile paper) a training task needs a GPU; everything else runs on CPUs. */
    static int defaultGpus(String profile, String kind) {
        return "paper".equals(profile) && isTraining(kind) ? 1 : 0;
    }

    /** The JVM's floor plus the headroom over the kind's estimate, rounded up to whole MiB. */
    static long defaultMemoryMib(OptionalLong estimateBytes) {
        long estimate = estimateBytes.orElse(0);
        long allowed = estimate > Long.MAX_VALUE / ESTIMATE_HEADROOM ? Long.MAX_VALUE : estimate * ESTIMATE_HEADROOM;
        return JVM_FLOOR_MIB + -Math.floorDiv(-allowed, MIB); // rounded up
    }

    private static boolean isTraining(String kind) {
        return kind.endsWith("/train");
    }
}
