"""Same-shape binary ops (elemwise_*, _power, _equal ...), their scalar forms and smooth_l1."""
import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample

S = (2, 3)
ZEROS_L = np.array([[0.0, 1.5, 0.0], [-2.0, 0.0, 3.0]])
ZEROS_R = np.array([[0.0, 0.0, 2.0], [1.0, 0.0, -1.0]])


def as_data(fn):
    """Reference of a comparison/logical op: 0/1 in the lhs dtype, as MXNet returns."""
    return lambda a, b: fn(a, b).astype(a.dtype)


def mx_mod(a, b):
    return np.where(b == 0, 0, np.mod(a, b))


def smooth_l1(x, scalar):
    s2 = scalar * scalar
    return np.where(np.abs(x) < 1 / s2, 0.5 * s2 * x * x, np.abs(x) - 0.5 / s2)


BINARY = [
    Sample("elemwise_add", [S, S], ref=np.add),
    Sample("_grad_add", [S, S], ref=np.add),
    Sample("elemwise_sub", [S, S], ref=np.subtract),
    Sample("elemwise_mul", [S, S], ref=np.multiply),
    Sample("elemwise_div", [S, S], ref=np.divide, low=0.5, high=2),
    Sample("_mod", [S, S], ref=mx_mod, low=0.3, high=3),
    Sample("_power", [S, S], ref=np.power, low=0.5, high=2),
    Sample("_maximum", [S, S], ref=np.maximum),
    Sample("_minimum", [S, S], ref=np.minimum),
    Sample("_hypot", [S, S], ref=np.hypot),
    Sample("_equal", [ZEROS_L, ZEROS_R], ref=as_data(np.equal)),
    Sample("_not_equal", [ZEROS_L, ZEROS_R], ref=as_data(np.not_equal)),
    Sample("_greater", [S, S], ref=as_data(np.greater)),
    Sample("_greater_equal", [ZEROS_L, ZEROS_R], ref=as_data(np.greater_equal)),
    Sample("_lesser", [S, S], ref=as_data(np.less)),
    Sample("_lesser_equal", [ZEROS_L, ZEROS_R], ref=as_data(np.less_equal)),
    Sample("_logical_and", [ZEROS_L, ZEROS_R], ref=as_data(np.logical_and)),
    Sample("_logical_or", [ZEROS_L, ZEROS_R], ref=as_data(np.logical_or)),
    Sample("_logical_xor", [ZEROS_L, ZEROS_R], ref=as_data(np.logical_xor)),
    Sample("add_n", [S, S, S], ref=lambda a, b, c: a + b + c),
]


def scalar_sample(name, ref, low=-1.0, high=1.0, scalar=1.5, data=None):
    """A scalar op sample; ``ref(x, s)`` with the scalar already in x's dtype."""
    return Sample(name, [S if data is None else data], {"scalar": scalar}, low=low, high=high,
                  ref=lambda x, scalar: np.asarray(ref(x, x.dtype.type(scalar))).astype(x.dtype))


SCALAR = [
    scalar_sample("_plus_scalar", lambda x, s: x + s),
    scalar_sample("_minus_scalar", lambda x, s: x - s),
    scalar_sample("_rminus_scalar", lambda x, s: s - x),
    scalar_sample("_mul_scalar", lambda x, s: x * s),
    scalar_sample("_div_scalar", lambda x, s: x / s),
    scalar_sample("_rdiv_scalar", lambda x, s: s / x, low=0.5, high=2),
    scalar_sample("_mod_scalar", lambda x, s: np.mod(x, s), low=-3, high=3),
    scalar_sample("_rmod_scalar", lambda x, s: np.mod(s, x), low=0.4, high=1.4, scalar=2.5),
    scalar_sample("_power_scalar", np.power, low=0.5, high=2),
    scalar_sample("_rpower_scalar", lambda x, s: np.power(s, x), scalar=2.0),
    scalar_sample("_maximum_scalar", np.maximum, scalar=0.2),
    scalar_sample("_minimum_scalar", np.minimum, scalar=0.2),
    scalar_sample("_hypot_scalar", np.hypot),
    scalar_sample("_equal_scalar", np.equal, data=ZEROS_L, scalar=1.5),
    scalar_sample("_not_equal_scalar", np.not_equal, data=ZEROS_L, scalar=1.5),
    scalar_sample("_greater_scalar", np.greater, scalar=0.2),
    scalar_sample("_greater_equal_scalar", np.greater_equal, data=ZEROS_L, scalar=1.5),
    scalar_sample("_lesser_scalar", np.less, scalar=0.2),
    scalar_sample("_lesser_equal_scalar", np.less_equal, data=ZEROS_L, scalar=1.5),
    scalar_sample("_logical_and_scalar", np.logical_and, data=ZEROS_L, scalar=2.0),
    scalar_sample("_logical_or_scalar", np.logical_or, data=ZEROS_L, scalar=0.0),
    scalar_sample("_logical_xor_scalar", np.logical_xor, data=ZEROS_L, scalar=2.0),
    Sample("smooth_l1", [(3, 4)], {"scalar": 1.0}, ref=smooth_l1, low=-3, high=3),
    Sample("smooth_l1", [(3, 4)], {"scalar": 2.0}, ref=smooth_l1, low=-1, high=1,
           id="smooth_l1-sigma2"),
    Sample("_backward_smooth_l1", [(2, 3), (2, 3)], {"scalar": 1.0}, low=-2, high=2,
           ref=lambda g, x, scalar: g * np.where(np.abs(x) < 1, x, np.sign(x))),
]


@parametrize(BINARY + SCALAR)
def test_op(sample):
    run_sample(sample)


def ints(values, dtype="int32"):
    return mx.nd.array(np.array(values), dtype=dtype)


A = [-7, -3, 0, 3, 7, 5]
B = [2, 2, 3, -2, -3, 2]


@pytest.mark.parametrize("name, expect", [
    ("elemwise_div", [-3, -1, 0, -1, -2, 2]),     # C division: truncates toward zero
    ("_mod", [1, 1, 0, -1, -2, 1]),               # sign of the divisor
    ("_power", [49, 9, 0, 0, 0, 25]),             # negative exponents truncate to 0
    ("_hypot", [7, 3, 3, 3, 7, 5]),
    ("_logical_xor", [0, 0, 1, 0, 0, 0]),
    ("_maximum", [2, 2, 3, 3, 7, 5]),
])
def test_integer_semantics_match_mxnet(name, expect):
    out = getattr(mx.nd, name)(ints(A), ints(B))
    assert out.dtype == np.int32
    assert out.asnumpy().tolist() == expect


@pytest.mark.parametrize("name, scalar, expect", [
    ("_div_scalar", 2.5, [-3, -1, 0, 1, 3, 2]),     # the scalar is cast to int32 first
    ("_rdiv_scalar", 2.0, [0, 0, 0, 0, 0, 0]),
    ("_mod_scalar", -2.0, [-1, -1, 0, -1, -1, -1]),
    ("_rmod_scalar", 2.0, [-5, -1, 0, 2, 2, 2]),
    ("_power_scalar", 2.0, [49, 9, 0, 9, 49, 25]),
    ("_rpower_scalar", 2.0, [0, 0, 1, 8, 128, 32]),
    ("_greater_scalar", 2.5, [0, 0, 0, 1, 1, 1]),
    ("_mod_scalar", 0.0, [0, 0, 0, 0, 0, 0]),
])
def test_integer_scalar_semantics_match_mxnet(name, scalar, expect):
    data = ints(A)
    if name in ("_rdiv_scalar", "_rmod_scalar"):
        data = ints([-7, -3, 1, 3, 7, 5])
        expect = {"_rdiv_scalar": [0, 0, 2, 0, 0, 0], "_rmod_scalar": [-5, -1, 0, 2, 2, 2]}[name]
    out = getattr(mx.nd, name)(data, scalar=scalar)
    assert out.dtype == np.int32
    assert out.asnumpy().tolist() == expect


def test_float_mod_by_zero_is_zero():
    x = mx.nd.array([5.5, -1.0])
    assert mx.nd._mod(x, mx.nd.zeros((2,))).asnumpy().tolist() == [0, 0]
    assert mx.nd._mod_scalar(x, scalar=0.0).asnumpy().tolist() == [0, 0]


def test_comparisons_return_data_dtype():
    for dtype in ("float16", "float64", "int32", "uint8"):
        a = mx.nd.array([1, 2, 3], dtype=dtype)
        out = mx.nd._greater(a, mx.nd.array([2, 2, 2], dtype=dtype))
        assert out.dtype == np.dtype(dtype)
        assert out.asnumpy().tolist() == [0, 0, 1]


def test_maximum_minimum_tie_gradient_goes_to_lhs():
    a, b = mx.nd.array([1.0, 2.0, 3.0]), mx.nd.array([1.0, 1.0, 4.0])
    for name, ga, gb in [("_maximum", [1, 1, 0], [0, 0, 1]), ("_minimum", [1, 0, 1], [0, 1, 0])]:
        a.attach_grad()
        b.attach_grad()
        with mx.autograd.record():
            y = getattr(mx.nd, name)(a, b)
        y.backward()
        assert a.grad.asnumpy().tolist() == ga and b.grad.asnumpy().tolist() == gb


def test_scalar_maximum_tie_gradient():
    x = mx.nd.array([1.0, 2.0, 0.0])
    for name, expect in [("_maximum_scalar", [1, 1, 0]), ("_minimum_scalar", [1, 0, 1])]:
        x.attach_grad()
        with mx.autograd.record():
            y = getattr(mx.nd, name)(x, scalar=1.0)
        y.backward()
        assert x.grad.asnumpy().tolist() == expect


def test_shape_mismatch_names_the_op():
    with pytest.raises(mx.base.MXNetError, match="elemwise_add"):
        mx.nd.elemwise_add(mx.nd.ones((2, 3)), mx.nd.ones((3, 2)))


def test_dtype_mismatch_is_an_error():
    with pytest.raises(mx.base.MXNetError, match="elemwise_mul"):
        mx.nd.elemwise_mul(mx.nd.ones((2,)), mx.nd.ones((2,), dtype="int32"))


def test_smooth_l1_requires_scalar():
    with pytest.raises(mx.base.MXNetError, match="smooth_l1.*scalar"):
        mx.nd.smooth_l1(mx.nd.ones((2,)))


def test_aliases_are_the_same_op():
    for alias, name in [("_plus", "elemwise_add"), ("_Plus", "elemwise_add"),
                        ("_minus", "elemwise_sub"), ("_Div", "elemwise_div"),
                        ("_Power", "_power"), ("_Maximum", "_maximum"),
                        ("_Logical_Xor", "_logical_xor"), ("_PlusScalar", "_plus_scalar"),
                        ("_RPowerScalar", "_rpower_scalar"), ("_GreaterEqualScalar",
                                                              "_greater_equal_scalar")]:
        assert registry.get(alias) is registry.get(name), alias
