import math

import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import elemwise_math

from .harness import Sample, parametrize, run_sample

try:
    import scipy.special as sps
except ImportError:   # scipy is a test extra; erfinv's forward is then checked by round trip
    sps = None


def vec(fn):
    """A NumPy reference from a scalar ``math`` function (independent of scipy)."""
    return lambda x: np.vectorize(fn, otypes=[np.float64])(x.astype(np.float64)).astype(x.dtype)


def mx_round(x):
    return np.where(np.abs(x - np.trunc(x)) >= 0.5, np.trunc(x) + np.sign(x), np.trunc(x))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


SAMPLES = [
    Sample("negative", [(3, 4)], ref=lambda x: -x),
    Sample("abs", [(3, 4)], ref=np.abs),
    Sample("sign", [(3, 4)], ref=np.sign),
    Sample("round", [(3, 4)], ref=mx_round, low=-3, high=3),
    Sample("rint", [np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.7])],
           ref=lambda x: np.array([-3, -2, -1, 0, 1, 2, -2, 2], x.dtype)),
    Sample("ceil", [(3, 4)], ref=np.ceil, low=-3, high=3),
    Sample("floor", [(3, 4)], ref=np.floor, low=-3, high=3),
    Sample("trunc", [(3, 4)], ref=np.trunc, low=-3, high=3),
    Sample("fix", [(3, 4)], ref=np.trunc, low=-3, high=3),
    Sample("logical_not", [np.array([0.0, 1.5, -2.0, 0.0])],
           ref=lambda x: (x == 0).astype(x.dtype)),
    Sample("square", [(3, 4)], ref=np.square),
    Sample("sqrt", [(3, 4)], ref=np.sqrt, low=0.5, high=3),
    Sample("rsqrt", [(3, 4)], ref=lambda x: 1 / np.sqrt(x), low=0.5, high=3),
    Sample("cbrt", [(3, 4)], ref=np.cbrt, low=0.5, high=3),
    Sample("rcbrt", [(3, 4)], ref=lambda x: 1 / np.cbrt(x), low=0.5, high=3),
    Sample("reciprocal", [(3, 4)], ref=lambda x: 1 / x, low=0.5, high=3),
    Sample("exp", [(3, 4)], ref=np.exp),
    Sample("expm1", [(3, 4)], ref=np.expm1),
    Sample("log", [(3, 4)], ref=np.log, low=0.5, high=3),
    Sample("log10", [(3, 4)], ref=np.log10, low=0.5, high=3),
    Sample("log2", [(3, 4)], ref=np.log2, low=0.5, high=3),
    Sample("log1p", [(3, 4)], ref=np.log1p, low=-0.5, high=3),
    Sample("sin", [(3, 4)], ref=np.sin),
    Sample("cos", [(3, 4)], ref=np.cos),
    Sample("tan", [(3, 4)], ref=np.tan),
    Sample("arcsin", [(3, 4)], ref=np.arcsin, low=-0.9, high=0.9),
    Sample("arccos", [(3, 4)], ref=np.arccos, low=-0.9, high=0.9),
    Sample("arctan", [(3, 4)], ref=np.arctan, low=-3, high=3),
    Sample("sinh", [(3, 4)], ref=np.sinh),
    Sample("cosh", [(3, 4)], ref=np.cosh),
    Sample("tanh", [(3, 4)], ref=np.tanh),
    Sample("arcsinh", [(3, 4)], ref=np.arcsinh, low=-3, high=3),
    Sample("arccosh", [(3, 4)], ref=np.arccosh, low=1.2, high=3),
    Sample("arctanh", [(3, 4)], ref=np.arctanh, low=-0.9, high=0.9),
    Sample("degrees", [(3, 4)], ref=np.degrees),
    Sample("radians", [(3, 4)], ref=np.radians, low=-90, high=90),
    Sample("erf", [(3, 4)], ref=vec(math.erf), low=-2, high=2),
    Sample("erfinv", [(3, 4)], ref=None if sps is None else sps.erfinv, low=-0.9, high=0.9,
           rtol=1e-4),
    Sample("gamma", [(3, 4)], ref=vec(math.gamma), low=0.5, high=4, rtol=1e-4),
    Sample("gamma", [(2, 3)], ref=vec(math.gamma), low=-2.9, high=-2.1, rtol=1e-4,
           id="gamma-negative"),
    Sample("gammaln", [(3, 4)], ref=vec(math.lgamma), low=0.5, high=4, rtol=1e-4),
    Sample("_backward_gamma", [(2, 3), (2, 3)], low=0.5, high=3, grad=False),
    Sample("_backward_gammaln", [(2, 3), (2, 3)], low=0.5, high=3, grad=False),
    Sample("relu", [(3, 4)], ref=lambda x: np.maximum(x, 0)),
    Sample("_backward_relu", [(3, 4), (3, 4)], ref=lambda g, y: g * (y > 0)),
    Sample("sigmoid", [(3, 4)], ref=sigmoid),
    Sample("_backward_sigmoid", [(3, 4), (3, 4)], ref=lambda g, y: g * y * (1 - y)),
    Sample("hard_sigmoid", [(3, 4)], low=-4, high=4,
           ref=lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    Sample("hard_sigmoid", [(3, 4)], {"alpha": 0.3, "beta": 0.4}, low=-4, high=4,
           ref=lambda x, alpha, beta: np.clip(alpha * x + beta, 0, 1), id="hard_sigmoid-params"),
    Sample("softsign", [(3, 4)], ref=lambda x: x / (1 + np.abs(x))),
    Sample("BlockGrad", [(2, 3)], ref=lambda x: x),
    Sample("_copy", [(2, 3)], ref=lambda x: x.copy()),
    Sample("Cast", [(2, 3)], {"dtype": "float64"}, ref=lambda x, dtype: x.astype(dtype)),
    Sample("_cast_like", [(2, 3), np.zeros((1,), np.float16)],
           ref=lambda x, like: x.astype(like.dtype), grad_inputs=[0]),
    Sample("_identity_with_attr_like_rhs", [(2, 3), (2, 3)], ref=lambda a, b: a.copy(),
           grad_inputs=[0]),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def nd(values, dtype="float32"):
    return mx.nd.array(np.array(values), dtype=dtype)


def test_integer_inputs_compute_in_float_and_truncate():
    # MXNet: sqrt(int32 5) == 2, exp(int32 4) == 54, sigmoid(int) == 0; uint8 uses float64,
    # not NumPy's float16 (tanh(uint8 5) = 0.9999 -> 0).
    x = nd([-4, 0, 4, 5, 9], "int32")
    assert mx.nd.sqrt(x).dtype == np.int32
    assert mx.nd.sqrt(x).asnumpy()[1:].tolist() == [0, 2, 2, 3]
    assert mx.nd.exp(x).asnumpy()[1:3].tolist() == [1, 54]
    assert mx.nd.cbrt(x).asnumpy().tolist() == [-1, 0, 1, 1, 2]
    assert mx.nd.tanh(nd([5, 8], "uint8")).asnumpy().tolist() == [0, 0]
    assert mx.nd.negative(nd([1, 2], "uint8")).asnumpy().tolist() == [255, 254]
    assert mx.nd.logical_not(x).asnumpy().tolist() == [0, 1, 0, 0, 0]


def test_rounding_conventions():
    x = nd([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
    assert mx.nd.round(x).asnumpy().tolist() == [-3, -2, -1, 1, 2, 3]   # half away from zero
    assert mx.nd.rint(x).asnumpy().tolist() == [-3, -2, -1, 0, 1, 2]    # MXNet's own rint
    assert mx.nd.fix(nd([-1.7, 1.7])).asnumpy().tolist() == [-1, 1]


def test_nan_handling():
    x = nd([np.nan, -1.0, 2.0])
    assert mx.nd.sign(x).asnumpy().tolist() == [0, -1, 1]     # MXNet: sign(nan) == 0
    assert np.isnan(mx.nd.relu(x).asnumpy()[0])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.relu(x)
    y.backward()
    g = x.grad.asnumpy()
    assert np.isnan(g[0]) and g[1:].tolist() == [0, 1]        # nan propagates as in MXNet


def test_zero_gradient_ops():
    x = nd([0.3, 1.7, -2.2])
    for name in ("sign", "round", "rint", "ceil", "floor", "trunc", "fix", "logical_not",
                 "BlockGrad", "stop_gradient"):
        x.attach_grad()
        with mx.autograd.record():
            y = getattr(mx.nd, name)(x) * 3
        y.backward()
        assert x.grad.asnumpy().tolist() == [0, 0, 0], name


def test_second_order_gradient():
    x = nd([0.3, 1.2, -0.7], "float64")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.sin(x)
        (dy,) = mx.autograd.grad(y, [x], create_graph=True)
    dy.backward()
    np.testing.assert_allclose(dy.asnumpy(), np.cos(x.asnumpy()))
    np.testing.assert_allclose(x.grad.asnumpy(), -np.sin(x.asnumpy()))


def test_special_values_match_mxnet():
    assert mx.nd.gamma(nd([0.0])).asnumpy()[0] == np.inf
    assert np.isnan(mx.nd.gamma(nd([-1.0])).asnumpy()[0])
    assert mx.nd.gammaln(nd([-1.0])).asnumpy()[0] == np.inf
    assert mx.nd.erfinv(nd([1.0, -1.0])).asnumpy().tolist() == [np.inf, -np.inf]
    assert np.isnan(mx.nd.erfinv(nd([1.5])).asnumpy()[0])


def test_special_function_fallbacks_without_scipy():
    x = np.linspace(-0.99, 0.99, 41)
    erf = np.vectorize(math.erf)
    np.testing.assert_allclose(erf(elemwise_math._erfinv_fallback(x)), x, rtol=1e-12, atol=1e-14)
    z = np.array([0.3, 1.0, 2.5, 7.0, -0.5, -2.5])
    np.testing.assert_allclose(elemwise_math._gamma_fallback(z), [math.gamma(v) for v in z])
    np.testing.assert_allclose(elemwise_math._gammaln_fallback(z), [math.lgamma(v) for v in z])
    # digamma against a central difference of lgamma
    h = 1e-5
    num = [(math.lgamma(v + h) - math.lgamma(v - h)) / (2 * h) for v in z]
    np.testing.assert_allclose(elemwise_math._digamma_fallback(z), num, rtol=1e-6)
    if sps is not None:
        np.testing.assert_allclose(elemwise_math._digamma_fallback(z), sps.digamma(z),
                                   rtol=1e-12)


def test_hard_sigmoid_rejects_integers():
    with pytest.raises(mx.base.MXNetError, match="hard_sigmoid.*floating point"):
        mx.nd.hard_sigmoid(nd([1, 2], "int32"))


def test_unknown_argument_is_named():
    with pytest.raises(mx.base.MXNetError, match="hard_sigmoid.*gamma"):
        mx.nd.hard_sigmoid(nd([1.0]), gamma=2.0)


def test_aliases():
    x = nd([-1.0, 4.0])
    for alias, name in [("stop_gradient", "BlockGrad"), ("identity", "_copy")]:
        np.testing.assert_array_equal(getattr(mx.nd, alias)(x).asnumpy(), x.asnumpy())
    from mixnet.ops import registry
    assert registry.get("_sparse_sqrt") is registry.get("sqrt")
    assert registry.get("_npx_erf") is registry.get("erf")
