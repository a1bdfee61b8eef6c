"""Pooling and _backward_Pooling against a loop reference of MXNet's pool.h semantics,
numeric gradients, shape rules, errors and MXNet 1.9.1 values."""
import itertools
import math

import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample


def _out_size(size, k, s, p, convention):
    if convention == "valid":
        return (size + 2 * p - k) // s + 1
    if convention == "full":
        return math.ceil((size + 2 * p - k) / s) + 1
    return math.ceil((size + 2 * p) / s)


def _reduce(win, pool_type, p_value, count):
    if pool_type == "max":
        return win.max()
    if pool_type == "sum":
        return win.sum()
    if pool_type == "avg":
        return win.sum() / count
    total = (win ** p_value).sum()
    return total if p_value == 1 else np.sqrt(total) if p_value == 2 else np.cbrt(total)


def pool_ref(x, kernel=(), pool_type="max", global_pool=False, pooling_convention="valid",
             stride=(), pad=(), p_value=None, count_include_pad=None, layout=None, **_):
    last = layout is not None and layout.endswith("C")
    if last:
        x = np.moveaxis(x, -1, 1)
    spatial = x.shape[2:]
    n = len(spatial)
    if global_pool:
        kernel, stride, pad = spatial, (1,) * n, (0,) * n
    stride, pad = stride or (1,) * n, pad or (0,) * n
    outs = [_out_size(spatial[i], kernel[i], stride[i], pad[i],
                      "valid" if global_pool else pooling_convention) for i in range(n)]
    out = np.zeros(x.shape[:2] + tuple(outs))
    for pos in itertools.product(*map(range, outs)):
        start = [o * s - p for o, s, p in zip(pos, stride, pad)]
        end_pad = [min(a + k, size + p) for a, k, size, p in zip(start, kernel, spatial, pad)]
        lo = [max(a, 0) for a in start]
        hi = [min(a + k, size) for a, k, size in zip(start, kernel, spatial)]
        include = count_include_pad is not False
        count = np.prod([e - a for a, e in zip(start, end_pad)] if include else
                        [e - a for a, e in zip(lo, hi)])
        sl = tuple(slice(a, e) for a, e in zip(lo, hi))
        for b, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
            out[(b, c) + pos] = _reduce(x[(b, c) + sl], pool_type, p_value, count)
    out = out.astype(x.dtype)
    return np.moveaxis(out, 1, -1) if last else out


K2 = {"kernel": (2, 2)}
SAMPLES = [
    Sample("Pooling", [(2, 2, 4, 5)], K2, ref=pool_ref),
    Sample("Pooling", [(2, 2, 4, 4)], {"kernel": (2, 2), "stride": (2, 2)}, ref=pool_ref),
    Sample("Pooling", [(1, 2, 5, 6)], {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1),
                                       "pool_type": "avg"}, ref=pool_ref),
    Sample("Pooling", [(1, 2, 5, 6)], {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1),
                                       "pool_type": "avg", "count_include_pad": False},
           ref=pool_ref),
    Sample("Pooling", [(1, 2, 5, 6)], {"kernel": (3, 2), "stride": (2, 2), "pad": (1, 1),
                                       "pool_type": "avg", "pooling_convention": "full"},
           ref=pool_ref),
    Sample("Pooling", [(1, 2, 5, 6)], {"kernel": (3, 2), "stride": (2, 2), "pad": (1, 0),
                                       "pooling_convention": "full"}, ref=pool_ref),
    Sample("Pooling", [(1, 2, 5, 6)], {"kernel": (2, 3), "stride": (2, 1), "pool_type": "sum",
                                       "pooling_convention": "full"}, ref=pool_ref),
    Sample("Pooling", [(1, 2, 4, 5)], {"kernel": (2, 2), "pool_type": "lp", "p_value": 2},
           ref=pool_ref),
    Sample("Pooling", [(1, 2, 4, 5)], {"kernel": (2, 2), "pool_type": "lp", "p_value": 1},
           ref=pool_ref),
    Sample("Pooling", [(1, 2, 4, 4)], {"kernel": (2, 2), "stride": (2, 2), "pool_type": "lp",
                                       "p_value": 3}, ref=pool_ref, low=0.1, high=1.0),
    Sample("Pooling", [(2, 2, 7)], {"kernel": (3,), "stride": (2,), "pad": (1,)},
           ref=pool_ref),
    Sample("Pooling", [(1, 2, 7)], {"kernel": (3,), "stride": (2,),
                                    "pooling_convention": "same"}, ref=pool_ref),
    Sample("Pooling", [(1, 2, 3, 4, 3)], {"kernel": (2, 2, 2), "stride": (1, 2, 1),
                                          "pool_type": "avg"}, ref=pool_ref),
    Sample("Pooling", [(2, 2, 3, 4)], {"global_pool": True, "pool_type": "avg"}, ref=pool_ref),
    Sample("Pooling", [(2, 2, 3, 4)], {"global_pool": True, "kernel": (2, 2)}, ref=pool_ref),
    Sample("Pooling", [(1, 4, 5, 2)], {"kernel": (2, 2), "stride": (2, 1), "layout": "NHWC"},
           ref=pool_ref),
    Sample("Pooling", [(1, 4, 2)], {"global_pool": True, "pool_type": "sum", "layout": "NWC"},
           ref=pool_ref),
    Sample("Pooling", [(2, 2, 4, 5)], K2, ref=pool_ref, dtype=np.float16, rtol=1e-3,
           atol=1e-3, grad=False, id="pool-float16"),
    # the backward op: its own gradient (avg/sum are linear in the out-gradient)
    Sample("_backward_Pooling", [(1, 2, 2, 3), (1, 2, 3, 4), (1, 2, 2, 3)],
           {"kernel": (2, 2), "pool_type": "avg"}),
    Sample("_backward_Pooling", [(1, 2, 3, 3), (1, 2, 5, 5), (1, 2, 3, 3)],
           {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "sum",
            "pooling_convention": "full"}),
    Sample("_backward_Pooling", [(1, 2, 2, 3), (1, 2, 3, 4), (1, 2, 2, 3)], K2, grad=False),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_max_gradient_goes_to_first_maximum():
    x = mx.nd.array([[[[1, 3], [3, 2]]]])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, kernel=(2, 2))
    y.backward(mx.nd.array([[[[5]]]]))
    np.testing.assert_array_equal(x.grad.asnumpy(), [[[[0, 5], [0, 0]]]])


def test_infer_shape():
    op = registry.get("Pooling")

    def infer(shape, **params):
        return op.infer_shape(op.make_params(params), [shape])[0]

    assert infer((2, 3, 5, 5), kernel=(2, 2)) == (2, 3, 4, 4)
    assert infer((2, 3, 5, 5), kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                 pooling_convention="full") == (2, 3, 3, 3)
    assert infer((2, 3, 5, 4, 3), global_pool=True) == (2, 3, 1, 1, 1)
    assert infer((2, 3, 5, 5), global_pool=True, layout="NHWC") == (2, 1, 1, 5)
    assert infer((2, 7, 3), kernel=(3,), stride=(2,), pooling_convention="same") == (2, 7, 2)
    assert infer((0, 3, 6, 6), kernel=(2, 2), stride=(2, 2)) == (0, 3, 3, 3)
    assert op.infer_shape(op.make_params({"kernel": (2, 2)}), [None]) == [None]


@pytest.mark.parametrize("params, shape, words", [
    ({"kernel": (6, 6)}, (2, 3, 5, 5), ["kernel size (6) exceeds input (5 padded to 5)"]),
    ({"kernel": (2, 2), "pad": (2, 2)}, (2, 3, 5, 5), ["pad", "kernel"]),
    ({"kernel": (2, 2), "pool_type": "lp"}, (2, 3, 5, 5), ["p_value"]),
    ({"kernel": (2, 2), "pool_type": "lp", "p_value": 4}, (2, 3, 5, 5), ["p value of 4"]),
    ({"kernel": (2, 2), "pooling_convention": "same"}, (2, 3, 5, 5), ["'same'", "1-D"]),
    ({"kernel": (2,)}, (2, 3, 5, 5), ["3D in (batch, channel, x)"]),
    ({"kernel": (2, 2), "stride": (1,)}, (2, 3, 5, 5), ["Stride"]),
    ({"kernel": (2, 2), "layout": "NCW"}, (2, 3, 5, 5), ["layout"]),
    ({}, (2, 3, 5, 5), ["0D pooling not supported"]),
    ({"kernel": (2,)}, (2, 3), ["3D in (batch, channel, x)"]),
])
def test_errors_name_op_and_values(params, shape, words):
    with pytest.raises(mx.base.MXNetError) as err:
        mx.nd.Pooling(mx.nd.ones(shape), **params)
    for word in ["Pooling"] + words:
        assert word in str(err.value), (word, str(err.value))


def test_integer_input_rejected():
    with pytest.raises(mx.base.MXNetError, match="floating point"):
        mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4), dtype="int32"), kernel=(2, 2))


def test_values_match_mxnet():
    x = mx.nd.array(np.arange(25).reshape(1, 1, 5, 5))
    # values from MXNet 1.9.1
    avg_full = mx.nd.Pooling(x, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg",
                             pooling_convention="full")
    np.testing.assert_allclose(avg_full.asnumpy()[0, 0], [[1.3333334, 3, 2.6666667],
                                                          [7, 12, 9], [8, 13, 9.333333]],
                               rtol=1e-6)
    no_pad = mx.nd.Pooling(x, kernel=(3, 3), pad=(1, 1), pool_type="avg",
                           count_include_pad=False)
    np.testing.assert_allclose(no_pad.asnumpy()[0, 0, 0], [3, 3.5, 4.5, 5.5, 6])
    lp3 = mx.nd.Pooling(x, kernel=(2, 2), pool_type="lp", p_value=3)
    np.testing.assert_allclose(lp3.asnumpy()[0, 0, 0], [6.993191, 8.281635, 9.619001,
                                                        11.002754], rtol=1e-6)
    max_full = mx.nd.Pooling(-x, kernel=(2, 2), stride=(2, 2), pooling_convention="full")
    np.testing.assert_array_equal(max_full.asnumpy()[0, 0], [[0, -2, -4], [-10, -12, -14],
                                                             [-20, -22, -24]])
