"""Correlation against a loop-based NumPy reference (MXNet's CPU kernel) and values from
MXNet 1.9.1."""
import math

import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample


def correlation_ref(data1, data2, kernel_size=1, max_displacement=1, stride1=1, stride2=1,
                    pad_size=0, is_multiply=True):
    n, c, h, w = data1.shape
    p = ((0, 0), (0, 0), (pad_size, pad_size), (pad_size, pad_size))
    t1, t2 = np.pad(data1, p), np.pad(data2, p)
    border = max_displacement + (kernel_size - 1) // 2
    out_h = math.ceil((h + 2 * pad_size - 2 * border) / stride1)
    out_w = math.ceil((w + 2 * pad_size - 2 * border) / stride1)
    radius = max_displacement // stride2
    width = 2 * radius + 1
    out = np.zeros((n, width * width, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            y1, x1 = i * stride1 + max_displacement, j * stride1 + max_displacement
            for t in range(width * width):
                y2 = y1 + (t // width - radius) * stride2
                x2 = x1 + (t % width - radius) * stride2
                a = t1[:, :, y1:y1 + kernel_size, x1:x1 + kernel_size]
                b = t2[:, :, y2:y2 + kernel_size, x2:x2 + kernel_size]
                term = a * b if is_multiply else np.abs(a - b)
                out[:, t, i, j] = term.sum(axis=(1, 2, 3)) / (kernel_size ** 2 * c)
    return out


WIDE = {"kernel_size": 3, "max_displacement": 2, "stride1": 2, "stride2": 2, "pad_size": 1}
ABS = {"kernel_size": 1, "max_displacement": 2, "pad_size": 2, "is_multiply": False}

SAMPLES = [
    Sample("Correlation", [(2, 3, 5, 6), (2, 3, 5, 6)], ref=correlation_ref),
    Sample("Correlation", [(1, 2, 7, 8), (1, 2, 7, 8)], WIDE, ref=correlation_ref),
    Sample("Correlation", [(1, 2, 4, 5), (1, 2, 4, 5)], ABS, ref=correlation_ref),
    Sample("Correlation", [(1, 2, 5, 5), (1, 2, 5, 5)],
           {"kernel_size": 3, "max_displacement": 1, "pad_size": 2, "is_multiply": False},
           ref=correlation_ref),
    Sample("Correlation", [(1, 1, 9, 8), (1, 1, 9, 8)],
           {"max_displacement": 4, "stride1": 2, "stride2": 3, "pad_size": 3},
           ref=correlation_ref),
    # _backward_Correlation is checked through Correlation's gradients above
    Sample("_backward_Correlation", [(1, 9, 3, 3), (1, 2, 3, 3), (1, 2, 3, 3)],
           {"pad_size": 1}),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


A = np.array([1, 2, 0, -1, 3, 1, 2, 0, 1, 0.5, -2, 1, 0, 1, 2, 3, 1, -1.0]).reshape(1, 2, 3, 3)


def _run(params, dtype):
    a = mx.nd.array(A, dtype=dtype)
    b = mx.nd.array(A[:, ::-1] * 0.5, dtype=dtype)
    a.attach_grad()
    b.attach_grad()
    with mx.autograd.record():
        out = mx.nd.Correlation(a, b, **params)
    out.backward(mx.nd.array(np.arange(out.size).reshape(out.shape) % 5 - 2.0, dtype=dtype))
    assert out.dtype == a.grad.dtype == np.dtype(dtype)
    return out.asnumpy(), a.grad.asnumpy().ravel(), b.grad.asnumpy().ravel()


# fmt: off
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multiply_gradients_match_mxnet(dtype):
    out, g1, g2 = _run({"max_displacement": 1, "pad_size": 1}, dtype)
    assert out.shape == (1, 9, 3, 3)
    np.testing.assert_allclose(out[0, 4].ravel(), [0.25, -2, 0, 0, 1.5, 1, 3, 0, -0.5])
    np.testing.assert_allclose(g1, [0.875, 0.875, -2.0, -0.5, 1.25, 1.25, 0.25, 0.5, -0.75,
                                    -1.5, 2.5, -0.25, -0.75, 0.5, -1.0, 2.0, -0.25, 1.25])
    np.testing.assert_allclose(g2, [3.5, 0.0, 0.0, -6.0, 1.0, 3.5, 2.0, 0.0, 0.0,
                                    -0.25, -1.0, 3.5, -1.25, -1.5, -3.0, 1.5, 2.0, -0.5])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_subtract_values_match_mxnet(dtype):
    params = {"kernel_size": 3, "max_displacement": 1, "pad_size": 2, "stride1": 2,
              "is_multiply": False}
    out, g1, g2 = _run(params, dtype)
    assert out.shape == (1, 9, 2, 2)
    np.testing.assert_allclose(out[0, :2].ravel(), [0.54167, 0.65278, 0.73611, 0.93056,
                                                    0.625, 0.63889, 0.84722, 0.58333], atol=1e-5)
    np.testing.assert_allclose(g1, [0.05556, 0.05556, 0.0, -0.11111, -0.11111, -0.11111,
                                    -0.05556, -0.05556, -0.11111, 0.27778, -0.05556, 0.22222,
                                    0.33333, -0.33333, -0.11111, -0.05556, -0.05556, 0.11111],
                               atol=1e-5)
    np.testing.assert_allclose(g2, [0.05556, 0.16667, 0.38889, 0.11111, -0.44444, -0.22222,
                                    -0.05556, 0.38889, 0.05556, 0.16667, -0.16667, -0.16667,
                                    0.11111, 0.22222, 0.0, -0.05556, -0.16667, -0.38889],
                               atol=1e-5)
# fmt: on


def test_symbol_infers_shapes():
    sym = mx.sym.Correlation(mx.sym.var("a"), mx.sym.var("b"), **WIDE)
    assert sym.infer_shape(a=(2, 3, 8, 8)) == ([(2, 3, 8, 8), (2, 3, 8, 8)], [(2, 9, 2, 2)],
                                               [])
    assert mx.sym.Correlation(mx.sym.var("a"), mx.sym.var("b")).list_arguments() == ["a", "b"]


def _nd(*shape, dtype="float32"):
    return mx.nd.ones(shape, dtype=dtype)


@pytest.mark.parametrize("call, words", [
    (lambda: mx.nd.Correlation(_nd(2, 3, 4, 4), _nd(2, 3, 4, 4), max_displacement=2),
     ["Correlation", "don't fit"]),
    (lambda: mx.nd.Correlation(_nd(2, 3, 4), _nd(2, 3, 4)), ["Correlation", "4D", "[2,3,4]"]),
    (lambda: mx.nd.Correlation(_nd(2, 3, 8, 8), _nd(2, 3, 7, 8)),
     ["Correlation", "[2,3,8,8]", "[2,3,7,8]"]),
    (lambda: mx.nd.Correlation(_nd(2, 3, 8, 8), _nd(2, 3, 8, 8), kernel_size=2),
     ["Correlation", "odd", "2"]),
    (lambda: mx.nd.Correlation(_nd(2, 3, 4, 4, dtype="float64"), _nd(2, 3, 4, 4)),
     ["Correlation", "Type inconsistent", "float32", "float64"]),
    (lambda: mx.nd.Correlation(_nd(2, 3, 4, 4), _nd(2, 3, 4, 4), stride=2),
     ["Correlation", "stride"]),
])
def test_errors_name_the_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call()
    for word in words:
        assert word in str(info.value)
