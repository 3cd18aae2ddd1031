"""Independent check of `rankrepro inspect` on a BERT-layout Hugging Face model, in numpy.

Reads model.safetensors itself (json header + numpy.frombuffer: none of rankrepro's code), forms
every head's dense d x d products KQ^h = W_K^h W_Q^hT and PV^h = P^h W_V^hT, takes their full SVD,
and compares stable rank, nuclear norm, effective rank and the balance gap with what inspect wrote
(ranks.csv, balance.csv). Exit 0 when every head agrees to RTOL, 1 otherwise.

    python inspect_reference.py MODEL_DIR INSPECT_OUT_DIR
"""
import csv
import json
import struct
import sys

import numpy as np

RTOL = 1e-8
DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16}


def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__" or e["dtype"] not in DTYPES:
            continue
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(data[b:end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).astype(np.float64)
    return out


def reference(model_dir):
    cfg = json.load(open(model_dir + "/config.json"))
    d, heads, layers = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    dh = d // heads
    t = tensors(model_dir + "/model.safetensors")
    rows = {}
    for l in range(layers):
        base = f"encoder.layer.{l}.attention."
        wq, wk, wv = (t[base + f"self.{n}.weight"] for n in ("query", "key", "value"))
        wo = t[base + "output.dense.weight"]
        for h in range(heads):
            sl = slice(h * dh, (h + 1) * dh)
            q, k, v = wq[sl, :].T, wk[sl, :].T, wv[sl, :].T  # Linear [out, in]: head h is rows h*dh..
            p = wo[:, sl]                                      # the output's input features are the heads
            for product, a, b in (("KQ", k, q), ("PV", p, v)):
                s = np.linalg.svd(a @ b.T, compute_uv=False)
                prob = s / s.sum()
                prob = prob[prob > 0]
                half = 0.5 * ((a ** 2).sum() + (b ** 2).sum())
                rows[(l, h, product)] = {
                    "stable_rank": (s ** 2).sum() / s[0] ** 2,
                    "nuclear_norm": s.sum(),
                    "effective_rank": np.exp(-(prob * np.log(prob)).sum()),
                    "frobenius_side": half,
                    "gap": half - s.sum(),
                    "relative_gap": (half - s.sum()) / half,
                }
    return rows


def main(model_dir, out_dir):
    ref = reference(model_dir)
    got = {}
    for name in ("ranks.csv", "balance.csv"):
        for r in csv.DictReader(open(out_dir + "/" + name)):
            if r["which"] == "current":
                got.setdefault((int(r["layer"]), int(r["head"]), r["product"]), {}).update(r)
    worst = {}
    bad = 0
    for key, want in ref.items():
        have = got.get(key)
        if have is None:
            print(f"missing head {key}")
            bad += 1
            continue
        for metric, value in want.items():
            # gaps are differences of O(100) terms: compare them on the scale of the Frobenius side
            scale = want["frobenius_side"] if metric in ("gap", "relative_gap") else abs(value)
            if metric == "relative_gap":
                scale = 1.0
            err = abs(float(have[metric]) - value) / scale
            worst[metric] = max(worst.get(metric, 0.0), err)
            if err > RTOL:
                print(f"layer {key[0]} head {key[1]} {key[2]} {metric}: inspect {have[metric]} numpy {value!r} (rel. error {err:.2e})")
                bad += 1
    if len(got) != len(ref):
        print(f"inspect wrote {len(got)} (layer, head, product) rows, numpy has {len(ref)}")
        bad += 1
    print(f"{len(ref)} head products checked against numpy's dense SVD; largest relative errors: "
          + ", ".join(f"{m} {e:.1e}" for m, e in worst.items()))
    stable = [ref[k]["stable_rank"] for k in ref if k[2] == "KQ"]
    print(f"numpy: KQ stable rank {min(stable):.3f}..{max(stable):.3f}, "
          f"max relative gap {max(r['relative_gap'] for r in ref.values()):.4f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
