# MLflow tracking server targets; the root Makefile includes this file.
#   make mlflow-venv     .venv-mlflow/ with the pinned server (mlflow/server/requirements.txt)
#   make mlflow-up       start it on 127.0.0.1:$(MLFLOW_PORT), data under .mlflow/ (no-op when
#                        MLFLOW_TRACKING_URI is set or a server already answers)
#   make mlflow-down     stop the server mlflow-up started
#   make mlflow-status   does a server answer?

MLFLOW_PORT ?= 5000
MLFLOW_VENV ?= .venv-mlflow
MLFLOW_PYTHON ?= python3
MLFLOW_REQUIREMENTS := mlflow/server/requirements.txt
MLFLOW_SERVER_SH := mlflow/server/server.sh

export MLFLOW_PORT

.PHONY: mlflow-venv mlflow-up mlflow-down mlflow-status

mlflow-venv: $(MLFLOW_VENV)/.installed

# The stamp is newer than the requirements once they are installed; editing them reinstalls.
$(MLFLOW_VENV)/.installed: $(MLFLOW_REQUIREMENTS)
	@test -x $(MLFLOW_VENV)/bin/python || $(MLFLOW_PYTHON) -m venv $(MLFLOW_VENV)
	$(MLFLOW_VENV)/bin/pip install --quiet --upgrade pip
	$(MLFLOW_VENV)/bin/pip install --quiet -r $(MLFLOW_REQUIREMENTS)
	@$(MLFLOW_VENV)/bin/mlflow --version
	@touch $@

mlflow-up: $(if $(MLFLOW_TRACKING_URI),,mlflow-venv)
	@MLFLOW_VENV=$(abspath $(MLFLOW_VENV)) $(MLFLOW_SERVER_SH) up

mlflow-down:
	@$(MLFLOW_SERVER_SH) down

mlflow-status:
	@$(MLFLOW_SERVER_SH) status
