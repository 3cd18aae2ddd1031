"""One training step (forward + backward + optimizer) of the PyTorch eager references, timed.

usage: train_step.py DIR MODEL THREADS WARMUP STEPS OUT.json [fused]   (MODEL: toy | vit | gpt)
With "fused", vit/gpt are written with rankrepro's fusions (models.py); the plain form is the reference.
toy: full-batch GD (lr 0.01) on fig1's data from the exported weights, float64, loss read every
step (as rankrepro's trainer reports it). vit/gpt: float32, Adam (0.9, 0.999, 1e-8), fig3's
warm-up + cosine lr, clip_grad_norm_ 1.0, zero_grad, a fresh random batch each step, loss.item().
"""
import math
import sys
import time

from common import Turns, load_tensors, set_threads, summary, write


def lr_at(step, peak=1e-3, warmup=50, total=1200, floor=0.1):
    if step < warmup:
        return peak * step / warmup
    progress = min(1.0, (step - warmup) / (total - warmup))
    return floor * peak + (peak - floor * peak) * 0.5 * (1 + math.cos(math.pi * progress))


def main(d, kind, threads, warmup, steps, out, fused=False):
    torch = set_threads(threads)
    import models
    times = []
    cpu0 = time.process_time()
    turns = Turns()
    if kind == "toy":
        t = load_tensors(f"{d}/toy.safetensors")
        x, y = torch.from_numpy(t["x"]), torch.from_numpy(t["y"])
        head = models.DiagonalHead(x.shape[2])
        with torch.no_grad():
            for n in ("w_k", "w_q", "w_v", "w_o"):
                getattr(head, n).copy_(torch.from_numpy(t[n]))
        params = list(head.parameters())
        turns.begin()
        for s in range(warmup + steps):
            t0 = time.perf_counter()
            loss = head.loss(x, y)
            loss.backward()
            loss.item()
            with torch.no_grad():
                for p in params:
                    p -= 0.01 * p.grad
                    p.grad = None
            if s >= warmup:
                times.append(time.perf_counter() - t0)
            turns.step_done()
    else:
        model = models.load(models.make(kind, torch.float32, fused), load_tensors(f"{d}/{kind}_f32.safetensors"))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
        g = torch.Generator().manual_seed(3)
        turns.begin()
        for s in range(warmup + steps):
            t0 = time.perf_counter()
            x, y = models.random_batch(kind, g)
            for group in opt.param_groups:
                group["lr"] = lr_at(s)
            loss = model.loss(x, y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad()
            loss.item()
            if s >= warmup:
                times.append(time.perf_counter() - t0)
            turns.step_done()
    turns.close()
    cpu_per_step = (time.process_time() - cpu0) / (warmup + steps)
    s = summary(times)
    print(f"{kind} torch{' (fused)' if fused else ''}: median {1e3 * s['median']:.3f} ms (min {1e3 * s['min']:.3f}, max {1e3 * s['max']:.3f}) over {s['n']}")
    write(out, {"side": "pytorch+fused" if fused else "pytorch", "model": kind, "threads": threads, "warmup": warmup, "steps": steps,
                "torch": torch.__version__, "seconds": times, "cpu_seconds_per_step": cpu_per_step})


if __name__ == "__main__":
    a = sys.argv
    main(a[1], a[2], int(a[3]), int(a[4]), int(a[5]), a[6], len(a) > 7 and a[7] == "fused")
