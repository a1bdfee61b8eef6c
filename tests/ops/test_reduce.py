import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample

NAN_DATA = np.array([[np.nan, 0.5, -0.7], [0.3, 0.9, np.nan]])


def _legacy(a):
    """numpy result with MXNet 1.x's legacy shape: a 0-d result is (1,)."""
    a = np.asarray(a)
    return a.reshape(1) if a.ndim == 0 else a


def red(fn):
    """numpy reference of a reduction with MXNet's axis/keepdims/exclude params."""
    def ref(x, axis=None, keepdims=False, exclude=False):
        axes = tuple(range(x.ndim)) if axis is None else tuple(np.atleast_1d(axis) % x.ndim)
        if exclude:
            axes = tuple(i for i in range(x.ndim) if i not in axes)
        return _legacy(fn(x, axis=axes, keepdims=keepdims))
    return ref


def norm_ref(x, ord=2, axis=None, keepdims=False, out_dtype=None):
    axes = tuple(range(x.ndim)) if axis is None else tuple(np.atleast_1d(axis) % x.ndim)
    r = np.abs(x).sum(axis=axes, keepdims=keepdims) if ord == 1 else \
        np.sqrt((x * x).sum(axis=axes, keepdims=keepdims))
    return _legacy(r.astype(out_dtype or x.dtype))


def arg_ref(fn):
    def ref(x, axis=None, keepdims=False):
        r = fn(x, axis=axis)
        if keepdims:
            r = np.expand_dims(r, axis) if axis is not None else r.reshape((1,) * x.ndim)
        return _legacy(r).astype(x.dtype)
    return ref


def moments_ref(x, axes, keepdims=False):
    return (_legacy(x.mean(axis=axes, keepdims=keepdims)),
            _legacy(x.var(axis=axes, keepdims=keepdims)))


def bcast_back(g, x, axis=None, keepdims=False, exclude=False):
    full = tuple(range(x.ndim)) if axis is None else tuple(np.atleast_1d(axis) % x.ndim)
    if exclude:
        full = tuple(i for i in range(x.ndim) if i not in full)
    kept = tuple(1 if i in full else d for i, d in enumerate(x.shape))
    return np.broadcast_to(g.reshape(kept), x.shape)


SAMPLES = [
    Sample("sum", [(2, 3, 4)], ref=red(np.sum)),
    Sample("sum", [(2, 3, 4)], {"axis": 1}, ref=red(np.sum)),
    Sample("sum", [(2, 3, 4)], {"axis": (0, 2), "keepdims": True}, ref=red(np.sum)),
    Sample("sum", [(2, 3, 4)], {"axis": (0, -1), "exclude": True}, ref=red(np.sum)),
    Sample("sum_axis", [(3, 4)], {"axis": -1}, ref=red(np.sum)),
    Sample("mean", [(2, 3, 4)], {"axis": (1, 2)}, ref=red(np.mean)),
    Sample("mean", [(3, 4)], ref=red(np.mean)),
    Sample("prod", [(2, 3)], {"axis": 1}, ref=red(np.prod), low=0.5, high=1.5),
    Sample("prod", [(2, 3)], ref=red(np.prod), low=0.5, high=1.5),
    Sample("nansum", [NAN_DATA], {"axis": 1}, ref=red(np.nansum)),
    Sample("nanprod", [NAN_DATA], {"axis": 0, "keepdims": True}, ref=red(np.nanprod)),
    Sample("max", [(2, 3, 4)], {"axis": 1}, ref=red(np.max)),
    Sample("max_axis", [(2, 3)], ref=red(np.max)),
    Sample("min", [(2, 3, 4)], {"axis": (0, 2), "keepdims": True}, ref=red(np.min)),
    Sample("min_axis", [(2, 3)], {"axis": 0, "exclude": True}, ref=red(np.min)),
    Sample("norm", [(2, 3)], ref=norm_ref),
    Sample("norm", [(2, 3, 4)], {"ord": 1, "axis": 1}, ref=norm_ref),
    Sample("norm", [(2, 3, 4)], {"ord": 2, "axis": (0, 2), "keepdims": True}, ref=norm_ref),
    Sample("norm", [(2, 3)], {"axis": -1, "out_dtype": "float64"}, ref=norm_ref),
    Sample("argmax", [(3, 4)], {"axis": 1}, ref=arg_ref(np.argmax)),
    Sample("argmax", [(3, 4)], ref=arg_ref(np.argmax)),
    Sample("argmax", [(3, 4)], {"axis": 0, "keepdims": True}, ref=arg_ref(np.argmax)),
    Sample("argmin", [(3, 4, 2)], {"axis": -1}, ref=arg_ref(np.argmin)),
    Sample("argmin", [(3, 4)], {"keepdims": True}, ref=arg_ref(np.argmin)),
    Sample("argmax_channel", [(3, 4, 2)], ref=lambda x: np.argmax(x, 1).astype(x.dtype)),
    Sample("moments", [(2, 3, 4)], {"axes": (1,)}, ref=moments_ref),
    Sample("moments", [(2, 3)], {"axes": (0, 1), "keepdims": True}, ref=moments_ref),
    # gradient helpers (their samples check the higher-order rules too)
    Sample("_backward_sum", [(2, 1, 4), (2, 3, 4)], {"axis": 1, "keepdims": True},
           ref=bcast_back, grad_inputs=[0]),
    Sample("_backward_sum", [(1,), (2, 3)], ref=bcast_back, grad_inputs=[0]),
    Sample("_backward_mean", [(3,), (2, 3)], {"axis": 0},
           ref=lambda g, x, axis: bcast_back(g, x, axis) / 2, grad_inputs=[0]),
    Sample("_reduce_equal_mask", [np.array([[1., 3., 3.]]), np.array([3.])], {"axis": 1},
           ref=lambda x, r, axis: np.array([[0., 1., 1.]])),
    Sample("_not_nan_mask", [NAN_DATA], ref=lambda x: (~np.isnan(x)).astype(x.dtype)),
    Sample("_nan_to_one", [NAN_DATA], ref=lambda x: np.where(np.isnan(x), 1, x)),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def _grad(fn, x, ograd=None, **kw):
    x = mx.nd.array(x)
    x.attach_grad()
    with mx.autograd.record():
        y = fn(x, **kw)
    y.backward(None if ograd is None else mx.nd.array(ograd))
    return x.grad.asnumpy()


def test_max_min_gradient_goes_to_every_tie():
    x = [[1, 3, 3], [2, 0, 2]]
    np.testing.assert_array_equal(_grad(mx.nd.max, x, axis=1), [[0, 1, 1], [1, 0, 1]])
    np.testing.assert_array_equal(_grad(mx.nd.min, x), [[0, 0, 0], [0, 1, 0]])


def test_nan_gradients_match_mxnet():
    # values from MXNet 1.9.1
    np.testing.assert_array_equal(_grad(mx.nd.prod, [[0, 2, 3], [2, 0, 0]], axis=1),
                                  [[np.nan, 0, 0], [0, np.nan, np.nan]])
    np.testing.assert_array_equal(_grad(mx.nd.nanprod, [[np.nan, 2, 3], [2, 1, 0]], axis=1),
                                  [[0, 3, 2], [0, 0, np.nan]])
    np.testing.assert_allclose(_grad(mx.nd.norm, [[0, 0], [3, 4]], axis=1),
                               [[np.nan, np.nan], [0.6, 0.8]], rtol=1e-6)


def test_moments_gradient_of_both_outputs():
    x = mx.nd.array([[1, 2], [3, 4]])
    x.attach_grad()
    with mx.autograd.record():
        m, v = mx.nd.moments(x, axes=(1,))
    mx.autograd.backward([m, v], [mx.nd.array([1, 2]), mx.nd.array([3, 5])])
    np.testing.assert_allclose(x.grad.asnumpy(), [[-1, 2], [-1.5, 3.5]])


def test_argmax_has_zero_gradient():
    np.testing.assert_array_equal(_grad(mx.nd.argmax, [[1, 2], [3, 0]], axis=0), 0)


def test_integer_dtypes_follow_mxnet():
    xi = mx.nd.array(np.arange(6).reshape(2, 3), dtype="int32")
    assert mx.nd.sum(xi).dtype == np.int32
    assert mx.nd.mean(xi).asnumpy().tolist() == [2]            # 15 / 6 truncated
    assert mx.nd.argmax(xi, axis=1).dtype == np.int32          # indices in the input dtype
    xu = mx.nd.array(np.arange(6).reshape(2, 3) * 50, dtype="uint8")
    assert mx.nd.sum(xu).asnumpy().tolist() == [238]           # wraps like MXNet
    xh = mx.nd.array([[1, 2], [3, 4]], dtype="float16")
    assert mx.nd.sum(xh).dtype == np.float16


def test_legacy_and_np_shape():
    x = mx.nd.ones((2, 3))
    assert mx.nd.sum(x).shape == (1,)
    assert mx.nd.argmax(x).shape == (1,)
    assert mx.nd.sum(x, axis=(), keepdims=True).shape == (1, 1)
    assert mx.nd.sum(x, axis=(0, 1), exclude=True).shape == (2, 3)
    with mx.util.np_shape(True):
        y = mx.nd.ones((3, 2))
        assert mx.nd.sum(y).shape == ()
        assert mx.nd.norm(y).shape == ()


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.sum(x, axis=5), ["sum", "Reduction axis 5 Exceeds input dimensions [2,3]"]),
    (lambda x: mx.nd.mean(x, axis=-3), ["mean", "Reduction axis [-3]", "[2,3]"]),
    (lambda x: mx.nd.max(x, axis=(0, 0)), ["max", "duplicates"]),
    (lambda x: mx.nd.sum(x, axis=(-1, 1)), ["sum", "duplicates"]),
    (lambda x: mx.nd.norm(x, ord=3), ["norm", "ord=1 and ord=2"]),
    (lambda x: mx.nd.norm(x, axis=2), ["norm", "Reduction axis 2"]),
    (lambda x: mx.nd.argmax(x, axis=3), ["argmax", "axis 3", "dimension of 2"]),
    (lambda x: mx.nd.argmax_channel(mx.nd.ones((3,))), ["argmax_channel", "axis 1"]),
    (lambda x: mx.nd.moments(x), ["moments", "Empty axes"]),
    (lambda x: mx.nd.moments(x, axes=(5,)), ["moments", "Reduction axis 5"]),
    (lambda x: mx.nd.sum(x, axes=1), ["sum", "axes"]),
])
def test_errors_name_the_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((2, 3)))
    for w in words:
        assert w in str(info.value)
