# docker/cluster.mk: the distributed stack of docker/cluster/compose.yaml (included by the Makefile).
#
#   make images-cluster   the single-host images (make images), then postgres, redis, mlflow, airflow -cluster images
#   make up-cluster       generate the secrets once (docker/.build/cluster.env, mode 600), start, print URLs
#   make down-cluster     stop (volumes kept; DOWN_FLAGS=-v drops them)
#   make test-cluster     the acceptance test (ClusterStackTest, JUnit tag "cluster"; not part of
#                         `make test`): two workers, wiped disk, killed worker. Slow: see README.

CLUSTER_DIR      := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))/cluster
CLUSTER_ENV      ?= $(CLUSTER_DIR)/../.build/cluster.env
CLUSTER_PROJECT  ?= rankrepro-cluster
# `docker compose` (v2 plugin) where present, else Debian's docker-compose (v1); evaluated lazily.
CLUSTER_COMPOSE   = $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; \
                      elif command -v docker-compose >/dev/null 2>&1; then echo docker-compose; fi)
CLUSTER_COMPOSE_ARGS = -p $(CLUSTER_PROJECT) --env-file $(CLUSTER_ENV) -f $(CLUSTER_DIR)/compose.yaml

.PHONY: images-cluster up-cluster down-cluster test-cluster compose-cli

# Compose from Debian when neither flavour is installed (the only one reachable offline).
compose-cli:
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || { \
	  echo "[cluster] installing docker-compose (Debian)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-compose; }

images-cluster: images
	$(CLUSTER_DIR)/build.sh all

$(CLUSTER_ENV):
	$(CLUSTER_DIR)/cluster-env.sh $@

up-cluster: compose-cli images-cluster $(CLUSTER_ENV)
	$(CLUSTER_COMPOSE) $(CLUSTER_COMPOSE_ARGS) up -d
	@echo "Airflow: http://127.0.0.1:$${CLUSTER_AIRFLOW_PORT:-8081}  (user admin; password: AIRFLOW_ADMIN_PASSWORD in $(CLUSTER_ENV))"
	@echo "MLflow:  http://127.0.0.1:$${CLUSTER_MLFLOW_PORT:-5001}"
	@echo "rankrepro airflow ...: export AIRFLOW_URL=http://127.0.0.1:$${CLUSTER_AIRFLOW_PORT:-8081}, credentials in $(CLUSTER_ENV)"

down-cluster: compose-cli
	@test -s $(CLUSTER_ENV) || { echo "no $(CLUSTER_ENV): nothing was started with make up-cluster" >&2; exit 1; }
	$(CLUSTER_COMPOSE) $(CLUSTER_COMPOSE_ARGS) down $(DOWN_FLAGS)

# The test starts its own stack (its own project name, secrets and free ports) and removes it.
test-cluster: compose-cli images-cluster
	mvn -B -o -pl tests -am test -Dgroups=cluster -Drankrepro.excludedGroups=none \
	  -Dtest=ClusterStackTest -Dsurefire.failIfNoSpecifiedTests=false
