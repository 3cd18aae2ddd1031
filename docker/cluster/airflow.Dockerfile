# rankrepro cluster: one image for every Airflow component of docker/cluster/compose.yaml —
# api-server, scheduler, dag-processor, and the Celery workers, which run each rankrepro task
# themselves (RANKREPRO_AIRFLOW_EXECUTOR=local): so it is the task image (JRE, the rankrepro CLI,
# DJL's engine extracted) plus docker/airflow's venv with the Celery, PostgreSQL and FAB extras.
#
#   rankrepro-airflow-cluster:latest  (docker/cluster/build.sh airflow, or make images-cluster)
#
# Build context (staged by docker/cluster/build.sh): requirements.txt, constraints.txt,
# airflow-constraints.txt (docker/airflow's), extra-ca/.

# The task image the workers are made from (build.sh: CLUSTER_TASKS_IMAGE).
ARG TASKS_IMAGE=rankrepro-tasks:latest

# ---- venv: docker/airflow's, plus the cluster's providers; only this stage talks to PyPI -------
FROM rankrepro-airflow:latest AS venv
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
COPY requirements.txt constraints.txt airflow-constraints.txt /tmp/
RUN PIP_CERT=/etc/ssl/certs/ca-certificates.crt /opt/airflow-venv/bin/pip install --no-cache-dir \
      --disable-pip-version-check -r /tmp/requirements.txt -c /tmp/airflow-constraints.txt -c /tmp/constraints.txt

# ---- final: the task image + python3 + that venv -------------------------------------------------
FROM ${TASKS_IMAGE}
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt/* /var/log/dpkg.log \
 && mkdir -p /opt/airflow/dags /opt/airflow/plans /opt/airflow/logs /opt/airflow/plugins \
 && chown -R rankrepro:rankrepro /opt/airflow
COPY --from=venv /opt/airflow-venv /opt/airflow-venv
# One user for Airflow and the tasks it runs: the task image's (owner of /workspace and /opt/djl).
ENV PATH=/opt/airflow-venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/dags \
    PYTHONUNBUFFERED=1
USER rankrepro
WORKDIR /opt/airflow
EXPOSE 8080 8793
ENTRYPOINT ["airflow"]
CMD ["version"]
