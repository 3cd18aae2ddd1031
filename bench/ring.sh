# Sourced by bench/run.sh and bench/phases.sh.
# ring BLOCK DIR CMD...: runs every CMD (a shell command line) as a concurrent process; they take
# turns of BLOCK steps, passing a token around a ring of named pipes (Turns.java / common.py's Turns),
# so that only one computes at a time and all of them sample the same stretches of a machine whose
# speed drifts. The ring starts once every side has set up (MINE.ready). If a side fails, the
# others are stopped. Returns non-zero if any side failed.
ring() {
  local block=$1 dir=$2
  shift 2
  local cmds=("$@") n=$# i pids=() rc=0
  rm -rf "$dir" && mkdir -p "$dir"
  for ((i = 0; i < n; i++)); do mkfifo "$dir/$i"; done
  for ((i = 0; i < n; i++)); do
    (export BENCH_TURN_MINE=$dir/$i BENCH_TURN_NEXT=$dir/$(((i + 1) % n)) BENCH_TURN_BLOCK=$block; eval "${cmds[$i]}") &
    pids+=($!)
  done
  for ((i = 0; i < n; i++)); do
    local waited=0
    until [[ -f $dir/$i.ready ]]; do
      if ! kill -0 "${pids[$i]}" 2>/dev/null || ((waited++ > 1200)); then
        echo "ring: side $i (${cmds[$i]}) did not start" >&2
        kill "${pids[@]}" 2>/dev/null; wait; rm -rf "$dir"; return 1
      fi
      sleep 0.1
    done
  done
  printf t > "$dir/0"
  for ((i = 0; i < n; i++)); do
    if ! wait -n; then
      rc=1
      kill "${pids[@]}" 2>/dev/null   # the others would wait for the token forever
    fi
  done
  wait
  rm -rf "$dir"
  return $rc
}
