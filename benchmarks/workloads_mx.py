"""Benchmark worker for mixnet and for the reference MXNet 1.9.1: the same code drives both.

usage: python workloads_mx.py {mixnet|mxnet}   (started by run.py; speaks worker_protocol)

Each workload builds its inputs, warms up, then times only the measured loop, ending at a
sync point (waitall / wait_to_read) so asynchronous engines are charged for their work.
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

mx = None  # set by load(): the mixnet or mxnet module


def dispatch_add():
    a = mx.nd.ones((16,))
    b = mx.nd.ones((16,))
    for _ in range(100):
        c = a + b
    mx.nd.waitall()
    start = time.perf_counter()
    for _ in range(DISPATCH_OPS):
        c = a + b
    mx.nd.waitall()
    del c
    return (time.perf_counter() - start) / DISPATCH_OPS, "op"


def _chain(x):
    """20 elementwise ops; values stay in (0, 1], so the chain can be repeated forever."""
    for _ in range(4):
        x = x * 1.0001
        x = x + 0.5
        x = mx.nd.relu(x)
        x = -x
        x = mx.nd.exp(x)
    return x


def chain20():
    x = mx.nd.array(np.random.rand(*CHAIN_SIZE).astype(np.float32))
    x = _chain(x)
    x.wait_to_read()
    start = time.perf_counter()
    for _ in range(CHAIN_REPS):
        x = _chain(x)
    x.wait_to_read()
    return (time.perf_counter() - start) / CHAIN_REPS, "chain"


def _mlp_setup():
    rng = np.random.default_rng(0)
    x = mx.nd.array(rng.random((MLP_BATCH, MLP_IN), dtype=np.float32))
    y = mx.nd.array(rng.integers(0, MLP_OUT, MLP_BATCH).astype(np.float32))
    params = [
        mx.nd.array(rng.normal(0, 0.05, (MLP_IN, MLP_HIDDEN)).astype(np.float32)),
        mx.nd.zeros((1, MLP_HIDDEN)),
        mx.nd.array(rng.normal(0, 0.05, (MLP_HIDDEN, MLP_OUT)).astype(np.float32)),
        mx.nd.zeros((1, MLP_OUT)),
    ]
    for p in params:
        p.attach_grad()
    return x, y, params


def _mlp_step(x, y, params):
    w1, b1, w2, b2 = params
    with mx.autograd.record():
        h = mx.nd.relu(mx.nd.dot(x, w1) + b1)
        out = mx.nd.dot(h, w2) + b2
        loss = -mx.nd.pick(mx.nd.log_softmax(out), y).mean()
    loss.backward()
    for p in params:
        mx.nd.sgd_update(p, p.grad, lr=0.1, out=p)


def mlp_autograd():
    x, y, params = _mlp_setup()
    for _ in range(2):
        _mlp_step(x, y, params)
    mx.nd.waitall()
    start = time.perf_counter()
    for _ in range(MLP_ITERS):
        _mlp_step(x, y, params)
    mx.nd.waitall()
    return (time.perf_counter() - start) / MLP_ITERS, "iter"


def engine_parallel():
    """Two independent matmuls pushed back to back; a threaded engine may overlap them."""
    rng = np.random.default_rng(0)
    a, b, c, d = (mx.nd.array(rng.random((MATMUL_N, MATMUL_N), dtype=np.float32)) for _ in range(4))
    mx.nd.dot(a, b).wait_to_read()
    start = time.perf_counter()
    p = mx.nd.dot(a, b)
    q = mx.nd.dot(c, d)
    mx.nd.waitall()
    del p, q
    return time.perf_counter() - start, "pair"


WORKLOADS = {f.__name__: f for f in (dispatch_add, chain20, mlp_autograd, engine_parallel)}


def load():
    global mx
    framework = sys.argv[1]
    if framework == "mixnet":
        import mixnet as module
    elif framework == "mxnet":
        import mxnet as module
    else:
        raise ValueError(f"workloads_mx.py: framework must be mixnet or mxnet, got {framework!r}")
    mx = module
    np.random.seed(0)
    info = {
        "module": module.__name__,
        "version": getattr(module, "__version__", "?"),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "MXNET_ENGINE_TYPE": os.environ.get("MXNET_ENGINE_TYPE", "(default)"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "(default)"),
    }
    return WORKLOADS, info


if __name__ == "__main__":
    serve(load)
