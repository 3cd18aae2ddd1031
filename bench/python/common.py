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
