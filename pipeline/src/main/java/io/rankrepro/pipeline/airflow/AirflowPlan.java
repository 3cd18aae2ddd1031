package io.rankrepro.pipeline.airflow;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * A plan as the Airflow DAG file reads it ({@code pipeline/airflow/dags/rankrepro_dag.py}): one
 * operator per task, each running {@link Task#args()} in the task image. The DAG appends, at run
 * time, {@code --set} for the run's overrides and {@code --parent-run-id} from the start-run task.
 *
 * @param format    version of this layout, bumped when the DAG file must change with it
 * @param dagId     {@code rankrepro__<experiment with / as __>__<profile>}
 * @param spec      the spec's path inside the task image ({@link AirflowPlans#IMAGE_SPECS} + relative path)
 * @param overrides the {@code --set} values given at export: the default of the DAG's {@code overrides} param
 * @param startRun  args of the first task: creates the MLflow parent run and prints its id (XCom)
 * @param endRun    args of the last task: closes the parent run (the DAG adds --run-id and --status)
 * @param runResources what the start- and end-run tasks ask of their machine (one JVM, no tensors)
 */
public record AirflowPlan(
        int format,
        @JsonProperty("dag_id") String dagId,
        String experiment,
        String title,
        String profile,
        long seed,
        String spec,
        @JsonProperty("spec_sha256") String specSha256,
        @JsonProperty("code_version") String codeVersion,
        List<String> overrides,
        @JsonProperty("start_run") List<String> startRun,
        @JsonProperty("end_run") List<String> endRun,
        @JsonProperty("run_resources") Resources runResources,
        List<Task> tasks) {

    /** 2: each task's resources carry cpus and memory_mib beside gpus; run_resources for the MLflow bookkeeping tasks. */
    public static final int FORMAT = 2;

    public AirflowPlan {
        overrides = List.copyOf(overrides);
        startRun = List.copyOf(startRun);
        endRun = List.copyOf(endRun);
        tasks = List.copyOf(tasks);
    }

    /**
     * One task of the DAG.
     *
     * @param id        the rankrepro task id, e.g. {@code train[lambda=0.2]} (shown as the task's display name)
     * @param taskId    the Airflow task id: the id with only the characters Airflow allows
     * @param upstream  Airflow task ids it waits for
     * @param args      the exact {@code rankrepro} arguments (the task image's entry point is {@code rankrepro})
     */
    public record Task(
            String id,
            @JsonProperty("task_id") String taskId,
            String stage,
            String kind,
            List<String> upstream,
            List<String> args,
            Resources resources) {
        public Task {
            upstream = List.copyOf(upstream);
            args = List.copyOf(args);
        }
    }

    /**
     * What a task asks of the machine it runs on ({@link TaskResources}); the KubernetesPodOperator
     * variant makes them the pod's requests and limits (gpus as {@code nvidia.com/gpu}).
     *
     * @param gpus      GPUs it computes on
     * @param cpus      cores, and the PyTorch threads it runs with
     * @param memoryMib memory in MiB: what it may use before it is stopped
     */
    public record Resources(int gpus, int cpus, @JsonProperty("memory_mib") long memoryMib) {
        public Resources {
            if (gpus < 0 || cpus < 1 || memoryMib < 1) {
                throw new IllegalArgumentException("task resources: gpus must be >= 0, cpus and memory_mib >= 1; got gpus=" + gpus
                        + ", cpus=" + cpus + ", memory_mib=" + memoryMib);
            }
        }
    }
}
