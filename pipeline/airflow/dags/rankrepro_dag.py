"""rankrepro DAGs: one Airflow DAG per plan exported by the Java planner.

    rankrepro airflow export --spec pipeline/experiments/kobayashi2024/fig1.yaml --profile smoke
      -> pipeline/airflow/plans/kobayashi2024__fig1__smoke.json -> DAG rankrepro__kobayashi2024__fig1__smoke

This file only turns a plan into operators; the planner decides tasks, their exact `rankrepro`
arguments, dependencies and resources. Each DAG:

    mlflow_start_run -> <one task per plan task, as planned> -> mlflow_end_run
                                                           \\-> mlflow_mark_failed (only if a task failed)

mlflow_start_run prints the MLflow parent run id; XCom carries it to every task's
`--parent-run-id`, so MLflow shows the same parent/child runs as a local `rankrepro run`.

Configuration (environment of the Airflow components, or an Airflow Variable of the same name in
lower case where noted):
  RANKREPRO_AIRFLOW_EXECUTOR  docker (default) | kubernetes | local  (Variable rankrepro_airflow_executor)
                              local: the Airflow worker runs `rankrepro task ...` itself (BashOperator);
                              its image carries the CLI (docker/cluster: one Celery worker per host)
  RANKREPRO_PLANS_DIR         plan JSON folder (default: ../plans next to this file's folder)
  RANKREPRO_TASK_IMAGE        task image (docker default rankrepro-tasks:latest; kubernetes: see below)
  MLFLOW_TRACKING_URI         tracking URI as seen from a task container / pod
  RANKREPRO_TASK_RETRIES      Airflow retries per task (default 1)
  RANKREPRO_SHARED_STORE      passed on to every task (mlflow: task outputs are shared through MLflow)
  docker only:
  RANKREPRO_WORK_SOURCE       where task outputs live, as the Docker ENGINE sees it: an absolute
                              HOST path (bind-mounted at /workspace/work) or a volume name (mounted
                              at /workspace; default rankrepro-work). Never a path inside this container.
  RANKREPRO_SPECS_SOURCE      optional absolute HOST path of pipeline/experiments, mounted read-only
                              over the image's copy (/opt/rankrepro/experiments) so edited specs apply
  RANKREPRO_DOCKER_NETWORK    network of task containers (must reach MLflow; default bridge)
  RANKREPRO_TASK_USER         optional uid:gid of task containers (the owner of a bind-mounted work folder)
  RANKREPRO_DOCKER_URL        Docker engine (default unix://var/run/docker.sock)
  kubernetes only (each pod: requests = limits = the plan's cpus, memory_mib and gpus per task):
  RANKREPRO_TASK_IMAGE        required, by digest: registry/rankrepro-tasks@sha256:<64 hex> (a tag
                              could name other bytes on every node; `make push-image-tasks` prints it)
  RANKREPRO_K8S_NAMESPACE     namespace (default default)
  RANKREPRO_K8S_MLFLOW_SECRET Kubernetes Secret with the MLflow credentials, as secretKeyRef env of
                              every pod (never values in the pod spec); unset: no credentials. With it
                              unset, MLFLOW_TRACKING_* in this environment is refused, not copied.
  RANKREPRO_K8S_MLFLOW_SECRET_KEYS  its keys to use (default MLFLOW_TRACKING_USERNAME,MLFLOW_TRACKING_PASSWORD;
                              MLFLOW_TRACKING_TOKEN for token auth)
  RANKREPRO_WORK_PVC          optional ReadWriteMany PersistentVolumeClaim for /workspace. Default: an
                              emptyDir per pod, and every task fetches its inputs from and publishes its
                              outputs to MLflow's artifacts (RANKREPRO_SHARED_STORE=mlflow), so pods on
                              different nodes share outputs without a shared volume.
Variable rankrepro_task_env: JSON {"*": {ENV: value}, "<rankrepro task id>": {...}} of extra
environment for task containers (e.g. JAVA_OPTS), read when a task starts, so a fix applies to a retry.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

from airflow.sdk import DAG, Param

START, END, MARK_FAILED = "mlflow_start_run", "mlflow_end_run", "mlflow_mark_failed"
WORKDIR = "/workspace/work"
IMAGE_SPECS = "/opt/rankrepro/experiments"
PLAN_FORMAT = 2
RUN_ID = re.compile(r"^[0-9a-f]{32}$")
OVERRIDE = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+=.*$"
CREDENTIALS = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN")
DIGEST = re.compile(r"^[^\s@]+@sha256:[0-9a-f]{64}$")


def setting(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def executor() -> str:
    value = setting("RANKREPRO_AIRFLOW_EXECUTOR")
    if value is None:
        try:  # A Variable needs the API server; at import-check time there may be none.
            from airflow.sdk import Variable

            value = Variable.get("rankrepro_airflow_executor", default=None)
        except Exception:
            value = None
    value = (value or "docker").strip().lower()
    if value not in ("docker", "kubernetes", "local"):
        raise ValueError(f"RANKREPRO_AIRFLOW_EXECUTOR must be docker, kubernetes or local, got {value!r}")
    return value


def plans_dir() -> Path:
    return Path(setting("RANKREPRO_PLANS_DIR", str(Path(__file__).resolve().parent.parent / "plans")))


def load_plans(folder: Path) -> list[dict]:
    plans = []
    for file in sorted(folder.glob("*.json")):
        plan = json.loads(file.read_text())
        if plan.get("format") != PLAN_FORMAT:
            raise ValueError(f"{file}: plan format {plan.get('format')}, this DAG file reads {PLAN_FORMAT}; re-export it")
        plans.append(plan)
    return plans


# ---- what runs at task time (rendered from templates, so retries see current settings) ----------

def task_args(base: list[str], params: dict, parent_run_id: str | None, external_id: str | None = None) -> list[str]:
    """The planned args, then the run's overrides, then the parent run from mlflow_start_run's XCom."""
    args = list(base)
    for override in params.get("overrides") or []:
        args += ["--set", override]
    if external_id is not None:  # names this DAG run on its MLflow parent run; a retried start reuses it
        args += ["--external-id", external_id]
    if parent_run_id is not None:
        parent_run_id = str(parent_run_id).strip()
        if not RUN_ID.match(parent_run_id):
            raise ValueError(f"{START} returned {parent_run_id!r}, not an MLflow run id; see its log")
        args += ["--parent-run-id" if base[0] == "task" else "--run-id", parent_run_id]
    return args


def task_env(rankrepro_id: str, fixed: dict | None = None, credentials: bool = True) -> dict[str, str]:
    """The task's environment: tracking, `fixed` (from the operator), then the rankrepro_task_env Variable.

    credentials: copy MLFLOW_TRACKING_* from this environment (docker); a pod gets them from a
    Kubernetes Secret instead, and a Variable that names one is refused rather than put in its spec.
    """
    # RANKREPRO_SOURCE_TYPE: MLflow's mlflow.source.type of the task runs (a scheduled job, not LOCAL).
    env = {"MLFLOW_TRACKING_URI": setting("MLFLOW_TRACKING_URI", "http://mlflow:5000"), "RANKREPRO_SOURCE_TYPE": "JOB"}
    if credentials:
        env.update({name: setting(name) for name in CREDENTIALS if setting(name)})
    if setting("RANKREPRO_SHARED_STORE"):
        env["RANKREPRO_SHARED_STORE"] = setting("RANKREPRO_SHARED_STORE")
    env.update(fixed or {})
    from airflow.sdk import Variable

    extra = Variable.get("rankrepro_task_env", default=None, deserialize_json=True) or {}
    for key in ("*", rankrepro_id):
        values = {k: str(v) for k, v in (extra.get(key) or {}).items()}
        if not credentials and set(values) & set(CREDENTIALS):
            raise ValueError(f"Variable rankrepro_task_env sets {sorted(set(values) & set(CREDENTIALS))} for {key!r}: "
                             "pods take MLflow credentials only from the Secret RANKREPRO_K8S_MLFLOW_SECRET names")
        env.update(values)
    return env


def local_command(base: list[str], params: dict, parent_run_id: str | None, external_id: str | None = None) -> str:
    """The same arguments as one shell command line for a worker that runs the CLI itself."""
    import shlex

    return shlex.join(["rankrepro", *task_args(base, params, parent_run_id, external_id)])


# What a task started by the worker itself inherits from it: what the CLI needs, never Airflow's
# own settings (its database URL, broker password, JWT secret are in the worker's environment).
LOCAL_INHERITED = ("PATH", "HOME", "LANG", "TMPDIR", "JAVA_HOME", "JAVA_OPTS", "DJL_CACHE_DIR",
                   "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def local_env(rankrepro_id: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in LOCAL_INHERITED if k in os.environ}
    env.update(task_env(rankrepro_id))
    return env


MACROS = {"rankrepro_args": task_args, "rankrepro_env": task_env, "rankrepro_command": local_command,
          "rankrepro_local_env": local_env}
PARENT = "ti.xcom_pull(task_ids='" + START + "')"


# ---- operators ------------------------------------------------------------------------------------

def docker_operator(task_id: str, display: str, args: str, rankrepro_id: str, resources: dict, **kw):
    from airflow.providers.docker.operators.docker import DockerOperator
    from docker.types import DeviceRequest, Mount

    work = setting("RANKREPRO_WORK_SOURCE", "rankrepro-work")
    # A bind mount names a HOST path: the engine resolves it, not this container.
    mounts = [Mount(WORKDIR, work, type="bind") if work.startswith("/") else Mount("/workspace", work, type="volume")]
    specs = setting("RANKREPRO_SPECS_SOURCE")
    if specs:
        mounts.append(Mount(IMAGE_SPECS, specs, type="bind", read_only=True))
    gpus = int(resources.get("gpus", 0))
    return DockerOperator(
        task_id=task_id,
        task_display_name=display,
        image=setting("RANKREPRO_TASK_IMAGE", "rankrepro-tasks:latest"),
        command=args,
        environment="{{ rankrepro_env(%r) }}" % rankrepro_id,
        mounts=mounts,
        network_mode=setting("RANKREPRO_DOCKER_NETWORK", "bridge"),
        user=setting("RANKREPRO_TASK_USER"),
        docker_url=setting("RANKREPRO_DOCKER_URL", "unix://var/run/docker.sock"),
        device_requests=[DeviceRequest(count=gpus, capabilities=[["gpu"]])] if gpus else None,
        mount_tmp_dir=False,  # would bind a path of this container, which the engine cannot see
        auto_remove="success",
        force_pull=False,
        **kw,
    )


def pod_image() -> str:
    """The task image by digest: a tag may name different bytes on each node, or change under a retry."""
    image = setting("RANKREPRO_TASK_IMAGE")
    if image is None or not DIGEST.match(image):
        raise ValueError(f"RANKREPRO_TASK_IMAGE={image!r}: the kubernetes variant runs the task image by digest, "
                         "REGISTRY/rankrepro-tasks@sha256:<64 hex>; push it with `make push-image-tasks "
                         "TASK_REGISTRY=...`, which prints the value to set")
    return image


def pod_resources(resources: dict):
    """Requests = limits = the plan's numbers: the scheduler places the pod where they fit, the kubelet holds it to them."""
    from kubernetes.client import models as k8s

    amounts = {"cpu": str(int(resources["cpus"])), "memory": "%dMi" % int(resources["memory_mib"])}
    if int(resources.get("gpus", 0)):
        amounts["nvidia.com/gpu"] = str(int(resources["gpus"]))
    return k8s.V1ResourceRequirements(requests=dict(amounts), limits=dict(amounts))


def pod_secrets() -> list:
    """MLflow credentials as secretKeyRef env from the Secret RANKREPRO_K8S_MLFLOW_SECRET names."""
    from airflow.providers.cncf.kubernetes.secret import Secret

    name = setting("RANKREPRO_K8S_MLFLOW_SECRET")
    if name is None:
        plain = [n for n in CREDENTIALS if setting(n)]
        if plain:
            raise ValueError(f"{', '.join(plain)} set, but the kubernetes variant never copies credentials into a pod spec: "
                             "kubectl create secret generic rankrepro-mlflow --from-literal=MLFLOW_TRACKING_USERNAME=... "
                             "--from-literal=MLFLOW_TRACKING_PASSWORD=..., then set RANKREPRO_K8S_MLFLOW_SECRET=rankrepro-mlflow")
        return []
    keys = setting("RANKREPRO_K8S_MLFLOW_SECRET_KEYS", "MLFLOW_TRACKING_USERNAME,MLFLOW_TRACKING_PASSWORD").split(",")
    keys = [k.strip() for k in keys if k.strip()]
    unknown = sorted(set(keys) - set(CREDENTIALS))
    if unknown:
        raise ValueError(f"RANKREPRO_K8S_MLFLOW_SECRET_KEYS: {unknown} are not MLflow credentials ({', '.join(CREDENTIALS)})")
    return [Secret("env", key, name, key) for key in keys]


def pod_work_volume():
    """/workspace: an emptyDir (outputs travel through MLflow), or an opted-in ReadWriteMany claim."""
    from kubernetes.client import models as k8s

    claim = setting("RANKREPRO_WORK_PVC")
    if claim is None:
        return k8s.V1Volume(name="work", empty_dir=k8s.V1EmptyDirVolumeSource())
    return k8s.V1Volume(name="work", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name=claim))


def kubernetes_operator(task_id: str, display: str, args: str, rankrepro_id: str, resources: dict, **kw):
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from kubernetes.client import models as k8s

    # PyTorch computes with as many threads as the pod has cores; the shared store replaces a shared volume.
    fixed = {"RANKREPRO_SHARED_STORE": "mlflow", "OMP_NUM_THREADS": str(int(resources["cpus"]))}
    return KubernetesPodOperator(
        task_id=task_id,
        task_display_name=display,
        name="rankrepro-" + re.sub(r"[^a-z0-9-]", "-", task_id.lower())[:40],
        namespace=setting("RANKREPRO_K8S_NAMESPACE", "default"),
        image=pod_image(),
        image_pull_policy="IfNotPresent",  # a digest never changes: what a node has is what was asked for
        arguments=args,
        env_vars="{{ rankrepro_env(%r, %r, False) }}" % (rankrepro_id, fixed),
        secrets=pod_secrets(),
        container_resources=pod_resources(resources),
        volumes=[pod_work_volume()],
        volume_mounts=[k8s.V1VolumeMount(name="work", mount_path="/workspace")],
        get_logs=True,
        on_finish_action="delete_succeeded_pod",
        **kw,
    )


def local_operator(task_id: str, display: str, args: str, rankrepro_id: str, resources: dict, **kw):
    """The worker runs the task: each Celery worker is a host with its own disk (docker/cluster)."""
    from airflow.providers.standard.operators.bash import BashOperator

    # The argument and environment templates of the container operators, rendered for a shell.
    command = args.replace("rankrepro_args(", "rankrepro_command(", 1)
    return BashOperator(
        task_id=task_id,
        task_display_name=display,
        bash_command=command,
        env="{{ rankrepro_local_env(%r) }}" % rankrepro_id,
        append_env=False,
        cwd=WORKDIR.rsplit("/", 1)[0],
        **kw,
    )


OPERATORS = {"docker": docker_operator, "kubernetes": kubernetes_operator, "local": local_operator}


def build_dag(plan: dict, backend: str) -> DAG:
    operator = OPERATORS[backend]
    experiment, profile = plan["experiment"], plan["profile"]
    dag = DAG(
        dag_id=plan["dag_id"],
        description=f"{experiment} at profile {profile}: {plan['title']}",
        schedule=None,
        catchup=False,
        tags=["rankrepro", experiment.split("/")[0], profile],
        render_template_as_native_obj=True,  # command templates render to argument lists
        user_defined_macros=MACROS,
        max_active_runs=1,  # two runs writing the same task keys would only race to the same bytes
        default_args={
            "retries": int(setting("RANKREPRO_TASK_RETRIES", "1")),
            "retry_delay": timedelta(seconds=30),
        },
        params={
            "experiment": Param(experiment, type="string", enum=[experiment],
                                description="The experiment of this DAG (one DAG per exported spec and profile)"),
            "profile": Param(profile, type="string", enum=[profile], description="The profile of this DAG"),
            "overrides": Param(list(plan.get("overrides") or []), type="array", items={"type": "string", "pattern": OVERRIDE},
                               description="STAGE.PARAM=VALUE, one per line, applied after the profile (like --set)"),
        },
        doc_md=__doc__,
    )
    with dag:
        start_args = list(plan["start_run"])
        if backend == "kubernetes":
            start_args += ["--xcom-file", "/airflow/xcom/return.json"]
        # Built inside the expression: a {{ }} nested in a string literal would not be rendered.
        external_id = "'airflow:' ~ dag_run.dag_id ~ '/' ~ run_id"
        bookkeeping = plan["run_resources"]  # the MLflow start/end tasks: one JVM, no tensors
        start = operator(START, "MLflow: start parent run", "{{ rankrepro_args(%r, params, None, %s) }}" % (start_args, external_id),
                         START, bookkeeping, do_xcom_push=True, retries=2)
        tasks = {}
        for t in plan["tasks"]:
            tasks[t["task_id"]] = operator(
                t["task_id"], t["id"], "{{ rankrepro_args(%r, params, %s) }}" % (t["args"], PARENT),
                t["id"], t["resources"], do_xcom_push=False)
        for t in plan["tasks"]:
            for up in t["upstream"]:
                (start if up == START else tasks[up]) >> tasks[t["task_id"]]
        end = operator(END, "MLflow: end parent run", "{{ rankrepro_args(%r, params, %s) }}" % (plan["end_run"], PARENT),
                       END, bookkeeping, do_xcom_push=False)
        failed = operator(MARK_FAILED, "MLflow: mark parent run failed",
                          "{{ rankrepro_args(%r, {}, %s) }}" % (["mlflow", "end-run", "--status", "FAILED"], PARENT),
                          MARK_FAILED, bookkeeping, do_xcom_push=False, trigger_rule="one_failed")
        leaves = [tasks[t["task_id"]] for t in plan["tasks"] if not any(t["task_id"] in o["upstream"] for o in plan["tasks"])]
        for leaf in leaves:
            leaf >> end
        list(tasks.values()) >> failed
    return dag


_backend = executor()
for _plan in load_plans(plans_dir()):
    globals()[_plan["dag_id"]] = build_dag(_plan, _backend)
