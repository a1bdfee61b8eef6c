"""Slicing and index-array ops: slicing.py, indexing.py, indexing_nd.py."""
import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample
from .test_matrix import adjoint


def slice_ref(x, begin, end, step=()):
    step = step or (None,) * len(begin)
    return x[tuple(slice(b, e, s) for b, e, s in zip(begin, end, step))]


def slice_assign_ref(lhs, rhs, **p):
    out = lhs.copy()
    out[tuple(slice(b, e, s) for b, e, s in zip(p["begin"], p["end"],
                                                 p.get("step") or (None,) * len(p["begin"])))] = rhs
    return out


def slice_axis_ref(x, axis, begin, end):
    return np.take(x, np.arange(x.shape[axis])[begin:end], axis=axis)


def slice_like_ref(x, like, axes=()):
    axes = axes or range(x.ndim)
    key = [slice(None)] * x.ndim
    for a in axes:   # negative axes count from the end of data's shape (as MXNet)
        key[a] = slice(0, like.shape[a % x.ndim])
    return x[tuple(key)]


def take_ref(a, indices, axis=0, mode="clip"):
    idx = indices.astype(np.int64)
    n = a.shape[axis]
    idx = np.clip(idx, 0, n - 1) if mode == "clip" else idx % n
    return np.take(a, idx, axis=axis)


def pick_ref(x, index, axis=-1, keepdims=False, mode="clip"):
    n = x.shape[axis]
    idx = index.astype(np.int64)
    idx = np.clip(idx, 0, n - 1) if mode == "clip" else idx % n
    out = np.take_along_axis(x, np.expand_dims(idx, axis), axis)
    return out if keepdims else np.squeeze(out, axis)


def one_hot_ref(indices, depth, on_value=1.0, off_value=0.0, dtype="float32"):
    eye = indices.astype(np.int64)[..., None] == np.arange(depth)
    return np.where(eye, on_value, off_value).astype(dtype)


def where_ref(cond, x, y):
    if cond.shape != x.shape:
        cond = cond.reshape(cond.shape + (1,) * (x.ndim - 1))
    return np.where(cond != 0, x, y)


def gather_nd_ref(data, indices):
    return data[tuple(indices.astype(np.int64))]


def scatter_nd_ref(data, indices, shape):
    out = np.zeros(shape, data.dtype)
    out[tuple(indices.astype(np.int64))] = data
    return out


def scatter_set_nd_ref(lhs, rhs, indices, shape):
    out = lhs.copy()
    out[tuple(indices.astype(np.int64))] = rhs
    return out


def _fill_ref(a, values, idx):
    out = a.copy()
    out[np.arange(len(a)), idx] = values
    return out


REGION = {"begin": (None, 1), "end": (None, 3)}
IDX = np.array([2, 0, 1, 2], np.float32)
IDX_OUT = np.array([[0, 5], [-1, 1.7]], np.float32)   # out of range and fractional
PICK_IDX = np.array([0, 2, 1], np.float32)
ND_IDX = np.array([[0, 2, 1], [1, 0, 1]], np.float32)
ND_UNIQUE = np.array([[0, 2], [1, 0]], np.float32)
COND = np.array([[1, 0, 1], [0, 0, 2]], np.float32)

SAMPLES = [
    Sample("slice", [(3, 4)], {"begin": (1, 0), "end": (3, 4), "step": (1, 2)}, ref=slice_ref),
    Sample("slice", [(3, 4, 2)], {"begin": (None, -1), "end": (None, 0), "step": (None, -1)},
           ref=slice_ref),
    Sample("crop", [(3, 4)], {"begin": (-5,), "end": (2,)}, ref=slice_ref),
    Sample("_slice_assign", [(3, 4), (3, 2)], REGION, ref=slice_assign_ref),
    Sample("_slice_assign_scalar", [(3, 4)], {"scalar": 2.5, **REGION},
           ref=lambda x, scalar, **p: slice_assign_ref(x, scalar, **p)),
    Sample("slice_axis", [(3, 4)], {"axis": 1, "begin": 1, "end": None}, ref=slice_axis_ref),
    Sample("slice_axis", [(3, 4)], {"axis": -2, "begin": -2, "end": -1}, ref=slice_axis_ref),
    Sample("_backward_slice_axis", [(3, 2), (3, 4)], {"axis": 1, "begin": 1, "end": 3},
           grad_inputs=[0], ref=adjoint(slice_axis_ref)),
    Sample("slice_like", [(3, 4), (2, 3)], ref=slice_like_ref, grad_inputs=[0]),
    Sample("slice_like", [(3, 4, 2), (1, 2)], {"axes": (-2,)}, ref=slice_like_ref,
           grad_inputs=[0]),
    Sample("_backward_slice_like", [(2, 3), (3, 4)], grad_inputs=[0],
           ref=lambda g, x: adjoint(lambda d: slice_like_ref(d, g))(g, x)),
    # indexing.py
    Sample("take", [(3, 2), IDX], ref=take_ref, grad_inputs=[0]),
    Sample("take", [(3, 4), IDX_OUT], {"axis": 1}, ref=take_ref, grad_inputs=[0]),
    Sample("take", [(3, 4), IDX_OUT], {"axis": -1, "mode": "wrap"}, ref=take_ref,
           grad_inputs=[0]),
    Sample("take", [(3, 2), IDX], {"mode": "raise"}, ref=take_ref, grad_inputs=[0]),
    Sample("_backward_take", [(4, 2), IDX, (3, 2)], grad_inputs=[0],
           ref=adjoint(lambda a, idx: take_ref(a, idx))),
    Sample("_backward_take", [(3, 2, 2), IDX_OUT, (3, 4)], {"axis": 1, "mode": "wrap"},
           grad_inputs=[0], ref=adjoint(lambda a, idx, **p: take_ref(a, idx, **p))),
    Sample("batch_take", [(3, 4), np.array([0, 5, -1], np.int32)], grad=False,
           ref=lambda a, i: a[np.arange(3), np.clip(i, 0, 3)]),
    Sample("pick", [(3, 4), PICK_IDX], ref=pick_ref, grad_inputs=[0]),
    Sample("pick", [(3, 4), np.array([0, 7, -1, 2], np.float32)], {"axis": 0, "mode": "wrap",
                                                                    "keepdims": True},
           ref=pick_ref, grad_inputs=[0]),
    Sample("_backward_pick", [(3,), PICK_IDX, (3, 4)], grad_inputs=[0],
           ref=adjoint(lambda x, idx: pick_ref(x, idx))),
    Sample("choose_element_0index", [(3, 4), PICK_IDX], ref=pick_ref, grad_inputs=[0]),
    Sample("fill_element_0index", [(3, 4), (3,), np.array([0, 3, 1.6], np.float32)],
           ref=lambda a, v, i: _fill_ref(a, v, i.astype(int))),
    Sample("_onehot_encode", [np.array([0, 3, 1.6], np.float32), (3, 4)],
           ref=lambda i, o: np.eye(4)[i.astype(int)]),
    Sample("one_hot", [IDX_OUT], {"depth": 3}, ref=one_hot_ref),
    Sample("one_hot", [IDX], {"depth": 3, "on_value": 8, "off_value": -1, "dtype": "int32"},
           ref=one_hot_ref),
    Sample("where", [COND, (2, 3), (2, 3)], ref=where_ref, grad_inputs=[1, 2]),
    Sample("where", [np.array([1, 0], np.float32), (2, 3), (2, 3)], ref=where_ref,
           grad_inputs=[1, 2]),
    # indexing_nd.py
    Sample("gather_nd", [(3, 4), ND_IDX], ref=gather_nd_ref, grad_inputs=[0]),
    Sample("gather_nd", [(3, 4, 2), np.array([[0, -1]], np.float32)], ref=gather_nd_ref,
           grad_inputs=[0]),
    Sample("_backward_gather_nd_like", [(3,), ND_IDX, (3, 4)], grad_inputs=[0],
           ref=adjoint(gather_nd_ref)),
    Sample("_backward_gather_nd", [(3,), ND_IDX], {"shape": (3, 4)}, grad_inputs=[0],
           ref=lambda d, i, shape: adjoint(gather_nd_ref)(d, i, np.zeros(shape))),
    Sample("scatter_nd", [(2,), ND_UNIQUE], {"shape": (3, 4)}, ref=scatter_nd_ref,
           grad_inputs=[0]),
    Sample("scatter_nd", [(2, 2), np.array([[0, 2]], np.float32)], {"shape": (3, 2)},
           ref=scatter_nd_ref, grad_inputs=[0]),
    Sample("_scatter_set_nd", [(3, 4), (2,), ND_UNIQUE], {"shape": (3, 4)},
           ref=scatter_set_nd_ref, grad_inputs=[0, 1]),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def _raises(fn, *words, exc=mx.base.MXNetError):
    with pytest.raises(exc) as info:
        fn()
        mx.nd.waitall()
    for w in words:
        assert w in str(info.value), f"{w!r} not in {info.value}"


def test_slice_errors():
    x = mx.nd.ones((2, 3, 4))
    _raises(lambda: mx.nd.slice(x, begin=(0, 0), end=(1,)), "same length")
    _raises(lambda: mx.nd.slice(x, begin=(0,) * 4, end=(1,) * 4), "exceeds data dimensions")
    _raises(lambda: mx.nd.slice(x, begin=(0, 0), end=(1, 1), step=(0, 1)), "step[0]")
    _raises(lambda: mx.nd.slice_axis(x, axis=1, begin=2, end=1), "begin=2, end=1")
    _raises(lambda: mx.nd.slice_axis(x, axis=1, begin=0, end=5), "end=5")
    _raises(lambda: mx.nd.slice_axis(x, axis=3, begin=0, end=1), "axis=3", exc=IndexError)
    _raises(lambda: mx.nd.slice_like(x, mx.nd.ones((1, 2))), "slice_like")
    _raises(lambda: mx.nd.slice_like(x, mx.nd.ones((1, 5, 3))), "size 5")
    _raises(lambda: mx.nd._slice_assign(x, mx.nd.ones((2, 2, 4)), begin=(None, 1),
                                        end=(None, 2)), "(2, 2, 4)", "(2, 1, 4)")


def test_index_errors():
    a = mx.nd.ones((3, 4))
    _raises(lambda: mx.nd.take(a, mx.nd.array([0, 3]), mode="raise"), "out of bound",
            exc=IndexError)
    _raises(lambda: mx.nd.take(a, mx.nd.array([0]), axis=2), "axis=2", exc=IndexError)
    _raises(lambda: mx.nd.take(a, mx.nd.array([0]), mode="bad"), "mode")
    _raises(lambda: mx.nd.batch_take(a, mx.nd.array([0, 1, 2])), "int32", exc=TypeError)
    _raises(lambda: mx.nd.pick(a, mx.nd.array([0, 2]), axis=1), "index shape (2,)")
    _raises(lambda: mx.nd.pick(a, mx.nd.array([0, 2, 1]), axis=None), "axis=None")
    _raises(lambda: mx.nd.where(mx.nd.ones((4,)), mx.nd.ones((3,)), mx.nd.ones((3,))),
            "condition")
    _raises(lambda: mx.nd.where(mx.nd.ones((3,)), mx.nd.ones((3,)),
                                mx.nd.ones((3,), dtype="int32")), "int32", exc=TypeError)
    _raises(lambda: mx.nd.gather_nd(a, mx.nd.array([0, 2])), "at least 2 dimensions")
    _raises(lambda: mx.nd.gather_nd(a, mx.nd.ones((3, 1))), "exceeds data dimension")
    _raises(lambda: mx.nd.scatter_nd(mx.nd.ones((3,)), mx.nd.ones((2, 2)), shape=(3, 4)),
            "scatter_nd", "(3,)")


def test_batch_take_has_no_gradient_like_mxnet():
    a = mx.nd.ones((2, 3))
    a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.batch_take(a, mx.nd.array([0, 1], dtype="int32"))
    with pytest.raises(mx.base.MXNetError, match="non-differentiable"):
        y.backward()


def test_index_dtype_and_legacy_shapes():
    a = mx.nd.array(np.arange(12).reshape(3, 4))
    assert mx.nd.take(a.astype("int32"), mx.nd.array([0, 2])).dtype == np.int32
    assert mx.nd.pick(mx.nd.array([1, 2, 3]), mx.nd.array([2])).shape == (1,)
    assert mx.nd.one_hot(mx.nd.array([1], dtype="int32"), 2, dtype="float16").dtype == \
        np.float16
    assert mx.nd.slice(a, begin=(2,), end=(1,)).shape == (0, 4)
