"""Sliding blocks of N-D images: the ``unfold``/``fold`` kernels that Convolution,
Deconvolution and Pooling are built on, and the ``im2col``/``col2im`` ops.

``unfold`` is a strided view (no copy) of the padded input with shape
``(N, C, *kernel, *out)``; ``fold`` is its transpose (overlapping blocks are summed), done
with one strided add per kernel offset, never a loop over batch or pixels.
"""
import itertools
import math
from typing import NamedTuple

import numpy as np

from ..infer import InferTypeError, ShapeError, same_type
from ..param import Param, Shape
from ..reduce import fmt_shape
from ..registry import op

__all__ = [
    "Geometry",
    "assign_input_shape",
    "check_kernel_fits",
    "check_num_inputs",
    "check_spatial_ndim",
    "float_type",
    "fold",
    "fold_blocks",
    "geometry",
    "kernel_offsets",
    "out_size",
    "unfold",
]


class Geometry(NamedTuple):
    """Per-spatial-dim kernel, stride, dilate and pad (all tuples of one length)."""

    kernel: tuple
    stride: tuple
    dilate: tuple
    pad: tuple

    def dilated(self, i):
        return self.dilate[i] * (self.kernel[i] - 1) + 1


def geometry(params, what="convolution"):
    """The Geometry of ``params`` (kernel/stride/dilate/pad), MXNet's defaults and checks."""
    kernel = tuple(params.kernel)
    n = len(kernel)
    fields = {"stride": 1, "dilate": 1, "pad": 0}
    values = {}
    for name, default in fields.items():
        value = tuple(getattr(params, name, ()) or (default,) * n)
        if len(value) != n:
            raise ShapeError(f"{name.capitalize()} must have the same number of dimensions "
                             f"with kernel_size, but kernel_size is set to {fmt_shape(kernel)} "
                             f"while {name} is {fmt_shape(value)}")
        values[name] = value
    if any(k <= 0 for k in kernel):
        raise ShapeError(f"incorrect kernel size: {fmt_shape(kernel)} (every {what} kernel "
                         "dimension must be positive)")
    for name in ("stride", "dilate"):
        if any(v <= 0 for v in values[name]):
            raise ShapeError(f"incorrect {name} size: {fmt_shape(values[name])}")
    if any(p < 0 for p in values["pad"]):
        raise ShapeError(f"incorrect pad size: {fmt_shape(values['pad'])}")
    return Geometry(kernel, values["stride"], values["dilate"], values["pad"])


def check_spatial_ndim(shape, geom, what="data"):
    """``shape`` must be (N, C, *spatial) with one spatial dim per kernel dim."""
    n = len(geom.kernel)
    if n not in (1, 2, 3):
        raise ShapeError(f"{n}D kernel {fmt_shape(geom.kernel)} not supported (1, 2 or 3 "
                         "dimensions)")
    if len(shape) != n + 2:
        names = {1: "(batch, channel, x)", 2: "(batch, channel, y, x)",
                 3: "(batch, channel, d, y, x)"}
        raise ShapeError(f"Input {what} should be {n + 2}D in {names[n]} for a {n}-D kernel, "
                         f"got shape {fmt_shape(shape)}")


def check_kernel_fits(spatial, geom):
    for i, size in enumerate(spatial):
        if size and geom.dilated(i) > size + 2 * geom.pad[i]:
            raise ShapeError(f"kernel size exceed input: dilated kernel {geom.dilated(i)} > "
                             f"input {size} padded to {size + 2 * geom.pad[i]} (spatial dim {i})")


def out_size(spatial, geom):
    """Output spatial size of a 'valid' sliding window (0 stays unknown)."""
    return tuple((s + 2 * geom.pad[i] - geom.dilated(i)) // geom.stride[i] + 1 if s else 0
                 for i, s in enumerate(spatial))


def float_type(params, in_types):
    """Uniform floating-point inputs (MXNet's check of its NN kernels)."""
    out = same_type(params, in_types)
    if out[0] is not None and np.dtype(out[0]).kind != "f":
        raise InferTypeError(f"This operation only support floating point types, not "
                             f"{np.dtype(out[0]).name}")
    return out


def assign_input_shape(in_shapes, i, expected, name):
    """Fill unknown input ``i`` with ``expected`` or check it (MXNet's SHAPE_ASSIGN_CHECK)."""
    given = in_shapes[i]
    if given is None:
        in_shapes[i] = tuple(expected)
        return
    given = tuple(given)
    ok = len(given) == len(expected) and all(
        not a or not b or a == b for a, b in zip(given, expected))
    if not ok:
        raise ShapeError(f"Shape inconsistent for {name}, Provided = {fmt_shape(given)}, "
                         f"inferred shape={tuple(expected)}")
    in_shapes[i] = tuple(a or b for a, b in zip(given, expected))


def check_num_inputs(in_shapes, expected):
    if len(in_shapes) != expected:
        raise ShapeError(f"expects {expected} inputs, but got {len(in_shapes)} instead "
                         "(no_bias=True takes no bias input; no_bias=False needs one)")


# --- kernels ------------------------------------------------------------------------------
def _pad(xp, x, pad, value=0):
    if not any(pad):
        return x
    widths = [(0, 0)] * (x.ndim - len(pad)) + [(p, p) for p in pad]
    return xp.pad(x, widths, mode="constant", constant_values=value)


def unfold(xp, x, geom, pad_value=0, extra=None):
    """Strided view ``(N, C, *kernel, *out)`` of the padded ``x`` (no copy besides padding).

    ``extra``: additional zero-width padding at the end of each dim ('full' pooling).
    """
    x = _pad(xp, x, geom.pad, pad_value)
    if extra is not None and any(extra):
        widths = [(0, 0)] * 2 + [(0, e) for e in extra]
        x = xp.pad(x, widths, mode="constant", constant_values=pad_value)
    n = len(geom.kernel)
    spatial = x.shape[2:]
    out = tuple((spatial[i] - geom.dilated(i)) // geom.stride[i] + 1 for i in range(n))
    st = x.strides
    strides = st[:2] + tuple(st[2 + i] * geom.dilate[i] for i in range(n)) + \
        tuple(st[2 + i] * geom.stride[i] for i in range(n))
    return xp.lib.stride_tricks.as_strided(x, x.shape[:2] + geom.kernel + out, strides)


def kernel_offsets(geom):
    """Every kernel offset, in row-major order (the order MXNet scans a window in)."""
    return itertools.product(*(range(k) for k in geom.kernel))


def fold(xp, cols, spatial, geom, extra=None):
    """Sum blocks ``cols`` ``(N, C, *kernel, *out)`` back into ``(N, C, *spatial)``.

    ``extra``: the end padding ``unfold`` added beyond ``pad`` (its blocks are dropped).
    """
    n = len(geom.kernel)
    return fold_blocks(xp, lambda offs: cols[(slice(None), slice(None)) + offs],
                       cols.shape[:2], cols.shape[2 + n:], cols.dtype, spatial, geom, extra)


def fold_blocks(xp, block, lead, out, dtype, spatial, geom, extra=None):
    """``fold`` with the ``(N, C, *out)`` block of each kernel offset given by ``block(offs)``
    (called in ``kernel_offsets`` order): one strided add per offset."""
    extra = extra or (0,) * len(geom.kernel)
    padded_size = tuple(s + 2 * p + e for s, p, e in zip(spatial, geom.pad, extra))
    res = xp.zeros(tuple(lead) + padded_size, dtype=dtype)
    for offs in kernel_offsets(geom):
        window = tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                       for o, d, s, m in zip(offs, geom.dilate, geom.stride, out))
        res[(slice(None), slice(None)) + window] += block(offs)
    crop = tuple(slice(p, p + s) for p, s in zip(geom.pad, spatial))
    return res[(slice(None), slice(None)) + crop]


# --- im2col / col2im ------------------------------------------------------------------------
_DOCS = {
    "kernel": "Sliding kernel size: (w,), (h, w) or (d, h, w).",
    "stride": "The stride between adjacent sliding blocks in spatial dimension: (w,), (h, w) "
              "or (d, h, w). Defaults to 1 for each dimension.",
    "dilate": "The spacing between adjacent kernel points: (w,), (h, w) or (d, h, w). "
              "Defaults to 1 for each dimension.",
    "pad": "The zero-value padding size on both sides of spatial dimension: (w,), (h, w) or "
           "(d, h, w). Defaults to no padding.",
}


class Im2colParam(Param):
    kernel = Shape(doc=_DOCS["kernel"])
    stride = Shape((), _DOCS["stride"])
    dilate = Shape((), _DOCS["dilate"])
    pad = Shape((), _DOCS["pad"])


class Col2imParam(Param):
    output_size = Shape(doc="The spatial dimension of image array: (w,), (h, w) or (d, h, w).")
    kernel = Shape(doc=_DOCS["kernel"])
    stride = Shape((), _DOCS["stride"])
    dilate = Shape((), _DOCS["dilate"])
    pad = Shape((), _DOCS["pad"])


def _blocks_params(p):
    return {"kernel": p.kernel, "stride": p.stride, "dilate": p.dilate, "pad": p.pad}


def _im2col_shape(params, in_shapes):
    geom = geometry(params)
    data = in_shapes[0]
    if data is None:
        return [None]
    check_spatial_ndim(data, geom)
    check_kernel_fits(data[2:], geom)
    out = out_size(data[2:], geom)
    blocks = math.prod(out) if all(out) else 0
    channels = data[1] * math.prod(geom.kernel)
    if not (data[0] and channels and blocks):
        return [None]   # as MXNet: nothing is inferred from a partly known shape
    return [(data[0], channels, blocks)]


@op("im2col", params=Im2colParam, infer_shape=_im2col_shape, infer_type=float_type)
def im2col(xp, params, data):
    """Extract sliding blocks from input array."""
    geom = geometry(params)
    cols = unfold(xp, data, geom)
    n, c = data.shape[:2]
    return cols.reshape(n, c * math.prod(geom.kernel), -1)


@im2col.gradient
def _(F, node, ograds):
    # col2im needs the image size, which only the data input knows (symbolic graphs)
    return [F._backward_im2col(ograds[0], node.inputs[0], **_blocks_params(node.params))]


@op("_backward_im2col", inputs=("ograd", "data"), params=Im2colParam,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[1]])
def _backward_im2col(xp, params, ograd, data):
    """Gradient of im2col: col2im of the output gradient to the data's size."""
    geom = geometry(params)
    n, c = data.shape[:2]
    cols = ograd.reshape((n, c) + geom.kernel + out_size(data.shape[2:], geom))
    return fold(xp, cols, data.shape[2:], geom)


@_backward_im2col.gradient
def _(F, node, ograds):
    return [F.im2col(ograds[0], **_blocks_params(node.params)), None]


def _col2im_shape(params, in_shapes):
    geom = geometry(params)
    size = tuple(params.output_size)
    if len(size) != len(geom.kernel):
        raise ShapeError(f"output_size {fmt_shape(size)} must have one entry per kernel "
                         f"dimension {fmt_shape(geom.kernel)}")
    data = in_shapes[0]
    if data is None:
        return [None]
    if len(data) != 3:
        raise ShapeError(f"col2im input should be 3D in (batch, channel*kernel, blocks), got "
                         f"{fmt_shape(data)}")
    ksize = math.prod(geom.kernel)
    if data[1] % ksize:
        raise ShapeError(f"the second dim of input shape should be multiples of kernel size "
                         f"({data[1]} vs. kernel {fmt_shape(geom.kernel)})")
    check_kernel_fits(size, geom)
    blocks = math.prod(out_size(size, geom))
    if data[2] and data[2] != blocks:
        raise ShapeError(f"output size does not match convolution parameters: {data[2]} "
                         f"blocks given, output_size {fmt_shape(size)} makes {blocks}")
    if not data[0]:
        return [None]
    return [(data[0], data[1] // ksize) + size]


@op("col2im", params=Col2imParam, infer_shape=_col2im_shape, infer_type=float_type)
def col2im(xp, params, data):
    """Combining the output column matrix of im2col back to image array."""
    geom = geometry(params)
    size = tuple(params.output_size)
    n, ck, _ = data.shape
    cols = data.reshape((n, ck // math.prod(geom.kernel)) + geom.kernel + out_size(size, geom))
    return fold(xp, cols, size, geom)


@col2im.gradient
def _(F, node, ograds):
    return [F.im2col(ograds[0], **_blocks_params(node.params))]
