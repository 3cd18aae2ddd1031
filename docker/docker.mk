# docker/docker.mk: container targets, included by the root Makefile (`include docker/docker.mk`).
#
#   make base-image   debian:bookworm-slim, built locally with debootstrap if it cannot be pulled
#   make images       rankrepro-tasks, rankrepro-mlflow, rankrepro-airflow (and what they need)
#   make image-tasks | image-mlflow | image-airflow
#   make up / down    the local stack of docker/compose.yaml (MLflow :5000, Airflow :8080)
#   make push-image-tasks TASK_REGISTRY=host/path   push the task image, print it by digest (kubernetes)
#
# Every target works from a fresh clone on a machine with a Docker engine; image builds reuse
# Docker's layer cache, so a rebuild after a code change only redoes the last layers.

DOCKER_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
RR_ROOT    := $(abspath $(DOCKER_DIR)/..)
MVN        ?= mvn
# `docker compose` (v2 plugin) where present, else Debian's docker-compose (v1); evaluated lazily.
COMPOSE    ?= $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; \
                elif command -v docker-compose >/dev/null 2>&1; then echo docker-compose; fi)
COMPOSE_FILE_ARGS = -p rankrepro -f $(DOCKER_DIR)/compose.yaml
DOWN_FLAGS ?=

RR_CLI_JAR     := $(RR_ROOT)/pipeline/target/rankrepro.jar
# Everything the CLI jar is built from: rebuild it when any of these is newer.
RR_CLI_SOURCES := $(RR_ROOT)/pom.xml $(wildcard $(RR_ROOT)/*/pom.xml) \
                  $(shell find $(RR_ROOT)/mlflow/src/main $(RR_ROOT)/tasks/src/main \
                          $(RR_ROOT)/pipeline/src/main -type f 2>/dev/null)

# Testcontainers settings for every recipe (the root Makefile's `test` included):
# - no Ryuk: its image cannot be pulled where no registry is reachable; the tests stop their
#   own containers.
# - when this machine is itself a container (/.dockerenv) that runs its own dockerd, mapped
#   ports are on localhost; without the override Testcontainers would look for the Docker
#   gateway by pulling alpine, which fails offline.
export TESTCONTAINERS_RYUK_DISABLED ?= true
# Testcontainers' helper image (alpine) cannot be pulled offline; the local base serves instead.
export TESTCONTAINERS_TINYIMAGE_CONTAINER_IMAGE ?= debian:bookworm-slim
ifeq ($(origin TESTCONTAINERS_HOST_OVERRIDE),undefined)
  ifneq ($(shell test -e /.dockerenv && pgrep -x dockerd >/dev/null 2>&1 && echo yes),)
    export TESTCONTAINERS_HOST_OVERRIDE := localhost
  endif
endif

.PHONY: base-image images image-tasks image-mlflow image-airflow push-image-tasks compose-tool airflow-settings up down

base-image:
	$(DOCKER_DIR)/base/build-base-image.sh

# The CLI jar + lib/ that the task image copies; only rebuilt when missing or stale.
$(RR_CLI_JAR): $(RR_CLI_SOURCES)
	@echo "[images] building the rankrepro CLI (mvn package -DskipTests)"
	cd $(RR_ROOT) && $(MVN) -B -q package -DskipTests
	@touch $@

images: image-tasks image-mlflow image-airflow
	@docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E '^rankrepro-' || true

image-tasks: base-image $(RR_CLI_JAR)
	$(DOCKER_DIR)/build-image.sh tasks

image-mlflow: base-image
	$(DOCKER_DIR)/build-image.sh mlflow

image-airflow: base-image
	$(DOCKER_DIR)/build-image.sh airflow

# The kubernetes variant runs the task image by digest, from a registry the cluster pulls from.
push-image-tasks: image-tasks
	@test -n "$(TASK_REGISTRY)" || { echo "push-image-tasks: set TASK_REGISTRY (the registry the cluster pulls from, e.g. registry.example.com/team)" >&2; exit 2; }
	$(DOCKER_DIR)/push-task-image.sh $(TASK_REGISTRY) $(TASK_TAG)

AIRFLOW_SETTINGS := $(DOCKER_DIR)/.build/airflow.env

# Compose installed (root with apt) or named before a recipe expands $(COMPOSE).
compose-tool:
	@$(DOCKER_DIR)/ensure-compose.sh

# Generated once and kept (git-ignored, mode 600): the JWT secret all Airflow components share and the
# admin password. Run on every `up`: it only adds what is missing.
airflow-settings:
	@$(DOCKER_DIR)/airflow-settings.sh $(AIRFLOW_SETTINGS)

up: compose-tool images airflow-settings
	DOCKER_GID=$$(stat -c %g /var/run/docker.sock 2>/dev/null || echo 0) $(COMPOSE) $(COMPOSE_FILE_ARGS) up -d
	@echo "MLflow:  http://localhost:$${RANKREPRO_MLFLOW_PORT:-5000}"
	@echo "Airflow: http://localhost:$${RANKREPRO_AIRFLOW_PORT:-8080}  (user admin; password: AIRFLOW_ADMIN_PASSWORD in $(AIRFLOW_SETTINGS),"
	@echo "         generated once; bin/rankrepro airflow reads it from there)"

down: compose-tool
	@mkdir -p $(DOCKER_DIR)/.build && touch $(AIRFLOW_SETTINGS)
	$(COMPOSE) $(COMPOSE_FILE_ARGS) down $(DOWN_FLAGS)
