"""Per-head rank analysis of a GPT-2-small-shape checkpoint the way a researcher would write it.

  make-checkpoint PATH            12 layers x 12 heads, d = 768, d_h = 64, random N(0, 0.02^2) weights,
                                  Hugging Face GPT-2 layout (h.{l}.attn.c_attn.weight [d, 3d], c_proj.weight [d, d]), float32
  svd|factored PATH THREADS OUT.json [SPECTRA.csv]
                                  for every head: KQ^h = W_K^h W_Q^hT and PV^h = P^h W_V^hT (d x d, float64),
                                  numpy.linalg.svd(compute_uv=False), and the metrics rank/analyze reports
                                  (stable, effective, numerical rank, nuclear norm); checks the top-d_h singular
                                  values against rankrepro's spectra.csv when given; `factored` instead takes the
                                  R factors of thin QRs of the d x d_h factors and the d_h x d_h SVD (the best numpy)
"""
import csv
import sys
import time

from common import factored_singular_values, write

L, H, D = 12, 12, 768
DH = D // H


def make_checkpoint(path):
    import numpy as np
    from safetensors.numpy import save_file
    rng = np.random.default_rng(0)
    t = {}
    for l in range(L):
        t[f"h.{l}.attn.c_attn.weight"] = (0.02 * rng.standard_normal((D, 3 * D))).astype(np.float32)
        t[f"h.{l}.attn.c_proj.weight"] = (0.02 * rng.standard_normal((D, D))).astype(np.float32)
    save_file(t, path, metadata={"heads": str(H)})


def metrics(s, tol=0.01):
    import numpy as np
    top = s[0]
    p = s / s.sum()
    p = p[p > 0]
    return {"stable_rank": float((s ** 2).sum() / top ** 2), "effective_rank": float(np.exp(-(p * np.log(p)).sum())),
            "numerical_rank": int((s > tol * top).sum()), "nuclear_norm": float(s.sum())}


def svd(path, threads, out, spectra=None, factored=False):
    import os
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    import numpy as np
    from safetensors.numpy import load_file
    t0, c0 = time.perf_counter(), time.process_time()
    w = load_file(path)
    values = {}
    for l in range(L):
        qkv = w[f"h.{l}.attn.c_attn.weight"].astype(np.float64)
        proj = w[f"h.{l}.attn.c_proj.weight"].astype(np.float64)
        for h in range(H):
            cols = slice(h * DH, (h + 1) * DH)
            wq, wk, wv = qkv[:, cols], qkv[:, D:][:, cols], qkv[:, 2 * D:][:, cols]
            p = proj[cols, :].T  # Conv1D: head h's rows of c_proj, transposed
            for name, a, b in (("KQ", wk, wq), ("PV", p, wv)):
                s = factored_singular_values(a, b) if factored else np.linalg.svd(a @ b.T, compute_uv=False)
                metrics(s)
                values[(l, h, name)] = s
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    result = {"side": "numpy-factored" if factored else "numpy", "numpy": np.__version__, "threads": threads, "seconds": [wall], "cpu_seconds": [cpu], "svds": len(values),
              "matrix": f"{D}x{D} float64"}
    if spectra:
        result["max_rel_diff_top_dh"] = compare(values, spectra)
    print(f"numpy {'QR of the factors + 64x64 SVD' if factored else 'full SVD'} of {len(values)} {D}x{D} products on {threads} threads: {wall:.2f} s"
          + (f"; top-{DH} singular values vs rankrepro: max rel diff {result['max_rel_diff_top_dh']:.2e}" if spectra else ""))
    write(out, result)


def compare(values, spectra):
    """Largest relative difference between numpy's top-d_h singular values and rankrepro's spectra.csv."""
    worst = 0.0
    seen = 0
    with open(spectra) as f:
        for row in csv.DictReader(f):
            key = (int(row["layer"]), int(row["head"]), row["product"])
            i = int(row["index"])
            s = values[key]
            worst = max(worst, abs(float(row["sigma"]) - s[i]) / s[0])
            seen += 1
    if seen != L * H * 2 * DH:
        raise SystemExit(f"spectra.csv has {seen} rows, expected {L * H * 2 * DH}")
    return worst


if __name__ == "__main__":
    if sys.argv[1] == "make-checkpoint":
        make_checkpoint(sys.argv[2])
    else:  # svd | factored
        svd(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None, factored=sys.argv[1] == "factored")
