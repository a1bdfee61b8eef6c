"""Pooling (max, avg, sum, lp; 1-D/2-D/3-D; valid/full/same conventions; global) over the
strided window view of ``im2col.unfold``, and its fused backward op ``_backward_Pooling``.

Window ``i`` of a spatial dim covers ``[i*stride - pad, i*stride - pad + kernel)``; 'full'
adds end padding so the last partial window exists. Max ignores padding (padded with -inf),
avg divides by the window's size clipped to the padded input (count_include_pad) or to the
input, as MXNet's pool.h does.
"""
import math

from ...base import MXNetError
from ..infer import ShapeError
from ..param import Bool, Choice, Int, Param, Shape
from ..reduce import fmt_shape
from ..registry import op
from .convolution import channel_last, from_channel_first, layout_dims, to_channel_first
from .fully_connected import param_kwargs
from .im2col import Geometry, float_type, fold_blocks, geometry, kernel_offsets, unfold

__all__ = ["PoolingParam"]

_LAYOUTS = ("NCDHW", "NCHW", "NCW", "NDHWC", "NHWC", "NWC")


class PoolingParam(Param):
    kernel = Shape((), "Pooling kernel size: (y, x) or (d, y, x)")
    pool_type = Choice(("avg", "lp", "max", "sum"), "max", "Pooling type to be applied.")
    global_pool = Bool(False, "Ignore kernel size, do global pooling based on current input "
                              "feature map. ")
    cudnn_off = Bool(False, "Turn off cudnn pooling and use MXNet pooling operator (ignored).")
    pooling_convention = Choice(("full", "same", "valid"), "valid",
                                "Pooling convention to be applied.")
    stride = Shape((), "Stride: for pooling (y, x) or (d, y, x). Defaults to 1 for each "
                       "dimension.")
    pad = Shape((), "Pad for pooling: (y, x) or (d, y, x). Defaults to no padding.")
    p_value = Int(None, "Value of p for Lp pooling, can be 1, 2 or 3, required for Lp Pooling.")
    count_include_pad = Bool(None, "Only used for AvgPool, specify whether to count padding "
                                   "elements for average calculation. Defaults to true.")
    layout = Choice(_LAYOUTS, None, "Set layout for input and output. Empty for default "
                                    "layout: NCW for 1d, NCHW for 2d and NCDHW for 3d.")


def _check_params(params, ndim):
    if params.pool_type == "lp":
        if params.p_value is None:
            raise ShapeError("p_value is required for lp pooling")
        if params.p_value not in (1, 2, 3):
            raise ShapeError(f"p value of {params.p_value} is not supported yet (1, 2 or 3)")
    if ndim < 3 or ndim > 5:
        raise ShapeError("Input data should be  3D in (batch, channel, x) Or 4D in (batch, "
                         "channel, y, x)  Or 5D in (batch, channel, d, y, x)")
    if params.pooling_convention == "same":
        if ndim != 3:
            raise ShapeError("Input data should be 3D in (batch, channel, x). Currently 'same' "
                             "supports Max Pooling 1-D")
        if any(params.pad):
            raise ShapeError("Same pooling convention disables the use of pad parameter.")


def _geometry(params, spatial):
    """Pooling Geometry (dilate 1) for the channel-first spatial size ``spatial``."""
    if params.global_pool:
        n = len(spatial)
        return Geometry(tuple(spatial), (1,) * n, (1,) * n, (0,) * n)
    n = len(params.kernel)
    if n not in (1, 2, 3):
        raise ShapeError(f"{n}D pooling not supported")
    if len(spatial) != n:
        names = {1: "3D in (batch, channel, x)", 2: "4D in (batch, channel, y, x)",
                 3: "5D in (batch, channel, d, y, x)"}
        raise ShapeError(f"Input data should be {names[n]} for kernel "
                         f"{fmt_shape(params.kernel)}")
    geom = geometry(params, "pooling")
    for i, size in enumerate(spatial):
        if size and geom.kernel[i] > size + 2 * geom.pad[i]:
            raise ShapeError(f"kernel size ({geom.kernel[i]}) exceeds input ({size} padded to "
                             f"{size + 2 * geom.pad[i]})")
        if geom.pad[i] >= geom.kernel[i]:
            raise ShapeError(f"pad {fmt_shape(geom.pad)} must be smaller than kernel "
                             f"{fmt_shape(geom.kernel)}")
    return geom


def _pooled_size(params, spatial, geom):
    out = []
    for i, size in enumerate(spatial):
        k, s, p = geom.kernel[i], geom.stride[i], geom.pad[i]
        if not size:
            out.append(0)
        elif params.global_pool or params.pooling_convention == "valid":
            out.append(1 + (size + 2 * p - k) // s)
        elif params.pooling_convention == "full":
            out.append(1 + math.ceil((size + 2 * p - k) / s))
        else:
            out.append(math.ceil((size + 2 * p) / s))
    return tuple(out)


def _pool_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None]
    _check_params(params, len(data))
    last = layout_dims(params.layout, len(data), _LAYOUTS)
    n, c, *spatial = to_channel_first(tuple(data), last)
    geom = _geometry(params, spatial)
    return [from_channel_first((n, c) + _pooled_size(params, spatial, geom), last)]


class _Plan:
    """Geometry, output size and end padding of one pooling call on channel-first data."""

    def __init__(self, params, spatial):
        self.spatial = tuple(spatial)
        self.geom = _geometry(params, spatial)
        self.out = _pooled_size(params, spatial, self.geom)
        g = self.geom
        self.extra = tuple(max(0, (o - 1) * s + k - (x + 2 * p)) for o, s, k, x, p in
                           zip(self.out, g.stride, g.kernel, spatial, g.pad))

    def windows(self, xp, x, pad_value=0):
        """(N, C, *kernel, *out) view of the padded data."""
        view = unfold(xp, x, self.geom, pad_value, self.extra)
        n = len(self.out)
        return view[(slice(None),) * (2 + n) + tuple(slice(0, o) for o in self.out)]

    def divisor(self, xp, count_include_pad, dtype):
        """Window sizes (1, 1, *out) clipped as MXNet's avg pooling does."""
        total = xp.ones((1, 1) + self.out, dtype=dtype)
        n = len(self.out)
        for i, (o, x) in enumerate(zip(self.out, self.spatial)):
            k, s, p = self.geom.kernel[i], self.geom.stride[i], self.geom.pad[i]
            start = xp.arange(o) * s - p
            if count_include_pad:
                size = xp.minimum(start + k, x + p) - start
            else:
                size = xp.minimum(start + k, x) - xp.maximum(start, 0)
            total = total * size.reshape((o,) + (1,) * (n - 1 - i)).astype(dtype)
        return total

    def blocks(self, xp, x, pad_value=0):
        """The (N, C, *out) block of each kernel offset (strided views), in scan order."""
        win = self.windows(xp, x, pad_value)
        for offs in kernel_offsets(self.geom):
            yield offs, win[(slice(None), slice(None)) + offs]

    def fold(self, xp, block, like):
        """Sum ``block(offs)`` (N, C, *out) back over the windows into ``like``'s shape."""
        return fold_blocks(xp, block, like.shape[:2], self.out, like.dtype, self.spatial,
                           self.geom, self.extra)


def _lp_root(xp, s, p):
    return s if p == 1 else xp.sqrt(s) if p == 2 else xp.cbrt(s)


def _accumulate(xp, blocks, combine):
    out = None
    for _, b in blocks:
        out = b.copy() if out is None else combine(out, b, out=out)
    return out


@op("Pooling", params=PoolingParam, infer_shape=_pool_shape, infer_type=float_type)
def pooling(xp, params, data):
    """Performs pooling on the input."""
    last = channel_last(params.layout)
    x = to_channel_first(data, last)
    plan = _Plan(params, x.shape[2:])
    kind = params.pool_type
    # NOTE: one elementwise op per kernel offset; reducing the strided window view over
    # its kernel axes is several times slower in NumPy.
    if kind == "max":
        out = _accumulate(xp, plan.blocks(xp, x, -xp.inf), xp.maximum)
    elif kind == "lp":
        p = params.p_value
        powered = ((offs, b ** p) for offs, b in plan.blocks(xp, x))
        out = _lp_root(xp, _accumulate(xp, powered, xp.add), p)
    else:
        out = _accumulate(xp, plan.blocks(xp, x), xp.add)
        if kind == "avg":
            out /= plan.divisor(xp, params.count_include_pad is not False, x.dtype)
    return from_channel_first(out, last)


@pooling.gradient
def _(F, node, ograds):
    return [F._backward_Pooling(ograds[0], node.inputs[0], node.output(0),
                                **param_kwargs(node.params))]


def _max_block(xp, plan, x, y, g):
    """block(offs) routing each out-gradient to the first maximum of its window."""
    blocks = dict(plan.blocks(xp, x, -xp.inf))
    taken = xp.zeros(y.shape, dtype=bool)

    def block(offs):   # called once per offset, in scan order (see fold_blocks)
        hit = (blocks[offs] == y) & ~taken
        taken[...] |= hit
        return g * hit
    return block


@op("_backward_Pooling", inputs=("ograd", "data", "output"), params=PoolingParam,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[1]])
def _backward_pooling(xp, params, ograd, data, output):
    """Gradient of Pooling: max routes to the argmax, avg/sum spread, lp scales."""
    last = channel_last(params.layout)
    x, g = to_channel_first(data, last), to_channel_first(ograd, last)
    y = to_channel_first(output, last)
    plan = _Plan(params, x.shape[2:])
    kind = params.pool_type
    if kind == "max":
        block = _max_block(xp, plan, x, y, g)
    elif kind == "lp" and params.p_value > 1:
        blocks = dict(plan.blocks(xp, x))
        block = lambda offs: g * (blocks[offs] / y) ** (params.p_value - 1)
    else:
        if kind == "avg":
            g = g / plan.divisor(xp, params.count_include_pad is not False, g.dtype)
        block = lambda offs: g
    return from_channel_first(plan.fold(xp, block, x), last)


@_backward_pooling.gradient
def _(F, node, ograds):
    p = node.params
    if p.pool_type not in ("avg", "sum"):
        # as MXNet, whose _backward_Pooling has no gradient
        raise MXNetError(f"second-order gradient of {p.pool_type} Pooling is not supported")
    return [F.Pooling(ograds[0], **param_kwargs(p)), None, None]
