"""Benchmark worker for PyTorch (CPU): the same workloads as workloads_mx.py, written in torch.

usage: python workloads_torch.py {one|default}   (started by run.py; speaks worker_protocol)

"one" also calls torch.set_num_threads(1); the OMP/MKL variables are set by the driver.
Torch is synchronous on CPU, so no sync call is needed before reading the clock.
"""

import os
import sys
import time

import numpy as np

from worker_protocol import serve
from workload_sizes import (
    CHAIN_REPS,
    CHAIN_SIZE,
    DISPATCH_OPS,
    MATMUL_N,
    MLP_BATCH,
    MLP_HIDDEN,
    MLP_IN,
    MLP_ITERS,
    MLP_OUT,
)

torch = None  # set by load()


def dispatch_add():
    a = torch.ones(16)
    b = torch.ones(16)
    for _ in range(100):
        c = a + b
    start = time.perf_counter()
    for _ in range(DISPATCH_OPS):
        c = a + b
    del c
    return (time.perf_counter() - start) / DISPATCH_OPS, "op"


def _chain(x):
    for _ in range(4):
        x = x * 1.0001
        x = x + 0.5
        x = torch.relu(x)
        x = -x
        x = torch.exp(x)
    return x


def chain20():
    x = _chain(torch.rand(*CHAIN_SIZE))
    start = time.perf_counter()
    for _ in range(CHAIN_REPS):
        x = _chain(x)
    return (time.perf_counter() - start) / CHAIN_REPS, "chain"


def _mlp_setup():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.random((MLP_BATCH, MLP_IN), dtype=np.float32))
    y = torch.from_numpy(rng.integers(0, MLP_OUT, MLP_BATCH))
    params = [
        torch.from_numpy(rng.normal(0, 0.05, (MLP_IN, MLP_HIDDEN)).astype(np.float32)),
        torch.zeros(1, MLP_HIDDEN),
        torch.from_numpy(rng.normal(0, 0.05, (MLP_HIDDEN, MLP_OUT)).astype(np.float32)),
        torch.zeros(1, MLP_OUT),
    ]
    for p in params:
        p.requires_grad_(True)
    return x, y, params


def _mlp_step(x, y, params):
    w1, b1, w2, b2 = params
    h = torch.relu(x @ w1 + b1)
    out = h @ w2 + b2
    loss = -torch.log_softmax(out, dim=-1).gather(1, y[:, None]).mean()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= 0.1 * p.grad
            p.grad = None


def mlp_autograd():
    x, y, params = _mlp_setup()
    for _ in range(2):
        _mlp_step(x, y, params)
    start = time.perf_counter()
    for _ in range(MLP_ITERS):
        _mlp_step(x, y, params)
    return (time.perf_counter() - start) / MLP_ITERS, "iter"


def engine_parallel():
    """Reference point only: torch runs the two matmuls one after the other."""
    a, b, c, d = (torch.rand(MATMUL_N, MATMUL_N) for _ in range(4))
    torch.mm(a, b)
    start = time.perf_counter()
    p = torch.mm(a, b)
    q = torch.mm(c, d)
    del p, q
    return time.perf_counter() - start, "pair"


WORKLOADS = {f.__name__: f for f in (dispatch_add, chain20, mlp_autograd, engine_parallel)}


def load():
    global torch
    import torch as module

    torch = module
    if sys.argv[1] == "one":
        torch.set_num_threads(1)
    torch.manual_seed(0)
    info = {
        "module": "torch",
        "version": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "torch_threads": torch.get_num_threads(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "(default)"),
    }
    return WORKLOADS, info


if __name__ == "__main__":
    serve(load)
