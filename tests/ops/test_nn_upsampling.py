"""UpSampling (nearest with several inputs, bilinear = grouped Deconvolution) and
_backward_UpSampling: references, gradients, shape inference, errors, MXNet values."""
import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample
from .test_nn_convolution import deconv_ref


def nearest_ref(*data, scale, sample_type, multi_input_mode="concat", num_args=None, **_):
    oh = data[0].shape[2] * scale
    ups = [x.repeat(oh // x.shape[2], axis=2).repeat(oh // x.shape[2], axis=3) for x in data]
    return sum(ups) if multi_input_mode == "sum" else np.concatenate(ups, axis=1)


def bilinear_ref(x, w, *, scale, num_filter, **_):
    k, pad = 2 * scale - scale % 2, int(np.ceil((scale - 1) / 2))
    return deconv_ref(x, w, kernel=(k, k), stride=(scale, scale), pad=(pad, pad),
                      num_filter=num_filter, num_group=num_filter)


NEAREST = {"scale": 2, "sample_type": "nearest"}
SAMPLES = [
    Sample("UpSampling", [(2, 2, 2, 3)], NEAREST, ref=nearest_ref),
    Sample("UpSampling", [(1, 2, 2, 2), (1, 1, 4, 4), (1, 2, 1, 1)], NEAREST, ref=nearest_ref),
    Sample("UpSampling", [(1, 2, 2, 2), (1, 2, 4, 4)],
           {"scale": 2, "sample_type": "nearest", "multi_input_mode": "sum"}, ref=nearest_ref),
    Sample("UpSampling", [(1, 1, 2, 2)], {"scale": 3, "sample_type": "nearest"},
           ref=nearest_ref),
    Sample("UpSampling", [(1, 2, 2, 3), (2, 1, 4, 4)],
           {"scale": 2, "sample_type": "bilinear", "num_filter": 2}, ref=bilinear_ref),
    Sample("UpSampling", [(1, 2, 2, 2), (2, 1, 5, 5)],
           {"scale": 3, "sample_type": "bilinear", "num_filter": 2}, ref=bilinear_ref),
    # num_args of the backward op counts the out-gradient too
    Sample("_backward_UpSampling", [(1, 3, 4, 4), (1, 2, 2, 2), (1, 1, 4, 4)],
           {"scale": 2, "sample_type": "nearest"}),
    Sample("_backward_UpSampling", [(1, 2, 4, 4), (1, 2, 2, 2)],
           {"scale": 2, "sample_type": "nearest", "multi_input_mode": "sum"}),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_infer_shape_fills_bilinear_weight():
    op = registry.get("UpSampling")
    params = op.make_params({"scale": 2, "sample_type": "bilinear", "num_filter": 3,
                             "num_args": 2})
    shapes = [(2, 3, 5, 5), None]
    assert op.infer_shape(params, shapes) == [(2, 3, 10, 10)]
    assert shapes[1] == (3, 1, 4, 4)
    params = op.make_params({"scale": 2, "sample_type": "nearest", "num_args": 2})
    assert op.infer_shape(params, [(0, 3, 5, 5), (0, 1, 10, 10)]) == [(0, 4, 10, 10)]


@pytest.mark.parametrize("call, words", [
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 2, 2)), mx.nd.ones((1, 1, 3, 3)), scale=2,
                              sample_type="nearest"),
     ["input height of 3 does not divide output height of 4"]),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 2, 2)), mx.nd.ones((1, 1, 1, 1)), scale=2,
                              sample_type="nearest", multi_input_mode="sum"),
     ["Number of channels must be the same"]),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 2)), scale=2, sample_type="nearest"),
     ["4D"]),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 3, 3)), scale=2, sample_type="bilinear",
                              num_filter=2),
     ["2 inputs"]),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 3, 3)), mx.nd.ones((2, 1, 3, 3)), scale=2,
                              sample_type="bilinear", num_filter=2),
     ["weight", "[2,1,3,3]", "(2, 1, 4, 4)"]),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 3, 3)), scale=0, sample_type="nearest"),
     ["scale"]),
    (lambda: mx.nd.UpSampling(mx.nd.ones((1, 2, 3, 3)), scale=2),
     ["sample_type"]),
])
def test_errors_name_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as err:
        call()
    for word in ["UpSampling"] + words:
        assert word in str(err.value), (word, str(err.value))


def test_values_match_mxnet():
    # values from MXNet 1.9.1
    y = mx.nd.UpSampling(mx.nd.ones((1, 2, 3, 3)), mx.nd.ones((2, 1, 4, 4)), scale=2,
                         sample_type="bilinear", num_filter=2)
    np.testing.assert_array_equal(y.asnumpy()[0, 0, :2], [[1, 2, 2, 2, 2, 1],
                                                          [2, 4, 4, 4, 4, 2]])
    y = mx.nd.UpSampling(mx.nd.array([[[[1, 2], [3, 4]]]]), mx.nd.array([[[[5]]]]), scale=1,
                         sample_type="nearest")
    np.testing.assert_array_equal(y.asnumpy(), [[[[1, 2], [3, 4]], [[5, 5], [5, 5]]]])


def test_nearest_gradient_sums_blocks():
    x = mx.nd.ones((1, 1, 2, 2))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.UpSampling(x, scale=2, sample_type="nearest")
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), np.full((1, 1, 2, 2), 4.0))
