"""Shared helpers: thread setup (before torch is imported), safetensors loading, JSON output."""
import json
import os
import statistics


def set_threads(n):
    """Same intra-op thread count as the Java side: OMP/MKL env for the pools, then torch's setting."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)
    import torch
    torch.set_num_threads(n)
    return torch


def load_tensors(path):
    from safetensors.numpy import load_file
    return load_file(path)


def summary(seconds):
    return {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds), "n": len(seconds)}


def write(path, obj):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)


class Turns:
    """Interleaved timing, the Python side of BenchMain's Turns (see Turns.java): sides take turns of
    BENCH_TURN_BLOCK steps, passing a token around a ring of named pipes (BENCH_TURN_MINE, BENCH_TURN_NEXT),
    so all sides sample the same stretches of a machine whose speed drifts. Without the variables: no-op."""

    def __init__(self):
        mine = os.environ.get("BENCH_TURN_MINE")
        self.block = int(os.environ.get("BENCH_TURN_BLOCK", "25"))
        self.done = 0
        # own pipe read-write (does not wait for a writer); the next side's for writing (waits for it to start)
        self.mine = os.open(mine, os.O_RDWR) if mine else None
        self.next = os.open(os.environ["BENCH_TURN_NEXT"], os.O_WRONLY) if mine else None

    def _await(self):
        if not os.read(self.mine, 1):
            raise OSError("turn pipe closed")

    def begin(self):
        """Says this side is set up (MINE.ready; run.sh starts the ring when all are), then waits for the token."""
        if self.mine is not None:
            with open(os.environ["BENCH_TURN_MINE"] + ".ready", "w") as f:
                f.write("ready\n")
            self._await()

    def step_done(self):
        """After each step, outside its timing: every block steps, hand over and wait for the token back."""
        if self.mine is None:
            return
        self.done += 1
        if self.done % self.block == 0:
            os.write(self.next, b"t")
            self._await()

    def close(self):
        if self.mine is None:
            return
        try:
            os.write(self.next, b"t")
        except BrokenPipeError:
            pass  # the next side is done and gone
        os.close(self.mine)
        os.close(self.next)


def factored_singular_values(a, b):
    """Singular values of A B^T (A, B: d x r, r << d) the way a careful researcher writes it in numpy:
    R factors of thin QRs, then the r x r SVD of R_A R_B^T (never the d x d product)."""
    import numpy as np
    ra, rb = np.linalg.qr(a, mode="r"), np.linalg.qr(b, mode="r")
    return np.linalg.svd(ra @ rb.T, compute_uv=False)
