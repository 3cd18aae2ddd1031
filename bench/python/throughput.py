"""make bench part (c): how close a whole DAG run comes to its floor, and what each task costs beyond its own compute.

usage: throughput.py RESULTS_DIR WALL_SECONDS WORKERS OUT.json [RSS_SAMPLES.tsv]
  RESULTS_DIR   the run's --results folder: <experiment>/<profile>/run.json per spec
  WALL_SECONDS  the whole `rankrepro run`'s wall time
  RSS_SAMPLES   optional "seconds pid rss_kib" lines of the run's worker JVMs (bench/run.sh samples them)
"""
import glob
import json
import os
import sys


def main(results, wall, workers, out, rss=None):
    tasks = []
    for f in sorted(glob.glob(os.path.join(results, "**", "run.json"), recursive=True)):
        tasks += [t for t in json.load(open(f))["tasks"] if t["status"] == "RAN"]
    compute = sum(t["computeSeconds"] for t in tasks)
    overhead = [t["wallSeconds"] - t["computeSeconds"] for t in tasks]
    overhead.sort()
    r = {"wall_s": wall, "workers": workers, "tasks_ran": len(tasks), "compute_s": compute,
         "floor_s": compute / workers, "ratio": wall / (compute / workers) if compute else None,
         "overhead_mean_s": sum(overhead) / len(overhead) if overhead else None,
         "overhead_median_s": overhead[len(overhead) // 2] if overhead else None}
    # where the overhead goes: per kind, the count, median, mean and total
    by_kind = {}
    for t in tasks:
        by_kind.setdefault(t["kind"], []).append(t["wallSeconds"] - t["computeSeconds"])
    r["overhead_by_kind"] = {k: {"tasks": len(v), "median_s": sorted(v)[len(v) // 2], "mean_s": sum(v) / len(v),
                                 "sum_s": sum(v)}
                             for k, v in sorted(by_kind.items(), key=lambda kv: -sum(kv[1]))}
    if rss and os.path.exists(rss):
        per = {}
        for line in open(rss):
            s, pid, kib = line.split()
            per.setdefault(pid, []).append((float(s), int(kib)))
        workers_rss = []
        for pid, xs in per.items():
            xs.sort()
            kib = [k for _, k in xs]
            # after its first tenth (JIT, PyTorch loaded) against its last tenth: a leak shows as growth
            n = max(1, len(kib) // 10)
            workers_rss.append({"pid": pid, "samples": len(kib), "seconds": xs[-1][0] - xs[0][0],
                                "early_mib": max(kib[:n]) / 1024, "late_mib": max(kib[-n:]) / 1024, "max_mib": max(kib) / 1024})
        r["rss"] = workers_rss
    json.dump(r, open(out, "w"), indent=2)
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], float(a[1]), int(a[2]), a[3], a[4] if len(a) > 4 else None)
