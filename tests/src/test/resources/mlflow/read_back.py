"""Reads two DAG runs of one spec back with MLflow's official Python client and checks what an
MLflow user looks for. Run by MlflowUserViewTest with the project's MLflow venv:

    python read_back.py TRACKING_URI FIRST_PARENT_RUN RERUN_PARENT_RUN EXPECTED_TASKS

FIRST ran every task (with --set overrides); RERUN reused all but the figure. Prints one line per
check passed, then "ALL CHECKS PASSED"; any failed check raises (non-zero exit).
"""
import json
import re
import sys

from mlflow import MlflowClient
from mlflow.entities import LoggedModelStatus

SCHEME = re.compile(r"(train|test|data|model|rank|balance|analysis|claim|check|dag|report|system)(/[a-z0-9_.-]+)+")
SYSTEM = ["system/cpu_utilization_percentage", "system/system_memory_usage_megabytes",
          "system/disk_usage_percentage", "system/network_receive_megabytes"]

uri, first_id, rerun_id, expected_tasks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = MlflowClient(tracking_uri=uri)


def ok(what):
    print("ok:", what, flush=True)


def children(parent):
    run = client.get_run(parent)
    return client.search_runs([run.info.experiment_id], f"tags.`mlflow.parentRunId` = '{parent}'", max_results=1000)


first = client.get_run(first_id)
exp = first.info.experiment_id

# Overrides, the resolved spec and a description on the parent.
p = first.data.params
assert p["overrides"] == "train.tau_max=1.5 train.checkpoints=6", p
assert p["override.train.tau_max"] == "1.5" and p["train.tau_max"] == "1.5", p
assert p["train.learning_rate"] == "0.02", p  # resolved from the smoke profile
assert "Profile: smoke" in first.data.tags["mlflow.note.content"], first.data.tags
assert first.data.tags["mlflow.source.type"] == "LOCAL"
ok("overrides, resolved spec and description on the parent")

kids = children(first_id)
assert len(kids) == expected_tasks, [k.info.run_name for k in kids]
assert all(k.info.status == "FINISHED" for k in kids)
by_task = {k.data.tags["rankrepro.task"]: k for k in kids}
for k in kids:
    stage = k.data.tags["rankrepro.stage"]
    assert all(n.startswith(stage + ".") for n in k.data.params), (k.info.run_name, k.data.params)
    assert k.data.params or k.data.tags["rankrepro.kind"] == "checkpoint/verify", k.info.run_name  # the one kind without params
ok(f"{len(kids)} child runs, FINISHED, params with stage prefixes")

# Every metric of every run follows the naming scheme; histories have one point per step.
for r in [first] + kids:
    for key in r.data.metrics:
        assert SCHEME.fullmatch(key), f"{r.info.run_name}: metric {key!r} is off the scheme"
    if "train/loss" in r.data.metrics:
        steps = [m.step for m in client.get_metric_history(r.info.run_id, "train/loss")]
        assert len(steps) == len(set(steps)) > 3, steps
ok("every metric name follows the scheme; no duplicate steps")

trainings = [k for k in kids if k.data.tags["rankrepro.stage"] == "train"]
assert len(trainings) == 2
for t in trainings:
    for key in SYSTEM:
        history = client.get_metric_history(t.info.run_id, key)
        assert len(history) >= 3, (t.info.run_name, key, len(history))
        assert [m.step for m in history] == list(range(len(history))), (key, [m.step for m in history])
    cpu = [m.value for m in client.get_metric_history(t.info.run_id, SYSTEM[0])]
    assert all(0 <= v <= 100 for v in cpu), cpu
ok("system metric histories on every training run")

# Dataset inputs with digests: both trainings read the one prepared data set.
digests = set()
for t in trainings:
    inputs = t.inputs.dataset_inputs
    assert len(inputs) == 1, inputs
    d = inputs[0].dataset
    assert re.fullmatch(r"[0-9a-f]{32}", d.digest), d.digest
    assert d.source_type == "rankrepro" and json.loads(d.source)["task"] == "prepare", d.source
    assert json.loads(d.profile)["files"] >= 1, d.profile
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "train"
    digests.add(d.digest)
assert len(digests) == 1, digests
ok(f"dataset inputs with digest {digests.pop()}")

# One logged model per checkpoint, READY, its rank metrics linked at its step.
for t in trainings:
    checkpoints = [a.path for a in client.list_artifacts(t.info.run_id, "outputs/checkpoints")]
    models = client.search_logged_models([exp], filter_string=f"source_run_id = '{t.info.run_id}'", max_results=100)
    assert len(checkpoints) >= 2 and len(models) == len(checkpoints), (len(checkpoints), len(models))
    steps = set()
    for m in models:
        assert m.status == LoggedModelStatus.READY, m.status
        step = int(m.tags["rankrepro.step"])
        steps.add(step)
        assert m.tags["rankrepro.checkpoint"].startswith(f"runs:/{t.info.run_id}/outputs/checkpoints/")
        assert m.metrics, f"model {m.name} has no metrics"
        assert all(x.step == step and x.key.startswith(("rank/", "balance/")) for x in m.metrics), [(x.key, x.step) for x in m.metrics]
        assert [a.path for a in client.list_logged_model_artifacts(m.model_id)], f"model {m.name} has no artifact"
    assert len(steps) == len(models)
ok("one logged model per checkpoint, with the rank metrics measured on it")

# The rerun: a child for every task; the cached ones link the run that computed them.
rerun = client.get_run(rerun_id)
assert rerun.data.params["override.figure.stage_tolerance"] == "0.2"
assert rerun.data.params["overrides"] != p["overrides"], "two runs with different overrides differ on the parent"
again = children(rerun_id)
assert len(again) == expected_tasks, [k.info.run_name for k in again]
cached = [k for k in again if k.data.tags.get("rankrepro.cached") == "true"]
assert len(cached) == expected_tasks - 1, [k.info.run_name for k in again]
for c in cached:
    original = by_task[c.data.tags["rankrepro.task"]]
    assert c.data.tags["rankrepro.computed_by"] == original.info.run_id
    assert c.data.params == original.data.params
    assert c.info.status == "FINISHED"
ok(f"rerun: {len(again)} child runs, {len(cached)} cached ones linking their computing runs")
print("ALL CHECKS PASSED")
