#!/usr/bin/env bash
# make bench: rankrepro (DJL / EJML) against PyTorch eager and numpy on this machine, side by side,
# then docs/BENCHMARKS.md's tables and docs/benchmarks.png. Run through `make bench` (it builds
# first); knobs: BENCH_AB (0 skips the export and parts a, b) BENCH_7B (0 skips part d) BENCH_THREADS BENCH_WARMUP BENCH_STEPS BENCH_ROUNDS
# BENCH_BLOCK BENCH_TOY_BLOCK (steps per turn) BENCH_PIPELINE (0 skips part c).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${BENCH_DIR:-work/bench}")   # absolute: the python steps run from bench/python
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-50}
steps=${BENCH_STEPS:-300}
# The toy head's step is ~0.6 ms: 50 warm-up steps leave the JVM still compiling (ratios swung
# 0.94-1.37 between runs); 2000 warm-up + 3000 timed steps cost ~3 s a side and reach steady state.
toy_warmup=${BENCH_TOY_WARMUP:-2000}
toy_steps=${BENCH_TOY_STEPS:-3000}
rounds=${BENCH_ROUNDS:-2}
block=${BENCH_BLOCK:-25}            # steps per turn (vit/gpt: ~1-2 s)
toy_block=${BENCH_TOY_BLOCK:-250}   # the toy's steps are ~100x shorter
py="$PWD/${BENCH_VENV:-.venv-bench}/bin/python"
java=(java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
      -cp "${BENCH_CP_PREPEND:+$BENCH_CP_PREPEND:}tasks/target/test-classes:tasks/target/classes:pipeline/target/lib/*" io.rankrepro.tasks.bench.BenchMain)
mkdir -p "$out"
. bin/malloc.env   # the malloc settings every rankrepro JVM runs with
. bench/ring.sh
if [[ ${BENCH_AB:-1} != 0 ]]; then
rm -f "$out"/java_*.json "$out"/torch_*.json "$out"/torchfused_*.json
uptime > "$out/uptime_before.txt"
lscpu > "$out/lscpu.txt"
date -u +%FT%TZ > "$out/started.txt"
fi
# one process of each side sees the same thread count: PyTorch's intra-op pool (JniUtils / torch.set_num_threads)
# and the OpenMP/MKL pools via the environment
export OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads

if [[ ${BENCH_AB:-1} != 0 ]]; then
echo "== export: rankrepro's init weights + a batch, and DJL's losses"
"${java[@]}" export "$out"
echo "== like for like: the PyTorch references compute the same losses"
(cd bench/python && "$py" check_equivalence.py "$out" "$out/equivalence.json")

echo "== (a) one training step, $rounds rounds of $warmup warm-up + $steps timed steps per side, interleaved in turns of $block steps"
# The sides run as concurrent processes that take turns (bench/ring.sh): only the one holding the
# token computes, so all sample the same stretches of a machine whose speed drifts.
# vit/gpt have a third side: the PyTorch reference written with rankrepro's fusions (models.py,
# fused=True), so the table shows the comparison with what a researcher writes and at equal effort.
for model in toy vit gpt; do
  t=$threads w=$warmup n=$steps b=$block
  [[ $model == toy ]] && t=1 w=$toy_warmup n=$toy_steps b=$toy_block   # DiagonalHeadTrainer pins PyTorch to 1 thread; the reference gets the same
  for r in $(seq 1 "$rounds"); do
    sides=("OMP_NUM_THREADS=$t ${java[*]@Q} train-step $model $t $w $n '$out/java_${model}_$r.json'"
           "cd bench/python && OMP_NUM_THREADS=$t '$py' train_step.py '$out' $model $t $w $n '$out/torch_${model}_$r.json'")
    [[ $model == toy ]] || sides+=("cd bench/python && OMP_NUM_THREADS=$t '$py' train_step.py '$out' $model $t $w $n '$out/torchfused_${model}_$r.json' fused")
    ring "$b" "$out/ring" "${sides[@]}"
  done
done

echo "== (b) rank analysis of a GPT-2-small-shape checkpoint (12x12 heads, d=768, d_h=64)"
[[ -f $out/gpt2_shape.safetensors ]] || "$py" bench/python/rank_svd.py make-checkpoint "$out/gpt2_shape.safetensors"
"${java[@]}" rank "$out/gpt2_shape.safetensors" 5 "$out/java_rank.json"
"$py" bench/python/rank_svd.py svd "$out/gpt2_shape.safetensors" "$threads" "$out/numpy_rank.json" "$out/rank_spectra.csv"
"$py" bench/python/rank_svd.py factored "$out/gpt2_shape.safetensors" "$threads" "$out/numpy_rank_factored.json" "$out/rank_spectra.csv"
fi

if [[ ${BENCH_7B:-1} != 0 ]]; then
  # 4.3 GB of bf16 attention weights, synthesised once (seeded) and kept under .cache/bench/, never committed
  llama=${BENCH_7B_DIR:-.cache/bench/llama7b-shape}
  echo "== (d) rankrepro inspect of a 7B-shaped LLaMA-layout checkpoint (32 layers x 32 heads, d=4096, bf16) vs numpy's factored path"
  [[ -f $llama/model.safetensors.index.json ]] || (df -h "$(dirname "$llama")" && "$py" bench/python/llama7b.py make-checkpoint "$llama")
  # the files read once beforehand, so that neither side pays the disk (each side maps or reads them itself)
  cat "$llama"/*.safetensors > /dev/null
  rm -rf "$out/inspect7b" "$out/inspect7b-work"
  /usr/bin/time -v -o "$out/inspect7b.time" java -Dai.djl.offline=true -Djava.awt.headless=true -jar pipeline/target/rankrepro.jar \
    inspect "$llama" --no-tracking --workdir "$out/inspect7b-work" --out "$out/inspect7b" > "$out/inspect7b.log"
  "$py" bench/python/llama7b.py gnu-time "$out/inspect7b.time" "$out/java_inspect7b.json"
  cat "$llama"/*.safetensors > /dev/null
  (cd bench/python && "$py" llama7b.py factored "$OLDPWD/$llama" "$threads" "$out/numpy_inspect7b.json" "$out/inspect7b/spectra.csv")
fi

if [[ ${BENCH_PIPELINE:-1} != 0 ]]; then
  echo "== (c) pipeline overhead: no-op rerun of reproduce-all (smoke), after one run that fills the cache"
  make --no-print-directory reproduce-all PROFILE=smoke > "$out/reproduce_fill.log" 2>&1 || echo "(the filling run failed: see $out/reproduce_fill.log)"
  start=$(date +%s.%N)
  rc=0; make --no-print-directory reproduce-all PROFILE=smoke > "$out/reproduce_noop.log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  skipped=$(grep -ci "skip" "$out/reproduce_noop.log" || true)
  ran=$(grep -cE "^\s*(ran|done)\b" "$out/reproduce_noop.log" || true)
  printf '{"seconds": [%s], "exit": %d, "skip_lines": %d}\n' "$(echo "$end - $start" | bc)" "$rc" "$skipped" > "$out/noop_rerun.json"
  echo "no-op rerun: $(echo "$end - $start" | bc) s (exit $rc)"
  echo "== (c) throughput: every spec at profile ${BENCH_THROUGHPUT_PROFILE:-cpu} on a fresh work folder, ${BENCH_WORKERS:-2} warm workers"
  # the workers share the cores themselves (OMP_NUM_THREADS = cores / workers): not the bench's thread setting
  tp="$out/throughput"; rm -rf "$tp"; mkdir -p "$tp"
  specs=($(find pipeline/experiments -name '*.yaml' | sort))
  start=$(date +%s.%N)
  env -u OMP_NUM_THREADS -u MKL_NUM_THREADS -u OPENBLAS_NUM_THREADS bin/rankrepro run --profile "${BENCH_THROUGHPUT_PROFILE:-cpu}" \
    --workers "${BENCH_WORKERS:-2}" --tracking-uri "${TRACKING_URI:-http://127.0.0.1:5000}" --workdir "$tp/work" --results "$tp/results" \
    --spec "${specs[0]}" "${specs[@]:1}" > "$tp/run.log" 2>&1 || echo "(the throughput run failed: see $tp/run.log)"
  end=$(date +%s.%N)
  "$py" bench/python/throughput.py "$tp/results" "$(echo "$end - $start" | bc)" "${BENCH_WORKERS:-2}" "$out/throughput.json" > /dev/null
  echo "== (c) warm workers' resident memory over 200 small PyTorch tasks (bench/specs/warm-workers.yaml)"
  ww="$out/warm-workers"; rm -rf "$ww"; mkdir -p "$ww"
  start=$(date +%s.%N)
  env -u OMP_NUM_THREADS -u MKL_NUM_THREADS -u OPENBLAS_NUM_THREADS bin/rankrepro run --spec bench/specs/warm-workers.yaml \
    --workers 2 --no-tracking --workdir "$ww/work" --results "$ww/results" > "$ww/run.log" 2>&1 &
  runpid=$!
  while kill -0 "$runpid" 2>/dev/null; do   # every worker JVM of the run, twice a second
    for c in $(pgrep -P "$runpid"); do
      kib=$(awk '/^VmRSS/{print $2}' "/proc/$c/status" 2>/dev/null || true)
      [[ -n $kib ]] && echo "$(echo "$(date +%s.%N) - $start" | bc) $c $kib" >> "$ww/rss.tsv"
    done
    sleep 0.5
  done
  wait "$runpid" || echo "(the warm-worker run failed: see $ww/run.log)"
  end=$(date +%s.%N)
  "$py" bench/python/throughput.py "$ww/results" "$(echo "$end - $start" | bc)" 2 "$out/warm_workers.json" "$ww/rss.tsv" > /dev/null
  echo "== (c) MLflow logging share of transformer/train (fig3 cpu ViT)"
  "${java[@]}" mlflow-share "${TRACKING_URI:-http://127.0.0.1:5000}" "${BENCH_MLFLOW_STEPS:-300}" "$out/mlflow_share.json"
  echo "== (c) MLflow system-metrics sampling's share of a training (toy head; MLflow's default 10 s and a 1 s interval)"
  "${java[@]}" system-metrics "${BENCH_SYSMETRICS_STEPS:-60000}" 10,1 "$out/system_metrics_share.json"
fi

uptime > "$out/uptime_after.txt"
"$py" bench/python/report.py "$out" docs/BENCHMARKS.md docs/benchmarks.png
