"""Like for like: the PyTorch references compute rankrepro's losses from rankrepro's weights.

Reads DIR/losses.json and the weights + batch `BenchMain export` wrote, and asserts the initial
loss agrees to 1e-5 relative in float32 and 1e-10 in float64. The losses after a few optimizer
steps (toy: 10 GD steps; ViT/GPT: 3 steps of Adam + clip 1.0 at constant lr 1e-3) are compared
too, with looser bounds (1e-4 / 1e-8): they also check the optimizers match.
usage: check_equivalence.py DIR OUT.json
"""
import json
import math
import sys

from common import load_tensors, set_threads, write

torch = set_threads(2)
import models  # noqa: E402

TOL = {"float32": (1e-5, 1e-4), "float64": (1e-10, 1e-8)}


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def toy_trajectory(t, steps):
    x, y = torch.from_numpy(t["x"]), torch.from_numpy(t["y"])
    head = models.DiagonalHead(x.shape[2])
    with torch.no_grad():
        for n in ("w_k", "w_q", "w_v", "w_o"):
            getattr(head, n).copy_(torch.from_numpy(t[n]))
    out = []
    for _ in range(steps + 1):
        loss = head.loss(x, y)
        out.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in head.parameters():
                p -= 0.01 * p.grad
                p.grad = None
    return out


def model_trajectory(kind, dtype_name, t, fused=False):
    dtype = getattr(torch, dtype_name)
    model = models.load(models.make(kind, dtype, fused), t)
    x, y = models.batch_from(kind, t, dtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    out = []
    for _ in range(3):
        loss = model.loss(x, y)
        out.append(loss.item())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
    with torch.no_grad():
        out.append(model.loss(x, y).item())
    return out


def main(d, out_path):
    djl = json.load(open(f"{d}/losses.json"))
    rows, failures = [], []
    cases = [("toy", "float64", lambda: toy_trajectory(load_tensors(f"{d}/toy.safetensors"), 10))] if "toy" in djl else []
    for kind in [k for k in ("vit", "gpt") if k in djl]:
        for dt, suffix in (("float32", "f32"), ("float64", "f64")):
            for fused in (False, True):  # the reference as a researcher writes it, and with rankrepro's fusions
                cases.append((kind + ("+fused" if fused else ""), dt,
                              lambda k=kind, dt=dt, s=suffix, f=fused: model_trajectory(k, dt, load_tensors(f"{d}/{k}_{s}.safetensors"), f)))
    for kind, dt, run in cases:
        ours = run()
        theirs = djl[kind.split("+")[0]][dt]["trajectory"]
        init_tol, traj_tol = TOL[dt]
        r0 = rel(ours[0], theirs[0])
        rmax = max(rel(a, b) for a, b in zip(ours, theirs))
        ok = r0 <= init_tol and rmax <= traj_tol and all(math.isfinite(v) for v in ours)
        rows.append({"model": kind, "dtype": dt, "djl_loss": theirs[0], "torch_loss": ours[0], "rel_diff": r0,
                     "trajectory_max_rel_diff": rmax, "tolerance": init_tol, "trajectory_tolerance": traj_tol, "ok": ok})
        print(f"{kind:4s} {dt}: DJL {theirs[0]:.12g} torch {ours[0]:.12g} rel {r0:.2e} (<= {init_tol:g}); "
              f"after {len(ours) - 1} steps max rel {rmax:.2e} (<= {traj_tol:g}) {'ok' if ok else 'MISMATCH'}")
        if not ok:
            failures.append(f"{kind} {dt}")
    write(out_path, {"rows": rows, "ok": not failures})
    if failures:
        sys.exit("loss mismatch between rankrepro (DJL) and the PyTorch reference: " + ", ".join(failures))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
