#!/usr/bin/env bash
# Where a training step's time goes, phase by phase (batch, forward, backward, clip, optimizer,
# zero), rankrepro against PyTorch (plain and with rankrepro's fusions), interleaved in turns.
# usage: bench/phases.sh vit|gpt [ROUNDS] [THREADS]   (after `make bench` has exported the weights to work/bench)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: bench/phases.sh vit|gpt [ROUNDS] [THREADS]}
rounds=${2:-2}
threads=${3:-2}
out=$(realpath -m "${BENCH_DIR:-work/bench}")
py="$PWD/${BENCH_VENV:-.venv-bench}/bin/python"
[[ -f $out/${model}_f32.safetensors ]] || { echo "no $out/${model}_f32.safetensors: run make bench (or BenchMain export) first" >&2; exit 2; }
. bin/malloc.env
. bench/ring.sh
export OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
for r in $(seq 1 "$rounds"); do
  ring "${BENCH_BLOCK:-25}" "$out/ring" \
    "java -Dai.djl.offline=true -cp 'tasks/target/test-classes:tasks/target/classes:pipeline/target/lib/*' io.rankrepro.tasks.bench.StepPhases $model $threads 50 300 2>/dev/null | grep median" \
    "cd bench/python && '$py' step_phases.py '$out' $model $threads 50 300" \
    "cd bench/python && '$py' step_phases.py '$out' $model $threads 50 300 fused"
done
