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


def _mlp_symbol():
    """784-512-256-10 MLP with relu, SoftmaxOutput (label: softmax_label)."""
    x = mx.sym.Variable("data")
    *hidden, out = MODULE_MLP_LAYERS[1:]
    for i, n in enumerate(hidden, 1):
        x = mx.sym.FullyConnected(x, num_hidden=n, name=f"fc{i}")
        x = mx.sym.Activation(x, act_type="relu", name=f"relu{i}")
    x = mx.sym.FullyConnected(x, num_hidden=out, name=f"fc{len(hidden) + 1}")
    return mx.sym.SoftmaxOutput(x, name="softmax")


def _lenet_symbol():
    """LeNet as in MXNet's image-classification example: conv5x5x20, tanh, maxpool 2,
    conv5x5x50, tanh, maxpool 2, fc500, tanh, fc10, SoftmaxOutput."""
    x = mx.sym.Variable("data")
    for i, filters in enumerate((20, 50), 1):
        x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=filters, name=f"conv{i}")
        x = mx.sym.Activation(x, act_type="tanh", name=f"tanh{i}")
        x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2), name=f"pool{i}")
    x = mx.sym.Flatten(x)
    x = mx.sym.FullyConnected(x, num_hidden=500, name="fc1")
    x = mx.sym.Activation(x, act_type="tanh", name="tanh3")
    x = mx.sym.FullyConnected(x, num_hidden=MODULE_CLASSES, name="fc2")
    return mx.sym.SoftmaxOutput(x, name="softmax")


def _module_train(symbol, sample_shape, batch_size, iters):
    """Seconds per batch of Module training: forward_backward, update, update_metric('acc').

    The module is bound and initialised fresh each time (untimed); the batches come from an
    NDArrayIter over random data, fetched before the clock starts, so the iterator is not
    timed. update_metric reads the outputs back (asnumpy), a sync point every batch, as in
    Module.fit. At most ``iters`` batches are timed, fewer once MODULE_MAX_SECONDS have passed.
    """
    rng = np.random.default_rng(0)
    x = rng.random((MODULE_SAMPLES, *sample_shape), dtype=np.float32)
    y = rng.integers(0, MODULE_CLASSES, MODULE_SAMPLES).astype(np.float32)
    it = mx.io.NDArrayIter(x, y, batch_size=batch_size, label_name="softmax_label")
    mod = mx.mod.Module(symbol, context=mx.cpu())
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label, for_training=True)
    mod.init_params(initializer=mx.init.Xavier())
    mod.init_optimizer(
        optimizer="sgd",
        optimizer_params={"learning_rate": MODULE_LR, "momentum": MODULE_MOMENTUM},
    )
    metric = mx.metric.create("acc")
    batches = list(it)

    def step(batch):
        mod.forward_backward(batch)
        mod.update()
        mod.update_metric(metric, batch.label)

    for i in range(MODULE_WARMUP):
        step(batches[i])
    mx.nd.waitall()
    start = time.perf_counter()
    for i in range(iters):
        step(batches[i % len(batches)])
        if i + 1 >= MODULE_MIN_ITERS and time.perf_counter() - start > MODULE_MAX_SECONDS:
            break
    mx.nd.waitall()
    return (time.perf_counter() - start) / (i + 1), "batch"


def module_mlp():
    return _module_train(_mlp_symbol(), MODULE_MLP_LAYERS[:1], MODULE_MLP_BATCH, MODULE_MLP_ITERS)


def module_lenet():
    return _module_train(
        _lenet_symbol(), MODULE_LENET_SHAPE, MODULE_LENET_BATCH, MODULE_LENET_ITERS
    )


WORKLOADS = {
    f.__name__: f
    for f in (dispatch_add, chain20, mlp_autograd, engine_parallel, module_mlp, module_lenet)
}


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
