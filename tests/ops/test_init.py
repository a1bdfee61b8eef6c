"""Creation ops (init.py): _zeros, _ones, _full, *_like, _arange, _linspace, _eye, and the
nd.arange / nd.linspace / nd.eye wrappers."""
import numpy as np
import pytest

import mixnet as mx
from mixnet.ndarray.creation_extra import arange, eye, linspace

from .harness import Sample, parametrize, run_sample


def arange_ref(start, stop=None, step=1.0, repeat=1, dtype="float32", **_):
    if stop is None:
        start, stop = 0.0, start
    n = int(np.ceil((stop - start) / step))
    dt = np.dtype(dtype)
    # MXNet computes start + i*step in the output dtype (ints truncate start and step).
    out = dt.type(start) + np.arange(n).astype(dt) * dt.type(step)
    return np.repeat(out, repeat)


def linspace_ref(start, stop, num, endpoint=True, dtype="float32", **_):
    return np.linspace(start, stop, num, endpoint=endpoint).astype(dtype)


SAMPLES = [
    Sample("_zeros", [], {"shape": (2, 3)}, ref=lambda shape: np.zeros(shape, np.float32)),
    Sample("_ones", [], {"shape": (4,), "dtype": "int32"},
           ref=lambda shape, dtype: np.ones(shape, dtype)),
    Sample("_full", [], {"shape": (2, 2), "value": 2.5},
           ref=lambda shape, value: np.full(shape, value, np.float32)),
    Sample("zeros_like", [(2, 3)], ref=np.zeros_like),
    Sample("ones_like", [(3,)], ref=np.ones_like),
    Sample("_arange", [], {"start": 5}, ref=arange_ref),
    Sample("_arange", [], {"start": 1, "stop": 5, "step": 1.5}, ref=arange_ref),
    Sample("_arange", [], {"start": 0, "stop": 1, "step": 0.1}, ref=arange_ref, rtol=0, atol=0),
    Sample("_arange", [], {"start": 5, "stop": 1, "step": -1}, ref=arange_ref),
    Sample("_arange", [], {"start": 0, "stop": 10, "step": 3, "repeat": 2, "dtype": "float64"},
           ref=arange_ref),
    Sample("_arange", [], {"start": 0.5, "stop": 3.2, "step": 0.3, "dtype": "int32"},
           ref=arange_ref, id="arange-int-truncates"),
    Sample("_linspace", [], {"start": 0, "stop": 1, "num": 5}, ref=linspace_ref),
    Sample("_linspace", [], {"start": 0, "stop": 1, "num": 5, "endpoint": False},
           ref=linspace_ref),
    Sample("_linspace", [], {"start": 0, "stop": 10, "num": 5, "dtype": "int32"},
           ref=linspace_ref),
    Sample("_linspace", [], {"start": 0, "stop": 1, "num": 1}, ref=linspace_ref),
    Sample("_eye", [], {"N": 3}, ref=lambda N: np.eye(N, dtype=np.float32)),
    Sample("_eye", [], {"N": 2, "M": 3, "k": 1},
           ref=lambda N, M, k: np.eye(N, M, k, dtype=np.float32)),
    Sample("_eye", [], {"N": 3, "k": -1, "dtype": "int32"},
           ref=lambda N, k, dtype: np.eye(N, k=k, dtype=dtype)),
    Sample("_eye", [], {"N": 3, "M": 2, "k": 5},
           ref=lambda N, M, k: np.zeros((N, M), np.float32)),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


@pytest.mark.parametrize("kwargs, message", [
    ({"start": 5, "stop": 1}, "Invalid range"),
    ({"start": 0, "stop": 5, "step": -1}, "Invalid range"),
    ({"start": 0, "stop": 0}, "Invalid range"),
    ({"start": 0, "stop": 5, "step": 0}, "step=0"),
    ({"start": 0, "stop": 3, "repeat": 0}, "repeat > 0"),
    ({"start": 3, "infer_range": True}, "infer_range"),
])
def test_arange_errors(kwargs, message):
    with pytest.raises(mx.base.MXNetError, match=message) as info:
        mx.nd._arange(**kwargs)
    assert "_arange" in str(info.value)


def test_linspace_negative_num():
    with pytest.raises(mx.base.MXNetError, match="non-negative"):
        mx.nd._linspace(start=0, stop=1, num=-1)


def test_unknown_dtype_is_rejected():
    with pytest.raises(mx.base.MXNetError, match="dtype"):
        mx.nd._eye(N=2, dtype="bool")


def test_wrappers_follow_mxnet_signatures():
    np.testing.assert_array_equal(arange(3).asnumpy(), [0, 1, 2])
    assert arange(3).dtype == np.float32
    np.testing.assert_array_equal(arange(2, 6, step=2, repeat=2).asnumpy(), [2, 2, 4, 4])
    assert arange(0, 4, dtype="int64").dtype == np.int64
    np.testing.assert_allclose(linspace(0, 1, 5).asnumpy(), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(eye(2, 3, 1).asnumpy(), np.eye(2, 3, 1))
    assert eye(2).dtype == np.float32
    assert arange(3, ctx=mx.cpu(1)).context == mx.cpu(1)
    with pytest.warns(DeprecationWarning):
        arange(3, infer_range=True)
