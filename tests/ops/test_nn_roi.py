"""ROIPooling against a loop-based NumPy reference and values from MXNet 1.9.1."""
import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample


def _c_round(v):
    return float(np.sign(v) * np.floor(abs(v) + 0.5))


def roi_pooling_ref(data, rois, pooled_size, spatial_scale):
    """MXNet's CPU kernel, pixel by pixel (bins in float32, first maximum wins)."""
    _, c, h, w = data.shape
    ph, pw = pooled_size
    out = np.zeros((len(rois), c, ph, pw))
    f32 = np.float32
    for r, roi in enumerate(rois):
        b = int(roi[0])
        x1, y1, x2, y2 = (int(_c_round(f32(v) * f32(spatial_scale))) for v in roi[1:])
        bin_h = f32(max(y2 - y1 + 1, 1)) / f32(ph)
        bin_w = f32(max(x2 - x1 + 1, 1)) / f32(pw)
        for i in range(ph):
            for j in range(pw):
                hs = min(max(int(np.floor(f32(i) * bin_h)) + y1, 0), h)
                he = min(max(int(np.ceil(f32(i + 1) * bin_h)) + y1, 0), h)
                ws = min(max(int(np.floor(f32(j) * bin_w)) + x1, 0), w)
                we = min(max(int(np.ceil(f32(j + 1) * bin_w)) + x1, 0), w)
                if he > hs and we > ws:
                    out[r, :, i, j] = data[b, :, hs:he, ws:we].max(axis=(1, 2))
    return out


ROIS = np.array([[0, 0, 0, 7, 7], [1, 2.2, 1.4, 6.5, 5.1], [0, 3, 3, 3, 3], [1, -2, 5, 20, 30],
                 [0, 6.1, 4, 2, 1]])
SCALED = ROIS * [1, 2.1, 2.1, 2.1, 2.1]


def _distinct(*shape):
    """Distinct values (no ties inside a bin, so the numeric gradient is well defined)."""
    rng = np.random.RandomState(0)
    return rng.permutation(np.prod(shape)).reshape(shape) / np.prod(shape)


SAMPLES = [
    Sample("ROIPooling", [(2, 3, 8, 8), ROIS], {"pooled_size": (2, 3), "spatial_scale": 1.0},
           ref=roi_pooling_ref, grad=False),
    Sample("ROIPooling", [(2, 2, 6, 7), SCALED], {"pooled_size": (3, 2), "spatial_scale": 0.5},
           ref=roi_pooling_ref, grad=False),
    Sample("ROIPooling", [(2, 2, 6, 7), ROIS], {"pooled_size": (4, 4), "spatial_scale": 0.625},
           ref=roi_pooling_ref, grad=False),
    # gradients: distinct values, so each bin's maximum is unique
    Sample("ROIPooling", [_distinct(2, 2, 5, 6), ROIS[:3] * [1, 0.6, 0.6, 0.6, 0.6]],
           {"pooled_size": (2, 2), "spatial_scale": 1.0}, ref=roi_pooling_ref,
           grad_inputs=[0]),
    # _backward_ROIPooling is checked through ROIPooling's gradient above
    Sample("_backward_ROIPooling", [(2, 2, 2, 2), ROIS[:2], np.array(
        [[[[0, 5], [7, -1]], [[1, 2], [3, 4]]], [[[8, 9], [10, 11]], [[-1, 0], [0, 6]]]],
        dtype=np.float32), (2, 2, 3, 4)]),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


D = np.array([1, 5, 2, 0, 3, 4, 8, 1, 9, 2, 6, 7, 0, 3, 1, 2.0]).reshape(1, 1, 4, 4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_match_mxnet(dtype):
    data = mx.nd.array(np.concatenate([D, -D], 1), dtype=dtype)
    rois = mx.nd.array([[0, 0, 0, 3, 3], [0, 1, 0.4, 2.6, 3], [0, 2, 2, 2, 2]], dtype=dtype)
    data.attach_grad()
    rois.attach_grad()
    with mx.autograd.record():
        out = mx.nd.ROIPooling(data, rois, pooled_size=(2, 2), spatial_scale=1.0)
    out.backward(mx.nd.array(np.arange(24).reshape(3, 2, 2, 2) % 5 - 2.0, dtype=dtype))
    assert out.dtype == np.dtype(dtype)
    # MXNet 1.9.1
    np.testing.assert_array_equal(out.asnumpy().ravel(), [
        5, 8, 9, 7, -1, 0, 0, -1, 8, 8, 6, 7, -2, 0, -1, -1, 6, 6, 6, 6, -6, -6, -6, -6])
    np.testing.assert_array_equal(data.grad.asnumpy().ravel(), [
        0, -2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 0, 0, -1, 0, 0, 0, 0, 0, 0, -2, 0, -1, 0, 0, 0])
    assert not rois.grad.asnumpy().any()


def test_symbol_hides_maxidx():
    sym = mx.sym.ROIPooling(mx.sym.var("data"), mx.sym.var("rois"), pooled_size=(2, 2),
                            spatial_scale=1.0, name="r")
    assert sym.list_outputs() == ["r_output"]
    assert sym.infer_shape(data=(2, 3, 8, 8), rois=(4, 5))[1] == [(4, 3, 2, 2)]


def _nd(*shape, dtype="float32"):
    return mx.nd.ones(shape, dtype=dtype)


@pytest.mark.parametrize("call, words", [
    (lambda: mx.nd.ROIPooling(_nd(2, 3, 8, 8), _nd(4, 4), pooled_size=(2, 3), spatial_scale=1),
     ["ROIPooling", "[batch, 5]", "[4,4]"]),
    (lambda: mx.nd.ROIPooling(_nd(2, 3, 8), _nd(4, 5), pooled_size=(2, 3), spatial_scale=1),
     ["ROIPooling", "4D", "[2,3,8]"]),
    (lambda: mx.nd.ROIPooling(_nd(2, 3, 8, 8), _nd(4, 5), pooled_size=(2,), spatial_scale=1),
     ["ROIPooling", "pooled_size", "[2]"]),
    (lambda: mx.nd.ROIPooling(_nd(2, 3, 8, 8), _nd(4, 5), pooled_size=(2, 2)),
     ["ROIPooling", "spatial_scale"]),
    (lambda: mx.nd.ROIPooling(_nd(2, 3, 8, 8, dtype="float64"), _nd(4, 5), pooled_size=(2, 2),
                              spatial_scale=1), ["ROIPooling", "float64", "float32"]),
    (lambda: mx.nd.ROIPooling(_nd(2, 3, 8, 8), mx.nd.array([[5, 0, 0, 3, 3]]),
                              pooled_size=(2, 2), spatial_scale=1).asnumpy(),
     ["ROIPooling", "batch index 5", "batch of 2"]),
])
def test_errors_name_the_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call()
    for word in words:
        assert word in str(info.value)
