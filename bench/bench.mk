# Benchmarks: rankrepro against PyTorch eager and numpy, side by side (docs/BENCHMARKS.md).
#   make bench        all of it: builds, makes the bench venv, runs bench/run.sh, rewrites the tables
#                     in docs/BENCHMARKS.md and docs/benchmarks.png (never part of `make test`)
#   make bench-venv   .venv-bench/ with torch 2.7.1 (the libtorch DJL runs), numpy, safetensors, matplotlib
# Knobs: BENCH_THREADS (2) BENCH_WARMUP (50) BENCH_STEPS (300) BENCH_ROUNDS (2) BENCH_PIPELINE (1; 0 skips the
# reproduce-all and MLflow parts) BENCH_MLFLOW_STEPS (300), BENCH_MLFLOW_ROUNDS (1).

BENCH_VENV ?= .venv-bench
BENCH_PYTHON ?= python3
BENCH_SOURCES := $(wildcard tasks/src/test/java/io/rankrepro/tasks/bench/*.java)

.PHONY: bench bench-venv bench-classes

bench-venv: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: bench/python/requirements.txt
	@test -x $(BENCH_VENV)/bin/python || $(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -r bench/python/requirements.txt
	@touch $@

# the Java side lives in tasks' test sources (plain mains, not tests)
bench-classes: build tasks/target/test-classes/io/rankrepro/tasks/bench/BenchMain.class

tasks/target/test-classes/io/rankrepro/tasks/bench/BenchMain.class: $(BENCH_SOURCES)
	$(MVN) test-compile -pl tasks

bench: bench-classes bench-venv mlflow-up
	BENCH_VENV=$(BENCH_VENV) TRACKING_URI=$(TRACKING_URI) bench/run.sh
