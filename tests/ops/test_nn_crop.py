import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample


def _corner(size, target, offset, center_crop):
    return [(s - t) // 2 for s, t in zip(size, target)] if center_crop else list(offset)


def crop_ref(x, like=None, num_args=1, offset=(0, 0), h_w=(0, 0), center_crop=False):
    h, w = h_w if like is None else like.shape[2:]
    y0, x0 = _corner(x.shape[2:], (h, w), offset, center_crop)
    return x[:, :, y0:y0 + h, x0:x0 + w]


def backward_ref(g, x, offset=(0, 0), center_crop=False):
    out = np.zeros_like(x)
    h, w = g.shape[2:]
    y0, x0 = _corner(x.shape[2:], (h, w), offset, center_crop)
    out[:, :, y0:y0 + h, x0:x0 + w] = g
    return out


SAMPLES = [
    Sample("Crop", [(1, 2, 4, 4)], {"h_w": (2, 3), "offset": (1, 1)}, ref=crop_ref),
    Sample("Crop", [(1, 2, 4, 4)], {"h_w": (3, 2), "center_crop": True}, ref=crop_ref),
    Sample("Crop", [(2, 1, 4, 5), (1, 1, 2, 3)], {"center_crop": True}, ref=crop_ref,
           grad_inputs=[0]),
    Sample("_backward_Crop", [(1, 2, 2, 3), (1, 2, 4, 4)], {"offset": (1, 0)},
           ref=backward_ref, grad_inputs=[0]),
    Sample("_backward_Crop", [(1, 1, 2, 3), (1, 1, 4, 4)], {"center_crop": True},
           ref=backward_ref, grad_inputs=[0]),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_values_match_mxnet():
    x = mx.nd.array(np.arange(32).reshape(1, 2, 4, 4))
    # MXNet 1.9.1
    out = mx.nd.Crop(x, mx.nd.zeros((1, 1, 2, 3)), num_args=2, center_crop=True)
    np.testing.assert_array_equal(out.asnumpy()[0, 0], [[4, 5, 6], [8, 9, 10]])
    out = mx.nd.Crop(x, num_args=1, h_w=(3, 2), center_crop=True)
    np.testing.assert_array_equal(out.asnumpy()[0, 1], [[17, 18], [21, 22], [25, 26]])


def test_shape_inference():
    op = registry.get("Crop")
    p = op.make_params({"num_args": 2})
    assert op.infer_shape(p, [(1, 2, 4, 4), (1, 1, 2, 3)]) == [(1, 2, 2, 3)]
    assert op.infer_shape(p, [(1, 2, 4, 4), None]) == [None]


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.Crop(x, num_args=1, h_w=(5, 2)), ["Crop", "does not fit"]),
    (lambda x: mx.nd.Crop(x[0], num_args=1, h_w=(1, 1)), ["Crop", "4D"]),
])
def test_errors(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((1, 2, 4, 4)))
    for w in words:
        assert w in str(info.value)
