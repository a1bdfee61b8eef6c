import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample

LENGTH = np.array([2, 0, 3], dtype=np.int32)


def _softmax(x, axis=-1, temperature=None, dtype=None, use_length=False, length=None):
    z = x / (temperature or 1.0)
    if length is not None:
        pos = np.arange(x.shape[axis]).reshape([-1 if d == axis % x.ndim else 1
                                                for d in range(x.ndim)])
        z = np.where(pos < np.expand_dims(length, axis), z, -np.inf)
    z = z - np.where(np.isfinite(z.max(axis, keepdims=True)), z.max(axis, keepdims=True), 0)
    e = np.exp(z)
    s = e.sum(axis, keepdims=True)
    return (e / np.where(s > 0, s, 1)).astype(dtype or x.dtype)


def softmax_ref(x, length=None, **p):
    return _softmax(x, length=length, **p)


def softmin_ref(x, **p):
    return _softmax(-x, **p)


def log_softmax_ref(x, axis=-1, temperature=None, dtype=None):
    z = x / (temperature or 1.0)
    z = z - z.max(axis, keepdims=True)
    return (z - np.log(np.exp(z).sum(axis, keepdims=True))).astype(dtype or x.dtype)


def bw_softmax_ref(g, y, axis=-1, temperature=None):
    return (g - (g * y).sum(axis, keepdims=True)) * y / (temperature or 1.0)


def bw_log_softmax_ref(g, y, axis=-1, temperature=None):
    return (g - np.exp(y) * g.sum(axis, keepdims=True)) / (temperature or 1.0)


SAMPLES = [
    Sample("softmax", [(3, 4)], ref=softmax_ref),
    Sample("softmax", [(3, 4, 2)], {"axis": 1, "temperature": 2.0}, ref=softmax_ref),
    Sample("softmax", [(3, 4)], {"dtype": "float64"}, ref=softmax_ref),
    Sample("softmax", [(3, 4), LENGTH], {"use_length": True}, ref=softmax_ref),
    Sample("softmax", [(3, 2), np.array([1, 3], dtype=np.int64)],
           {"axis": 0, "use_length": True}, ref=softmax_ref),
    Sample("softmin", [(3, 4)], ref=softmin_ref),
    Sample("softmin", [(3, 4)], {"axis": 0, "temperature": 0.5}, ref=softmin_ref),
    Sample("log_softmax", [(3, 4)], ref=log_softmax_ref),
    Sample("log_softmax", [(2, 3, 4)], {"axis": -2, "temperature": 3.0}, ref=log_softmax_ref),
    # higher-order rules: the backward ops' own gradients are checked numerically
    Sample("_backward_softmax", [(3, 4), (3, 4)], ref=bw_softmax_ref),
    Sample("_backward_softmax", [(3, 4), (3, 4)], {"axis": 0, "temperature": 2.0},
           ref=bw_softmax_ref),
    Sample("_backward_log_softmax", [(3, 4), (3, 4)], ref=bw_log_softmax_ref),
    Sample("_backward_log_softmax", [(2, 3), (2, 3)], {"axis": 0, "temperature": 0.5},
           ref=bw_log_softmax_ref),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_values_match_mxnet():
    x = mx.nd.array([[3, 1, 2], [0, 5, 4]])
    # values from MXNet 1.9.1
    np.testing.assert_allclose(mx.nd.softmax(x, temperature=2.0).asnumpy(),
                               [[0.5065, 0.1863, 0.3072], [0.0486, 0.5922, 0.3592]], atol=1e-4)
    length = mx.nd.array([2, 0], dtype="int32")
    np.testing.assert_allclose(mx.nd.softmax(x, length, use_length=True).asnumpy(),
                               [[0.8808, 0.1192, 0], [0, 0, 0]], atol=1e-4)


def test_output_dtype_and_gradient_dtype():
    x = mx.nd.array([[3, 1, 2], [0, 5, 4]], dtype="float16")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.softmax(x, dtype="float32")
    assert y.dtype == np.float32
    y.backward(mx.nd.array([[1, 2, 3], [4, 5, 6]]))
    assert x.grad.dtype == np.float16
    # MXNet 1.9.1 gives these (its float16 arithmetic rounds more than ours: atol)
    np.testing.assert_allclose(x.grad.asnumpy(), [[-0.3845, 0.03796, 0.348],
                                                  [-0.006165, -0.1875, 0.1986]], atol=5e-3)


def test_length_gets_no_gradient():
    x = mx.nd.array([[3, 1, 2], [0, 5, 4]])
    length = mx.nd.array([2, 1], dtype="int32")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.softmax(x, length, use_length=True)
    y.backward(mx.nd.array([[1, 2, 3], [4, 5, 6]]))
    # MXNet 1.9.1: [[-0.10499, 0.10499, 0], [0, 0, 0]]
    np.testing.assert_allclose(x.grad.asnumpy(), [[-0.104994, 0.104994, 0], [0, 0, 0]],
                               atol=1e-5)


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.softmax(x, axis=2), ["softmax", "axis 2", "dimension of 2"]),
    (lambda x: mx.nd.softmax(x.astype("int32")), ["softmax", "floating point", "int32"]),
    (lambda x: mx.nd.softmax(x, mx.nd.ones((2,)), use_length=True),
     ["softmax", "integer types", "float32"]),
    (lambda x: mx.nd.softmax(x, mx.nd.ones((3,), dtype="int32"), use_length=True),
     ["softmax", "Provided = [3], inferred shape=[2]"]),
    (lambda x: mx.nd.softmax(x, use_length=True), ["softmax", "length"]),
    (lambda x: mx.nd.softmax(x, mx.nd.ones((2,), dtype="int32")), ["softmax", "use_length"]),
    (lambda x: mx.nd.log_softmax(x, use_length=True), ["log_softmax", "length"]),
    (lambda x: mx.nd.softmax(x, dtype="int32"), ["softmax", "dtype", "int32"]),
    (lambda x: mx.nd.softmin(x, tau=1), ["softmin", "tau"]),
])
def test_errors_name_the_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((2, 3)))
    for w in words:
        assert w in str(info.value)
