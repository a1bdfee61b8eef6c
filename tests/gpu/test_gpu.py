"""GPU checks (CuPy): the same ops, autograd and executor on gpu(0) agree with cpu.

Skipped without a GPU; run on the device machine with ``tests/gpu/run.sh``.
"""
import numpy as np
import pytest

import mixnet as mx

pytestmark = pytest.mark.skipif(mx.context.num_gpus() == 0, reason="no GPU")


def _both(fn):
    return [fn(ctx) for ctx in (mx.cpu(), mx.gpu(0))]


def test_elementwise_reduce_dot_on_gpu_match_cpu():
    x = np.random.RandomState(0).rand(64, 32).astype(np.float32)

    def run(ctx):
        a = mx.nd.array(x, ctx=ctx)
        y = mx.nd.relu(mx.nd.dot(a, a.T) - 4) + mx.nd.exp(a).sum(axis=1, keepdims=True)
        return mx.nd.softmax(y).asnumpy()
    cpu, gpu = _both(run)
    np.testing.assert_allclose(cpu, gpu, rtol=1e-4, atol=1e-6)


def test_autograd_on_gpu():
    def run(ctx):
        w = mx.nd.array(np.linspace(-1, 1, 12).reshape(3, 4), ctx=ctx)
        w.attach_grad()
        with mx.autograd.record():
            loss = (mx.nd.tanh(w) * w).sum()
        loss.backward()
        return w.grad.asnumpy()
    cpu, gpu = _both(run)
    np.testing.assert_allclose(cpu, gpu, rtol=1e-5)


def test_executor_conv_net_on_gpu():
    data = mx.sym.var("data")
    net = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, name="c")
    net = mx.sym.Pooling(mx.sym.Activation(net, act_type="relu"), kernel=(2, 2),
                         stride=(2, 2), pool_type="max")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(net, num_hidden=3, name="f"),
                               name="softmax")
    rng = np.random.RandomState(1)
    values = None

    def run(ctx):
        nonlocal values
        exe = net.simple_bind(ctx, data=(2, 1, 8, 8))
        if values is None:
            values = {k: rng.uniform(-1, 1, v.shape) for k, v in exe.arg_dict.items()}
            values["softmax_label"] = np.array([0, 2])
        for k, v in values.items():
            exe.arg_dict[k][:] = v
        exe.forward(is_train=True)
        exe.backward()
        return exe.grad_dict["c_weight"].asnumpy()
    cpu, gpu = _both(run)
    np.testing.assert_allclose(cpu, gpu, rtol=1e-4, atol=1e-5)


def test_copies_between_devices_and_random():
    a = mx.nd.arange(6).reshape((2, 3)).as_in_context(mx.gpu(0))
    assert a.context == mx.gpu(0)
    b = a.copyto(mx.cpu())
    assert b.asnumpy().tolist() == [[0, 1, 2], [3, 4, 5]]
    mx.random.seed(3)
    r1 = mx.nd.random.uniform(shape=(4,), ctx=mx.gpu(0)).asnumpy()
    mx.random.seed(3)
    r2 = mx.nd.random.uniform(shape=(4,), ctx=mx.gpu(0)).asnumpy()
    assert (r1 == r2).all()
