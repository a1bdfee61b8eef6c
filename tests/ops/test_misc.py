"""clip, cumsum, shape_array, size_array, diag, amp_cast, amp_multicast (misc.py)."""
import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample
from .test_matrix import adjoint


def clip_ref(x, a_min, a_max):
    return np.where(x > a_max, a_max, np.where(x < a_min, a_min, x)).astype(x.dtype)


def backward_clip_ref(g, x, a_min, a_max):
    return np.where((x >= a_min) & (x <= a_max), g, 0)


def cumsum_ref(a, axis=None, dtype=None):
    return np.cumsum(a, axis=axis, dtype=dtype)


def diag_ref(x, k=0, axis1=0, axis2=1):
    return np.diag(x, k) if x.ndim == 1 else np.diagonal(x, k, axis1, axis2)


CLIP = {"a_min": -0.4, "a_max": 0.5}

SAMPLES = [
    Sample("clip", [(3, 4)], CLIP, ref=clip_ref),
    Sample("clip", [np.array([0, 1, 2, 3, 7], np.int32)], {"a_min": 1.7, "a_max": 5.5},
           ref=lambda x, **p: np.clip(x, 1, 5), grad=False),
    Sample("_backward_clip", [(3, 4), (3, 4)], CLIP, ref=backward_clip_ref, grad_inputs=[0]),
    Sample("_np_cumsum", [(3, 4)], ref=cumsum_ref),
    Sample("cumsum", [(3, 4)], {"axis": 1}, ref=cumsum_ref),
    Sample("cumsum", [(2, 3)], {"axis": -2, "dtype": "float64"}, ref=cumsum_ref),
    Sample("cumsum", [np.array([[1, 2], [3, 4]], np.int8)], {"axis": 0},
           ref=lambda a, axis: np.cumsum(a, axis, dtype=np.int8), grad=False),
    Sample("_backward_np_cumsum", [(6,), (2, 3)], grad_inputs=[0], ref=adjoint(cumsum_ref)),
    Sample("_backward_np_cumsum", [(2, 3), (2, 3)], {"axis": 1}, grad_inputs=[0],
           ref=adjoint(cumsum_ref)),
    Sample("shape_array", [(2, 3, 4)], ref=lambda x: np.array(x.shape, np.int64)),
    Sample("size_array", [(2, 3, 4)], ref=lambda x: np.array([x.size], np.int64)),
    Sample("diag", [(3,)], ref=diag_ref),
    Sample("diag", [(3,)], {"k": -1}, ref=diag_ref),
    Sample("diag", [(3, 4)], {"k": 1}, ref=diag_ref),
    Sample("diag", [(2, 3, 4)], {"k": 1, "axis1": -1, "axis2": 0}, ref=diag_ref),
    Sample("_backward_diag", [(3, 1), (2, 3, 4)], {"k": 1, "axis1": -1, "axis2": 0},
           grad_inputs=[0], ref=adjoint(diag_ref)),
    Sample("_backward_diag", [(4, 4), (3,)], {"k": 1}, grad_inputs=[0], ref=adjoint(diag_ref)),
    # float16 outputs: forward only (a finite difference of 1e-6 vanishes in float16).
    Sample("amp_cast", [(2, 3)], {"dtype": "float16"}, ref=lambda x, dtype: x.astype(dtype),
           rtol=1e-3, atol=1e-3, grad=False),
    Sample("amp_cast", [(2, 3)], {"dtype": "float64"}, ref=lambda x, dtype: x.astype(dtype)),
    Sample("amp_cast", [np.array([1, 2], np.int32)], {"dtype": "float16"},
           ref=lambda x, dtype: x, grad=False),
    Sample("amp_multicast", [(2,), np.array([1, 2], np.float16)], {"num_outputs": 2},
           ref=lambda a, b, **p: [a, b.astype(np.float32)], grad=False),
    Sample("amp_multicast", [(2,), (3,)], {"num_outputs": 2}, ref=lambda a, b, **p: [a, b]),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def _types(*dtypes, cast_narrow=False):
    arrays = [mx.nd.ones((2,), dtype=t) for t in dtypes]
    outs = mx.nd.amp_multicast(*arrays, num_outputs=len(arrays), cast_narrow=cast_narrow)
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    return [np.dtype(o.dtype).name for o in outs]


@pytest.mark.parametrize("dtypes, narrow, expect", [
    # Observed on MXNet 1.9.1.
    (("float32", "float16"), False, ["float32", "float32"]),
    (("float16", "float64"), False, ["float16", "float64"]),
    (("float64", "float16"), False, ["float64", "float64"]),
    (("int32", "float16"), False, ["int32", "int32"]),
    (("uint8", "float32"), False, ["uint8", "float32"]),
    (("float32", "float16"), True, ["float16", "float16"]),
    (("float64", "float16", "float32"), True, ["float64", "float16", "float16"]),
    (("int32", "float32"), True, ["int32", "float32"]),
])
def test_amp_multicast_types(dtypes, narrow, expect):
    assert _types(*dtypes, cast_narrow=narrow) == expect


def test_clip_gradient_passes_inside_inclusive():
    x = mx.nd.array([0, 1, 1.5, 2, 3])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.clip(x, 1, 2)
    y.backward(mx.nd.ones((5,)) * 1.5)
    np.testing.assert_allclose(x.grad.asnumpy(), [0, 1.5, 1.5, 1.5, 0])


def test_dtypes():
    a = mx.nd.ones((2, 2))
    assert mx.nd.cumsum(a.astype("bool")).dtype == np.int64
    assert mx.nd.cumsum(a.astype("int32"), dtype="float64").dtype == np.float64
    assert mx.nd.shape_array(a).dtype == np.int64
    assert mx.nd.size_array(a).dtype == np.int64
    assert mx.nd.clip(a.astype("int32"), 0, 1).dtype == np.int32


def _raises(fn, *words, exc=mx.base.MXNetError):
    with pytest.raises(exc) as info:
        fn()
        mx.nd.waitall()
    for w in words:
        assert w in str(info.value), f"{w!r} not in {info.value}"


def test_errors():
    a = mx.nd.ones((3, 4))
    _raises(lambda: mx.nd.clip(a, 0), "a_max")
    _raises(lambda: mx.nd.cumsum(a, axis=2), "axis=2", exc=IndexError)
    _raises(lambda: mx.nd.cumsum(a, dtype="uint8"), "dtype")
    _raises(lambda: mx.nd.diag(a, k=-5), "Diagonal does not exist")
    _raises(lambda: mx.nd.diag(mx.nd.ones((2, 3, 4)), axis1=1, axis2=1), "same axis")
    _raises(lambda: mx.nd.amp_cast(a, dtype="bool"), "dtype")
    _raises(lambda: mx.nd.amp_multicast(a, a, num_outputs=1), "amp_multicast", "2")
