"""A 7B-shaped LLaMA-layout checkpoint's attention, analysed the way a researcher would in numpy.

  make-checkpoint DIR       32 layers x 32 heads, d = 4096, d_h = 128, bf16, only the attention weights
                            (model.layers.{l}.self_attn.{q,k,v,o}_proj.weight, 4 x 32 MiB a layer, 4.3 GB), in
                            two shards with model.safetensors.index.json and a LLaMA-2-7B config.json; seeded
                            N(0, 0.02^2) with a rank-r structure per head so that spectra are not all alike
  gnu-time REPORT OUT.json   wall, CPU and peak RSS of the rankrepro side from GNU time -v
  factored DIR THREADS OUT.json [SPECTRA.csv]
                            the best numpy: per head, R factors of thin QRs of W_K^h, W_Q^h (d x d_h, float64),
                            the d_h x d_h SVD of R_K R_Q^T, the same for P^h, W_V^h; the metrics and balance gap
                            inspect reports; checks the singular values against rankrepro's spectra.csv when given
Reads bf16 with numpy alone (no torch): the raw uint16 shifted into the high half of a float32.
"""
import json
import os
import struct
import sys
import time

from common import factored_singular_values, write

L, H, D = 32, 32, 4096
DH = D // H
PROJ = ("q_proj", "k_proj", "v_proj", "o_proj")


def make_checkpoint(folder):
    import numpy as np
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    names = [f"model.layers.{l}.self_attn.{p}.weight" for l in range(L) for p in PROJ]
    shards = [names[: len(names) // 2], names[len(names) // 2:]]
    weight_map = {}
    for i, part in enumerate(shards):
        file = f"model-{i + 1:05d}-of-00002.safetensors"
        header, offset = {"__metadata__": {"format": "pt"}}, 0
        for n in part:
            header[n] = {"dtype": "BF16", "shape": [D, D], "data_offsets": [offset, offset + D * D * 2]}
            offset += D * D * 2
            weight_map[n] = file
        raw = json.dumps(header).encode()
        raw += b" " * (-len(raw) % 8)
        tmp = os.path.join(folder, file + ".tmp")
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(raw)) + raw)
            for n in part:
                # a low-rank part (rank 8 per 128-row head block) over noise: a trained model's spectra decay
                w = 0.02 * rng.standard_normal((D, D), dtype=np.float32)
                w += (0.05 * rng.standard_normal((D, 8), dtype=np.float32)) @ rng.standard_normal((8, D), dtype=np.float32) / 8
                bits = w.view(np.uint32)
                bf16 = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)  # round to nearest even
                f.write(bf16.tobytes())
        os.replace(tmp, os.path.join(folder, file))
    json.dump({"metadata": {"total_size": len(names) * D * D * 2}, "weight_map": weight_map},
              open(os.path.join(folder, "model.safetensors.index.json"), "w"), indent=1)
    json.dump({"model_type": "llama", "hidden_size": D, "num_attention_heads": H, "num_key_value_heads": H,
               "num_hidden_layers": L, "intermediate_size": 11008, "vocab_size": 32000},
              open(os.path.join(folder, "config.json"), "w"), indent=1)


def tensors(folder):
    """name -> a numpy view of the bf16 bits (memory-mapped: nothing is read until used)."""
    import numpy as np
    index = json.load(open(os.path.join(folder, "model.safetensors.index.json")))["weight_map"]
    out = {}
    for file in sorted(set(index.values())):
        path = os.path.join(folder, file)
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
        mm = np.memmap(path, dtype=np.uint8, mode="r")
        for name, e in header.items():
            if name != "__metadata__":
                b, end = e["data_offsets"]
                out[name] = mm[8 + n + b: 8 + n + end].view(np.uint16).reshape(e["shape"])
    return out


def bf16(bits):
    import numpy as np
    return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def factored(folder, threads, out, spectra=None):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    import resource
    import numpy as np
    t0, c0 = time.perf_counter(), time.process_time()
    w = tensors(folder)
    values, gaps = {}, {}
    for l in range(L):
        q, k, v, o = (bf16(w[f"model.layers.{l}.self_attn.{p}.weight"]) for p in PROJ)
        for h in range(H):
            rows = slice(h * DH, (h + 1) * DH)
            wq, wk, wv, p = q[rows].T, k[rows].T, v[rows].T, o[:, rows]
            for name, a, b in (("KQ", wk, wq), ("PV", p, wv)):
                s = factored_singular_values(a, b)
                half = 0.5 * ((a * a).sum() + (b * b).sum())
                pr = s / s.sum()
                stable, effective = (s ** 2).sum() / s[0] ** 2, np.exp(-(pr * np.log(pr)).sum())
                values[(l, h, name)] = s
                gaps[(l, h, name)] = (half - s.sum()) / half
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"side": "numpy-factored", "numpy": np.__version__, "threads": threads, "seconds": [wall], "cpu_seconds": [cpu],
              "peak_rss_mib": peak, "heads": len(values) // 2, "max_relative_gap": max(gaps.values())}
    if spectra:
        result["max_rel_diff"] = compare(values, spectra)
    print(f"numpy factored (QR + {DH}x{DH} SVD) of {len(values)} products on {threads} threads: {wall:.1f} s, "
          f"peak RSS {peak:.0f} MiB" + (f"; vs rankrepro: max rel diff {result['max_rel_diff']:.2e}" if spectra else ""))
    write(out, result)


def compare(values, spectra):
    import csv
    worst = 0.0
    with open(spectra) as f:
        for row in csv.DictReader(f):
            if row["which"] == "current":
                s = values[(int(row["layer"]), int(row["head"]), row["product"])]
                worst = max(worst, abs(float(row["sigma"]) - s[int(row["index"])]) / s[0])
    return worst


def gnu_time(report, out):
    """Wall seconds and peak RSS of a command from GNU time -v's report."""
    fields = dict(line.strip().rsplit(": ", 1) for line in open(report) if ": " in line)
    h_m_s = [float(x) for x in fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")]
    wall = sum(v * 60 ** i for i, v in enumerate(reversed(h_m_s)))
    cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    write(out, {"side": "rankrepro-inspect", "seconds": [wall], "cpu_seconds": [cpu],
                "peak_rss_mib": int(fields["Maximum resident set size (kbytes)"]) / 1024, "exit": int(fields["Exit status"])})


if __name__ == "__main__":
    if sys.argv[1] == "make-checkpoint":
        make_checkpoint(sys.argv[2])
    elif sys.argv[1] == "gnu-time":
        gnu_time(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "factored":
        factored(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
    else:
        sys.exit(__doc__)
