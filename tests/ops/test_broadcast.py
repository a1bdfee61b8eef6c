"""Binary ops with broadcasting: forward, gradients summed back to each input's shape."""
import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample

L, R = (2, 1, 3), (4, 1)          # broadcast to (2, 4, 3)
ZL = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 3.0]])
ZR = np.array([[0.0], [1.5]])


def as_data(fn):
    return lambda a, b: fn(a, b).astype(a.dtype)


SAMPLES = [
    Sample("broadcast_add", [L, R], ref=np.add),
    Sample("broadcast_sub", [L, R], ref=np.subtract),
    Sample("broadcast_mul", [L, R], ref=np.multiply),
    Sample("broadcast_div", [L, R], ref=np.divide, low=0.5, high=2),
    Sample("broadcast_mod", [L, R], ref=np.mod, low=0.3, high=3),
    Sample("broadcast_power", [L, R], ref=np.power, low=0.5, high=2),
    Sample("broadcast_maximum", [L, R], ref=np.maximum),
    Sample("broadcast_minimum", [L, R], ref=np.minimum),
    Sample("broadcast_hypot", [L, R], ref=np.hypot),
    Sample("broadcast_equal", [ZL, ZR], ref=as_data(np.equal)),
    Sample("broadcast_not_equal", [ZL, ZR], ref=as_data(np.not_equal)),
    Sample("broadcast_greater", [L, R], ref=as_data(np.greater)),
    Sample("broadcast_greater_equal", [ZL, ZR], ref=as_data(np.greater_equal)),
    Sample("broadcast_lesser", [L, R], ref=as_data(np.less)),
    Sample("broadcast_lesser_equal", [ZL, ZR], ref=as_data(np.less_equal)),
    Sample("broadcast_logical_and", [ZL, ZR], ref=as_data(np.logical_and)),
    Sample("broadcast_logical_or", [ZL, ZR], ref=as_data(np.logical_or)),
    Sample("broadcast_logical_xor", [ZL, ZR], ref=as_data(np.logical_xor)),
    Sample("broadcast_add", [(2, 3), (2, 3)], ref=np.add, id="broadcast_add-same-shape"),
    Sample("broadcast_mul", [(3,), (2, 1)], ref=np.multiply, id="broadcast_mul-rank"),
    Sample("broadcast_like", [(1, 3), np.zeros((2, 3))], grad_inputs=[0],
           ref=lambda a, b: np.broadcast_to(a, b.shape)),
    Sample("broadcast_like", [(2, 1), np.zeros((3, 4))], {"lhs_axes": (1,), "rhs_axes": (0,)},
           grad_inputs=[0], ref=lambda a, b, lhs_axes, rhs_axes: np.broadcast_to(a, (2, 3)),
           id="broadcast_like-axes"),
    Sample("_sum_to_shape_of", [(2, 3), np.zeros((1, 3))], grad_inputs=[0],
           ref=lambda a, b: a.sum(axis=0, keepdims=True)),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_integer_division_truncates():
    a = mx.nd.array([[-7], [7]], dtype="int32")
    b = mx.nd.array([2, -2], dtype="int32")
    out = mx.nd.broadcast_div(a, b)
    assert out.dtype == np.int32
    assert out.asnumpy().tolist() == [[-3, 3], [3, -3]]


def test_nan_propagates_through_maximum_minimum():
    a = mx.nd.array([np.nan, 1.0, 2.0])
    b = mx.nd.array([0.0, np.nan, 1.0])
    np.testing.assert_equal(mx.nd.broadcast_maximum(a, b).asnumpy(), [np.nan, np.nan, 2.0])
    np.testing.assert_equal(mx.nd.broadcast_minimum(a, b).asnumpy(), [np.nan, np.nan, 1.0])


def test_incompatible_shapes_name_the_op_and_shapes():
    with pytest.raises(mx.base.MXNetError, match=r"broadcast_add.*\(2, 3\).*\(4,?\)"):
        mx.nd.broadcast_add(mx.nd.ones((2, 3)), mx.nd.ones((4,)))


def test_aliases():
    a, b = mx.nd.array([[1.0, 2.0]]), mx.nd.array([[3.0], [4.0]])
    np.testing.assert_array_equal(mx.nd.broadcast_plus(a, b).asnumpy(),
                                  mx.nd.broadcast_add(a, b).asnumpy())
    np.testing.assert_array_equal(mx.nd.broadcast_minus(a, b).asnumpy(),
                                  mx.nd.broadcast_sub(a, b).asnumpy())


def test_gradient_is_reduced_to_input_shapes():
    a = mx.nd.array(np.arange(6.0).reshape(2, 1, 3))
    b = mx.nd.array(np.arange(1.0, 5.0).reshape(4, 1))
    a.attach_grad()
    b.attach_grad()
    with mx.autograd.record():
        y = mx.nd.broadcast_power(a + 1, b)
    y.backward()
    assert a.grad.shape == (2, 1, 3) and b.grad.shape == (4, 1)
    an, bn = a.asnumpy() + 1, b.asnumpy()
    np.testing.assert_allclose(a.grad.asnumpy(), (bn * an ** (bn - 1)).sum(axis=1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(b.grad.asnumpy(),
                               (an ** bn * np.log(an)).sum(axis=(0, 2))[:, None], rtol=1e-5)


@pytest.mark.parametrize("lshape, rshape, lhs_axes, rhs_axes, expect", [
    ((1, 2, 1, 3), (5, 6, 7, 8), (0, 2), (1, 3), (6, 2, 8, 3)),
    ((1,), (5,), (0,), (-1,), (5,)),
    ((1, 7, 9, 1, 1), (9, 1), (-2, -1), (-2, -1), (1, 7, 9, 9, 1)),
    ((2, 1), (1, 7, 9, 1, 1), (1,), (-3,), (2, 9)),
])
def test_broadcast_like_axes(lshape, rshape, lhs_axes, rhs_axes, expect):
    out = mx.nd.broadcast_like(mx.nd.ones(lshape), mx.nd.ones(rshape), lhs_axes=lhs_axes,
                               rhs_axes=rhs_axes)
    assert out.shape == expect


@pytest.mark.parametrize("lshape, kwargs, message", [
    ((1, 2, 1, 3), {"lhs_axes": (), "rhs_axes": ()}, "Empty axes"),
    ((1, 2, 1, 3), {"lhs_axes": (1,), "rhs_axes": (1,)}, "axis 1 .* cannot be broadcasted"),
    ((1, 2, 1, 3), {"lhs_axes": (0, 1), "rhs_axes": (0,)}, "size does not match"),
    ((1, 2, 1, 3), {"lhs_axes": (0,)}, "cannot be broadcasted"),
    ((3,), {}, r"\[3\] cannot be broadcasted to \[5,6,7,8\]"),
])
def test_broadcast_like_errors(lshape, kwargs, message):
    with pytest.raises(mx.base.MXNetError, match=message):
        mx.nd.broadcast_like(mx.nd.ones(lshape), mx.nd.ones((5, 6, 7, 8)), **kwargs)
