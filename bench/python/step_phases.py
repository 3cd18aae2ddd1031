"""Where a PyTorch eager training step's time goes, phase by phase (counterpart of StepPhases.java).

usage: step_phases.py DIR MODEL THREADS WARMUP STEPS [fused]   (DIR: where BenchMain export wrote the weights)
"""
import sys
import time

from common import Turns, load_tensors, set_threads

PHASES = ["batch", "forward", "backward", "clip", "optimizer", "zero"]


def main(d, kind, threads, warmup, steps, fused=False):
    torch = set_threads(threads)
    import models
    model = models.load(models.make(kind, torch.float32, fused), load_tensors(f"{d}/{kind}_f32.safetensors"))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    g = torch.Generator().manual_seed(3)
    t = [[] for _ in PHASES]
    turns = Turns()
    turns.begin()
    for s in range(warmup + steps):
        at = [time.perf_counter()]
        x, y = models.random_batch(kind, g)
        at.append(time.perf_counter())
        loss = model.loss(x, y)
        at.append(time.perf_counter())
        loss.backward()
        loss.item()
        at.append(time.perf_counter())
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        at.append(time.perf_counter())
        opt.step()
        at.append(time.perf_counter())
        opt.zero_grad()
        at.append(time.perf_counter())
        if s >= warmup:
            for k in range(len(PHASES)):
                t[k].append(1e3 * (at[k + 1] - at[k]))
        turns.step_done()
    turns.close()
    med = [sorted(v)[len(v) // 2] for v in t]
    print(f"pytorch{'+fused' if fused else ''} {kind} median ms: " + " ".join(f"{p} {m:.2f}" for p, m in zip(PHASES, med)) + f" (sum {sum(med):.2f})")


if __name__ == "__main__":
    a = sys.argv
    main(a[1], a[2], int(a[3]), int(a[4]), int(a[5]), len(a) > 6 and a[6] == "fused")
