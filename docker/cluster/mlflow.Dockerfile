# rankrepro cluster: the MLflow server of docker/mlflow (same pinned MLflow) with a PostgreSQL
# tracking store. Artifacts stay on this container's /mlflow volume and are served through the
# server (--serve-artifacts): tasks on any worker host up- and download them over HTTP, which is
# what makes MLflow the shared store of task outputs (RANKREPRO_SHARED_STORE=mlflow).
#
# Build context (docker/cluster/build.sh): extra-ca/, mlflow-start.sh.
FROM rankrepro-mlflow:latest AS build
USER root
# pip needs CA certificates to reach PyPI (plus locally added ones, e.g. an egress proxy's).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null \
 && PIP_CERT=/etc/ssl/certs/ca-certificates.crt /opt/mlflow/bin/pip install --no-cache-dir \
      --disable-pip-version-check psycopg2-binary==2.9.13

FROM rankrepro-mlflow:latest
COPY --from=build /opt/mlflow /opt/mlflow
COPY mlflow-start.sh /usr/local/bin/start-mlflow-postgres
ENTRYPOINT ["start-mlflow-postgres"]
