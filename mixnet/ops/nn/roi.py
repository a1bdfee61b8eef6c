"""ROIPooling: max pooling of regions of interest into a fixed grid of bins.

Like MXNet, it keeps the position of each bin's maximum as a hidden second output
(``maxidx``: h * W + w inside the ROI's image, -1 for an empty bin); the gradient routes
each output gradient to that position, and the ROIs get none.
"""
import numpy as np

from ...base import MXNetValueError
from ..infer import InferTypeError, ShapeError
from ..param import REQUIRED, Float, Param, Shape
from ..reduce import fmt_shape
from ..registry import op

__all__ = ["ROIPoolingParam"]


class ROIPoolingParam(Param):
    pooled_size = Shape(REQUIRED, "ROI pooling output shape (h,w) ")
    spatial_scale = Float(REQUIRED, "Ratio of input feature map height (or w) to raw image "
                          "height (or w). Equals the reciprocal of total stride in "
                          "convolutional layers")


def _roi_shape(params, in_shapes):
    if len(params.pooled_size) != 2:
        raise ShapeError(f"pooled_size must have 2 dimensions (h, w), got "
                         f"{fmt_shape(params.pooled_size)}")
    data, rois = in_shapes
    if data is not None and len(data) != 4:
        raise ShapeError(f"data should be a 4D tensor, got {fmt_shape(data)}")
    if rois is not None and (len(rois) != 2 or rois[1] != 5):
        raise ShapeError(f"bbox should be a 2D tensor of shape [batch, 5], got "
                         f"{fmt_shape(rois)}")
    if data is None or rois is None:
        return [None, None]
    out = (rois[0], data[1]) + tuple(params.pooled_size)
    return [out, out]


def _roi_type(params, in_types):
    dtype = in_types[0] if in_types[0] is not None else in_types[1]
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise InferTypeError(f"ROIPooling only supports floating point types, not {dtype}")
    if in_types[0] is not None and in_types[1] is not None and in_types[0] != in_types[1]:
        raise InferTypeError(f"data and rois must share a dtype, got {in_types[0]} and "
                             f"{in_types[1]}")
    in_types[0] = in_types[1] = dtype
    return [dtype, dtype]


def _c_round(v):
    """C's round(): halves away from zero (NumPy rounds them to even)."""
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def _bins(params, roi, height, width):
    """Row and column bin bounds [start, end) of one ROI, clipped to the image.

    Computed in float32 like MXNet's kernel, so bin edges land on the same pixels.
    """
    f32 = np.float32
    x1, y1, x2, y2 = (int(_c_round(f32(v) * f32(params.spatial_scale))) for v in roi[1:])
    bounds = []
    for start, end, pooled, size in ((y1, y2, params.pooled_size[0], height),
                                     (x1, x2, params.pooled_size[1], width)):
        bin_size = f32(max(end - start + 1, 1)) / f32(pooled)   # malformed ROIs are 1x1
        k = np.arange(pooled, dtype=f32)
        lo = np.floor(k * bin_size).astype(np.int64) + start
        hi = np.ceil((k + 1) * bin_size).astype(np.int64) + start
        bounds.append((np.clip(lo, 0, size), np.clip(hi, 0, size)))
    return bounds


def _pool_one(xp, image, rows, cols):
    """Max and argmax (h * W + w) of each bin of ``image`` (C, H, W); -1 for empty bins."""
    (r0, r1), (c0, c1) = rows, cols
    top, bottom, left, right = int(r0.min()), int(r1.max()), int(c0.min()), int(c1.max())
    c, width = image.shape[0], image.shape[2]
    empty = xp.asarray((r1 <= r0)[:, None] | (c1 <= c0)[None, :])
    if bottom <= top or right <= left:
        shape = (c, len(r0), len(c0))
        return xp.zeros(shape, image.dtype), xp.full(shape, -1, image.dtype)
    crop = image[:, top:bottom, left:right]
    row_in = xp.asarray((np.arange(top, bottom)[None, :] >= r0[:, None]) &
                        (np.arange(top, bottom)[None, :] < r1[:, None]))     # (ph, rows)
    col_in = xp.asarray((np.arange(left, right)[None, :] >= c0[:, None]) &
                        (np.arange(left, right)[None, :] < c1[:, None]))     # (pw, cols)
    # max over each bin's columns, then over its rows; argmax keeps the first maximum in
    # row-major order, as MXNet's strict '>' scan does.
    by_col = xp.where(col_in[None, None], crop[:, :, None, :], -xp.inf)    # (C, rows, pw, cols)
    col_max, col_arg = by_col.max(axis=3), by_col.argmax(axis=3)
    by_row = xp.where(row_in[None, :, :, None], col_max[:, None], -xp.inf)  # (C, ph, rows, pw)
    best, row_arg = by_row.max(axis=2), by_row.argmax(axis=2)
    col_of_best = xp.take_along_axis(col_arg, row_arg, axis=1)
    index = (row_arg + top) * width + col_of_best + left
    return xp.where(empty, 0, best), xp.where(empty, -1, index).astype(image.dtype)


def _batch_indices(rois, batch):
    index = [int(b) for b in rois[:, 0].tolist()]
    bad = [b for b in index if not 0 <= b < batch]
    if bad:
        raise MXNetValueError(f"ROIPooling: roi batch index {bad[0]} is out of range for a "
                              f"batch of {batch}")
    return index


@op("ROIPooling", inputs=("data", "rois"), params=ROIPoolingParam, num_outputs=2,
    num_visible_outputs=1, output_names=("output", "maxidx"), infer_shape=_roi_shape,
    infer_type=_roi_type)
def roi_pooling(xp, params, data, rois):
    """Performs region of interest(ROI) pooling on the input array."""
    n, c, h, w = data.shape
    host = rois.tolist()     # bin bounds are per-ROI scalars: read the (few) ROIs once
    batch = _batch_indices(rois, n)
    shape = (len(host), c) + tuple(params.pooled_size)
    out, arg = xp.zeros(shape, data.dtype), xp.full(shape, -1, data.dtype)
    for r, roi in enumerate(host):
        rows, cols = _bins(params, roi, h, w)
        out[r], arg[r] = _pool_one(xp, data[batch[r]], rows, cols)
    return out, arg


@roi_pooling.gradient
def _(F, node, ograds):
    data, rois = node.inputs
    return [F._backward_ROIPooling(ograds[0], rois, node.output(1), data), None]


@op("_backward_ROIPooling", inputs=("ograd", "rois", "maxidx", "data"), grad=None,
    infer_shape=lambda p, s: [s[3]], infer_type=lambda p, t: [t[3]])
def _backward_roi_pooling(xp, params, ograd, rois, maxidx, data):
    """Gradient of ROIPooling: each bin's gradient goes to its maximum's position."""
    n, c, h, w = data.shape
    batch = xp.asarray(_batch_indices(rois, n), dtype=np.int64).reshape(-1, 1, 1, 1)
    index = maxidx.astype(np.int64)
    flat = (batch * c + xp.arange(c).reshape(1, -1, 1, 1)) * (h * w) + index
    valid = index >= 0
    grad = xp.zeros(n * c * h * w, dtype=data.dtype)
    xp.add.at(grad, flat[valid], ograd[valid].astype(data.dtype))
    return grad.reshape(data.shape)
