package io.rankrepro.pipeline.airflow;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

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
        List<Task> tasks) {

    public static final int FORMAT = 1;

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

    /** What a task asks of the machine it runs on; the KubernetesPodOperator turns gpus into nvidia.com/gpu. */
    public record Resources(int gpus) {
        public Map<String, Object> asMap() {
            return Map.of("gpus", gpus);
        }
    }
}
