"""FullyConnected and _backward_FullyConnected: forward vs NumPy, numeric gradients (first
and second order), shape inference filling weight/bias, errors."""
import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample


def fc_ref(x, w, b=None, num_hidden=None, no_bias=False, flatten=True):
    x2 = x.reshape(x.shape[0], -1) if flatten else x
    out = x2 @ w.T
    return (out if b is None else out + b).astype(x.dtype)


SAMPLES = [
    Sample("FullyConnected", [(3, 4), (5, 4), (5,)], {"num_hidden": 5}, ref=fc_ref),
    Sample("FullyConnected", [(2, 3, 2), (4, 6), (4,)], {"num_hidden": 4}, ref=fc_ref),
    Sample("FullyConnected", [(2, 3, 2), (4, 2)], {"num_hidden": 4, "no_bias": True,
                                                   "flatten": False}, ref=fc_ref),
    Sample("FullyConnected", [(2, 3, 2), (4, 2), (4,)], {"num_hidden": 4, "flatten": False},
           ref=fc_ref),
    Sample("FullyConnected", [(5,), (3, 1), (3,)], {"num_hidden": 3}, ref=fc_ref,
           id="fc-1d-flatten"),
    Sample("FullyConnected", [(3, 4), (5, 4), (5,)], {"num_hidden": 5}, ref=fc_ref,
           dtype=np.float16, rtol=2e-3, atol=2e-3, grad=False, id="fc-float16"),
    Sample("_backward_FullyConnected", [(3, 2), (3, 4), (2, 4)], {"num_hidden": 2}),
    Sample("_backward_FullyConnected", [(2, 3, 2), (2, 3, 4), (2, 4)],
           {"num_hidden": 2, "flatten": False, "no_bias": True}),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def _infer(in_shapes, **params):
    op = registry.get("FullyConnected")
    shapes = list(in_shapes)
    return shapes, op.infer_shape(op.make_params(params), shapes)


def test_infer_shape_fills_weight_and_bias():
    shapes, out = _infer([(8, 3, 5), None, None], num_hidden=4)
    assert shapes[1:] == [(4, 15), (4,)] and out == [(8, 4)]
    shapes, out = _infer([(8, 3, 5), None, None], num_hidden=4, flatten=False)
    assert shapes[1:] == [(4, 5), (4,)] and out == [(8, 3, 4)]
    shapes, out = _infer([(8, 5), None], num_hidden=2, no_bias=True)
    assert shapes[1] == (2, 5) and out == [(8, 2)]
    # unknown batch (0) keeps the weight inferable, as MXNet
    shapes, out = _infer([(0, 3, 5), None, None], num_hidden=4)
    assert shapes[1] == (4, 15) and out == [(0, 4)]
    shapes, out = _infer([None, None, None], num_hidden=4)
    assert out == [None] and shapes[2] == (4,)


@pytest.mark.parametrize("call, words", [
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 5)), mx.nd.ones((4, 6)), mx.nd.ones((4,)),
                                  num_hidden=4),
     ["FullyConnected", "weight", "[4,6]", "(4, 5)"]),
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 5)), mx.nd.ones((4, 5)), mx.nd.ones((3,)),
                                  num_hidden=4),
     ["FullyConnected", "bias", "[3]"]),
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 5)), mx.nd.ones((4, 5)), num_hidden=4),
     ["FullyConnected", "expects 3 inputs"]),
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 5)), mx.nd.ones((4, 5)), mx.nd.ones((4,)),
                                  num_hidden=4, no_bias=True),
     ["FullyConnected", "expects 2 inputs"]),
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 5), dtype="int32"),
                                  mx.nd.ones((4, 5), dtype="int32"),
                                  mx.nd.ones((4,), dtype="int32"), num_hidden=4),
     ["FullyConnected", "floating point"]),
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 5), dtype="float64"), mx.nd.ones((4, 5)),
                                  mx.nd.ones((4,)), num_hidden=4),
     ["FullyConnected"]),
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 5)), mx.nd.ones((4, 5)), mx.nd.ones((4,))),
     ["FullyConnected", "num_hidden"]),
])
def test_errors_name_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as err:
        call()
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_dtype_follows_data():
    y = mx.nd.FullyConnected(mx.nd.ones((2, 5), dtype="float64"),
                             mx.nd.ones((3, 5), dtype="float64"),
                             mx.nd.ones((3,), dtype="float64"), num_hidden=3)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y.asnumpy(), np.full((2, 3), 6.0))
