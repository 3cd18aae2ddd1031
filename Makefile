# rankrepro — every figure and table of two low-rank-attention papers, from tracked artifacts.
#   make reproduce-all [PROFILE=cpu|smoke|paper] [RUNNER=local|docker]   every figure, tracked in MLflow
#   make test                                                           unit + integration tests (real MLflow, containers)
#   make test-fast                                                      unit tests only: the inner loop
#   make build | plan | report | mlflow-up | mlflow-down | up | down | clean
SHELL := /bin/bash
.DEFAULT_GOAL := help

PROFILE ?= cpu
RUNNER ?= local
WORKERS ?= 2
SPECS ?= $(shell find pipeline/experiments -name '*.yaml' | sort)
MVN ?= mvn -B -q
MLFLOW_PORT ?= 5000
RANKREPRO := bin/rankrepro

include mlflow/mlflow.mk
include tests/podspec.mk
include data/data.mk
include data/models.mk
-include docker/docker.mk
-include docker/cluster.mk
-include bench/bench.mk

# The tracking server: the user's if MLFLOW_TRACKING_URI is set, else the local one mlflow-up starts.
TRACKING_URI := $(if $(MLFLOW_TRACKING_URI),$(MLFLOW_TRACKING_URI),http://127.0.0.1:$(MLFLOW_PORT))

JAVA_SOURCES := $(shell find mlflow/src/main tasks/src/main pipeline/src/main -type f 2>/dev/null) $(wildcard */pom.xml) pom.xml

.PHONY: help build reproduce-all report plan test test-fast clean

help:
	@sed -n '2,6p' Makefile | sed 's/^# //'

build: pipeline/target/rankrepro.jar

pipeline/target/rankrepro.jar: $(JAVA_SOURCES)
	$(MVN) install -DskipTests
	@touch $@

## Every figure and table at $(PROFILE), tracked in MLflow; figures under results/.
reproduce-all: build data-cpu mlflow-up $(if $(filter docker,$(RUNNER)),image-tasks)
	@set -e; failed=0; start=$$(date +%s); \
	$(RANKREPRO) run --profile $(PROFILE) --workers $(WORKERS) --runner $(RUNNER) --tracking-uri $(TRACKING_URI) \
	  --spec $(firstword $(SPECS)) $(wordlist 2,999,$(SPECS)) || failed=1; \
	echo; echo "=== report ==="; \
	$(RANKREPRO) report --tracking-uri $(TRACKING_URI) || failed=1; \
	echo; echo "reproduce-all: $$(( $$(date +%s) - start ))s at profile $(PROFILE); MLflow UI: $(TRACKING_URI)"; \
	exit $$failed

## results/report/index.html from what is under results/, logged to MLflow (experiment rankrepro/report).
report: build mlflow-up
	$(RANKREPRO) report --tracking-uri $(TRACKING_URI)

plan: build
	@for spec in $(SPECS); do $(RANKREPRO) plan --spec $$spec --profile $(PROFILE); echo; done

test-fast:
	$(MVN) install -DskipTests
	mvn -B test -pl mlflow,tasks,pipeline

# Images for the container tests, when a Docker engine answers (.ci/run starts one; without one
# the container tests skip outside CI and fail in CI).
DOCKER_UP := $(shell docker info >/dev/null 2>&1 && echo yes)

## Everything: unit tests, then integration tests against a real MLflow server and containers.
test: mlflow-venv podspec-venv data-cpu model-minilm $(if $(DOCKER_UP),images)
	RANKREPRO_REQUIRE_MLFLOW=1 RANKREPRO_REQUIRE_PODSPEC=1 mvn -B install

clean:
	mvn -B -q clean
	rm -rf work results
