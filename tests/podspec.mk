# The pod-spec check's Python (tests/.../airflow/PodSpecTest); the root Makefile includes this file.
#   make podspec-venv   .venv-podspec/ with the Airflow image's own packages (docker/airflow: the same
#                       Airflow and cncf-kubernetes provider, same constraints) plus Kubernetes' schemas

PODSPEC_VENV ?= .venv-podspec
PODSPEC_PYTHON ?= python3
PODSPEC_REQUIREMENTS := docker/airflow/requirements.txt tests/src/test/python/podspec-requirements.txt
PODSPEC_CONSTRAINTS := docker/airflow/constraints.txt

.PHONY: podspec-venv

podspec-venv: $(PODSPEC_VENV)/.installed

# The stamp is newer than the requirements once they are installed; editing them reinstalls.
$(PODSPEC_VENV)/.installed: $(PODSPEC_REQUIREMENTS) $(PODSPEC_CONSTRAINTS)
	@test -x $(PODSPEC_VENV)/bin/python || $(PODSPEC_PYTHON) -m venv $(PODSPEC_VENV)
	$(PODSPEC_VENV)/bin/pip install --quiet --disable-pip-version-check $(addprefix -r ,$(PODSPEC_REQUIREMENTS)) -c $(PODSPEC_CONSTRAINTS)
	@$(PODSPEC_VENV)/bin/python -c "import airflow.providers.cncf.kubernetes, kubernetes_validate; print('podspec venv: Airflow', __import__('airflow').__version__)"
	@touch $@
