"""Correlation (FlowNet): compares patches of data1 with displaced patches of data2.

Output channel ``t`` holds displacement ``(dy, dx) = (t // G - R, t % G - R) * stride2``
(G = 2R + 1, R = max_displacement // stride2); position (i, j) compares the kernel_size^2
patch at ``(i, j) * stride1 + max_displacement`` of the zero-padded data1 with the patch
displaced by (dy, dx) in data2: the mean over the patch and channels of their product
(is_multiply) or absolute difference. Loops run over displacements and kernel offsets
only; each step is a whole-array operation.
"""
import dataclasses
import math

import numpy as np

from ..infer import InferTypeError, ShapeError
from ..param import Bool, Int, Param
from ..reduce import fmt_shape
from ..registry import op

__all__ = ["CorrelationParam"]


class CorrelationParam(Param):
    kernel_size = Int(1, "kernel size for Correlation must be an odd number")
    max_displacement = Int(1, "Max displacement of Correlation ")
    stride1 = Int(1, "stride1 quantize data1 globally")
    stride2 = Int(1, "stride2 quantize data2 within the neighborhood centered around data1")
    pad_size = Int(0, "pad for Correlation")
    is_multiply = Bool(True, "operation type is either multiplication or subduction")


def _geometry(p, shape):
    """(out_h, out_w, grid_radius, grid_width) of the output for data ``shape``."""
    border = p.max_displacement + (p.kernel_size - 1) // 2
    out_h = math.ceil((shape[2] + 2 * p.pad_size - 2 * border) / p.stride1)
    out_w = math.ceil((shape[3] + 2 * p.pad_size - 2 * border) / p.stride1)
    radius = p.max_displacement // p.stride2
    return out_h, out_w, radius, 2 * radius + 1


def _corr_shape(params, in_shapes):
    for name, v in (("kernel_size", params.kernel_size), ("stride1", params.stride1),
                    ("stride2", params.stride2)):
        if v < 1:
            raise ShapeError(f"{name} must be positive, got {v}")
    if params.kernel_size % 2 == 0:
        raise ShapeError(f"kernel size should be odd number, got {params.kernel_size}")
    data1, data2 = in_shapes
    shape = data1 if data1 is not None else data2
    if shape is None:
        return [None]
    for s in (data1, data2):
        if s is not None and len(s) != 4:
            raise ShapeError(f"data should be a 4D tensor, got {fmt_shape(s)}")
    if data1 is not None and data2 is not None and tuple(data1) != tuple(data2):
        raise ShapeError(f"data1 and data2 must have the same shape, got {fmt_shape(data1)} "
                         f"and {fmt_shape(data2)}")
    in_shapes[0] = in_shapes[1] = tuple(shape)
    out_h, out_w, _, width = _geometry(params, shape)
    if out_h < 1 or out_w < 1:
        raise ShapeError("Correlation cannot be done with current settings.Neighborhood and "
                         "kernel don't fit in blob")
    return [(shape[0], width * width, out_h, out_w)]


def _corr_type(params, in_types):
    dtype = in_types[0] if in_types[0] is not None else in_types[1]
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise InferTypeError(f"Correlation only supports floating point types, not {dtype}")
    if in_types[0] is not None and in_types[1] is not None and in_types[0] != in_types[1]:
        raise InferTypeError(f"Type inconsistent, Provided = {in_types[1]}, inferred type = "
                             f"{in_types[0]}")
    in_types[0] = in_types[1] = dtype
    return [dtype]


def _windows(p, shape):
    """Yield (output channel, slice of data1's patch, slice of data2's patch) per step."""
    out_h, out_w, radius, width = _geometry(p, shape)
    md, s1 = p.max_displacement, p.stride1
    for t in range(width * width):
        dy = (t // width - radius) * p.stride2
        dx = (t % width - radius) * p.stride2
        for kh in range(p.kernel_size):
            for kw in range(p.kernel_size):
                y, x = md + kh, md + kw
                a = (slice(y, y + s1 * (out_h - 1) + 1, s1), slice(x, x + s1 * (out_w - 1) + 1, s1))
                b = (slice(y + dy, y + dy + s1 * (out_h - 1) + 1, s1),
                     slice(x + dx, x + dx + s1 * (out_w - 1) + 1, s1))
                yield t, a, b


def _padded(xp, p, x):
    q = p.pad_size
    return xp.pad(x, ((0, 0), (0, 0), (q, q), (q, q))) if q else x


@op("Correlation", inputs=("data1", "data2"), params=CorrelationParam,
    infer_shape=_corr_shape, infer_type=_corr_type)
def correlation(xp, params, data1, data2):
    """Applies correlation to inputs."""
    n, c = data1.shape[:2]
    out_h, out_w, _, width = _geometry(params, data1.shape)
    t1, t2 = _padded(xp, params, data1), _padded(xp, params, data2)
    out = xp.zeros((n, width * width, out_h, out_w), dtype=data1.dtype)
    for t, a, b in _windows(params, data1.shape):
        pa, pb = t1[(Ellipsis,) + a], t2[(Ellipsis,) + b]
        term = pa * pb if params.is_multiply else xp.abs(pa - pb)
        out[:, t] += term.sum(axis=1)
    return out / (params.kernel_size ** 2 * c)


@correlation.gradient
def _(F, node, ograds):
    p = node.params
    return list(F._backward_Correlation(ograds[0], *node.inputs,
                                        **dataclasses.asdict(p)))


@op("_backward_Correlation", inputs=("ograd", "data1", "data2"), params=CorrelationParam,
    num_outputs=2, grad=None, infer_shape=lambda p, s: [s[1], s[2]],
    infer_type=lambda p, t: [t[1], t[2]])
def _backward_correlation(xp, params, ograd, data1, data2):
    """Gradient of Correlation with respect to data1 and data2."""
    c, (h, w), q = data1.shape[1], data1.shape[2:], params.pad_size
    t1, t2 = _padded(xp, params, data1), _padded(xp, params, data2)
    g1, g2 = xp.zeros_like(t1), xp.zeros_like(t2)
    scale = ograd / (params.kernel_size ** 2 * c)
    for t, a, b in _windows(params, data1.shape):
        pa, pb = t1[(Ellipsis,) + a], t2[(Ellipsis,) + b]
        g = scale[:, t:t + 1]
        if params.is_multiply:
            g1[(Ellipsis,) + a] += g * pb
            g2[(Ellipsis,) + b] += g * pa
        else:   # MXNet's sign: +1 where data1 >= data2
            sign = xp.where(pa >= pb, 1, -1).astype(g.dtype)
            g1[(Ellipsis,) + a] += g * sign
            g2[(Ellipsis,) + b] -= g * sign
    return g1[:, :, q:q + h, q:q + w], g2[:, :, q:q + h, q:q + w]
