"""Benchmark worker for PyTorch (CPU): the same workloads as workloads_mx.py, written in torch.

usage: python workloads_torch.py {one|default}   (started by run.py; speaks worker_protocol)

"one" also calls torch.set_num_threads(1); the OMP/MKL variables are set by the driver.
Torch is synchronous on CPU, so no sync call is needed before reading the clock.
"""

import itertools
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
    MODULE_CLASSES,
    MODULE_LENET_BATCH,
    MODULE_LENET_ITERS,
    MODULE_LENET_SHAPE,
    MODULE_LR,
    MODULE_MAX_SECONDS,
    MODULE_MIN_ITERS,
    MODULE_MLP_BATCH,
    MODULE_MLP_ITERS,
    MODULE_MLP_LAYERS,
    MODULE_MOMENTUM,
    MODULE_SAMPLES,
    MODULE_WARMUP,
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


def _mlp_model():
    nn = torch.nn
    layers = []
    sizes = MODULE_MLP_LAYERS
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _lenet_model():
    nn = torch.nn
    channels, height, width = MODULE_LENET_SHAPE

    def side(n):  # two (5x5 valid conv, 2x2 pool) stages
        return ((n - 4) // 2 - 4) // 2

    flat = 50 * side(height) * side(width)
    return nn.Sequential(
        nn.Conv2d(channels, 20, 5),
        nn.Tanh(),
        nn.MaxPool2d(2),
        nn.Conv2d(20, 50, 5),
        nn.Tanh(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(flat, 500),
        nn.Tanh(),
        nn.Linear(500, MODULE_CLASSES),
    )


def _module_train(model, sample_shape, batch_size, iters):
    """The Module workloads in torch: zero_grad, forward, CrossEntropyLoss, backward,
    SGD(momentum) step, and the accuracy count that update_metric('acc') does. Batches are
    slices of one random tensor, made before the clock starts; same time cap as the mx side."""
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.random((MODULE_SAMPLES, *sample_shape), dtype=np.float32))
    y = torch.from_numpy(rng.integers(0, MODULE_CLASSES, MODULE_SAMPLES))
    batches = [
        (x[i : i + batch_size], y[i : i + batch_size])
        for i in range(0, MODULE_SAMPLES - batch_size + 1, batch_size)
    ]
    opt = torch.optim.SGD(model.parameters(), lr=MODULE_LR, momentum=MODULE_MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()
    correct = 0

    def step(batch):
        nonlocal correct
        data, label = batch
        opt.zero_grad()
        out = model(data)
        loss_fn(out, label).backward()
        opt.step()
        correct += int((out.argmax(1) == label).sum())

    for i in range(MODULE_WARMUP):
        step(batches[i])
    start = time.perf_counter()
    for i in range(iters):
        step(batches[i % len(batches)])
        if i + 1 >= MODULE_MIN_ITERS and time.perf_counter() - start > MODULE_MAX_SECONDS:
            break
    return (time.perf_counter() - start) / (i + 1), "batch"


def module_mlp():
    return _module_train(_mlp_model(), MODULE_MLP_LAYERS[:1], MODULE_MLP_BATCH, MODULE_MLP_ITERS)


def module_lenet():
    return _module_train(_lenet_model(), MODULE_LENET_SHAPE, MODULE_LENET_BATCH, MODULE_LENET_ITERS)


WORKLOADS = {
    f.__name__: f
    for f in (dispatch_add, chain20, mlp_autograd, engine_parallel, module_mlp, module_lenet)
}


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
