"""Renders the pod of every task of the kubernetes variant of the DAG file and validates it.

    podspec_check.py DAG_FILE OUT_JSON        (run by tests/.../airflow/PodSpecTest, in .venv-podspec)

No cluster is needed: the DAG file is loaded as the dag-processor would (RANKREPRO_AIRFLOW_EXECUTOR,
RANKREPRO_PLANS_DIR and the other settings come from the environment), each task's templates are
rendered with a stand-in task instance, the provider builds the pod it would submit
(KubernetesPodOperator.build_pod_request_obj, as its dry run does), and the pod, serialised as the
Kubernetes client sends it, is validated against Kubernetes' OpenAPI schema (kubernetes-validate,
strict: unknown fields are errors). OUT_JSON gets {"dags": {dag_id: {task_id: {"pod", "schema_error"}}}};
what the pods must say (resources, secrets, image, volumes) is the Java test's to assert.
A DAG file that fails to load exits 1 with its error on stderr.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from types import SimpleNamespace

KUBERNETES_VERSION = "1.30.0"  # the oldest Kubernetes the pod specs are meant to run on
PARENT_RUN_ID = "0123456789abcdef0123456789abcdef"  # what mlflow_start_run's XCom would carry
RUN_ID = "manual__podspec-check"


class StandInTaskInstance:
    """What templates and the operator's pod labels read of a task instance."""

    map_index = -1
    try_number = 1

    def __init__(self, dag_id: str, task_id: str):
        self.dag_id, self.task_id, self.run_id = dag_id, task_id, RUN_ID

    def xcom_pull(self, task_ids=None, **_):
        return PARENT_RUN_ID


def load_dags(dag_file: str) -> list:
    from airflow.sdk import DAG

    spec = importlib.util.spec_from_file_location("rankrepro_dag", dag_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [v for v in vars(module).values() if isinstance(v, DAG)]


def rendered_pod(dag, task) -> dict:
    from kubernetes.client import ApiClient

    ti = StandInTaskInstance(dag.dag_id, task.task_id)
    context = {"dag": dag, "task": task, "ti": ti, "task_instance": ti, "run_id": RUN_ID, "params": dag.params.dump(),
               "dag_run": SimpleNamespace(dag_id=dag.dag_id, run_id=RUN_ID, conf={})}
    task.render_template_fields(context)
    pod = task.build_pod_request_obj(context, dry_run=True)
    return ApiClient().sanitize_for_serialization(pod)


def schema_error(pod: dict) -> str | None:
    import kubernetes_validate

    try:
        kubernetes_validate.validate(pod, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as e:
        return f"{'.'.join(str(p) for p in e.path)}: {e.message}"
    return None


def main(dag_file: str, out_file: str) -> int:
    try:
        dags = load_dags(dag_file)
    except Exception as e:  # the DAG file refused its configuration: say why, as an import error would
        print(f"{dag_file}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    report = {"kubernetes_version": KUBERNETES_VERSION, "dags": {}}
    for dag in dags:
        pods = report["dags"][dag.dag_id] = {}
        for task in dag.tasks:
            pod = rendered_pod(dag, task)
            pods[task.task_id] = {"operator": type(task).__name__, "pod": pod, "schema_error": schema_error(pod)}
    with open(out_file, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
