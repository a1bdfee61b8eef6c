"""Convolution (1-D/2-D/3-D, grouped, dilated) via im2col + one batched matmul, its fused
backward op, and the kernels that Deconvolution (its transpose) reuses.

All kernels work in channel-first layout (N, C, *spatial) with weights (F, C/g, *kernel);
channel-last layouts (NHWC, NDHWC) are moved to channel-first around them.
"""
import math

from ..infer import conv_input_from_output, ShapeError
from ..param import Bool, Choice, Int, Param, Shape
from ..registry import op
from .fully_connected import layer_backward_gradient, param_kwargs
from .im2col import (
    assign_input_shape,
    check_kernel_fits,
    check_num_inputs,
    check_spatial_ndim,
    float_type,
    fold,
    geometry,
    out_size,
    unfold,
)

__all__ = [
    "ConvolutionParam",
    "add_bias",
    "backward_shape",
    "backward_type",
    "bias_grad",
    "channel_last",
    "check_groups",
    "conv_data_grad",
    "conv_forward",
    "conv_weight_grad",
    "from_channel_first",
    "layout_dims",
    "to_channel_first",
]

_CUDNN_TUNE = ("fastest", "limited_workspace", "off")
_LAYOUTS = ("NCDHW", "NCHW", "NCW", "NDHWC", "NHWC")


class ConvolutionParam(Param):
    kernel = Shape(doc="Convolution kernel size: (w,), (h, w) or (d, h, w)")
    stride = Shape((), "Convolution stride: (w,), (h, w) or (d, h, w). Defaults to 1 for "
                       "each dimension.")
    dilate = Shape((), "Convolution dilate: (w,), (h, w) or (d, h, w). Defaults to 1 for "
                       "each dimension.")
    pad = Shape((), "Zero pad for convolution: (w,), (h, w) or (d, h, w). Defaults to no "
                    "padding.")
    num_filter = Int(doc="Convolution filter(channel) number")
    num_group = Int(1, "Number of group partitions.")
    workspace = Int(1024, "Maximum temporary workspace allowed (MB) in convolution (unused).")
    no_bias = Bool(False, "Whether to disable bias parameter.")
    cudnn_tune = Choice(_CUDNN_TUNE, None, "Whether to pick convolution algo by running "
                                           "performance test (ignored).")
    cudnn_off = Bool(False, "Turn off cudnn for this layer (ignored).")
    layout = Choice(_LAYOUTS, None, "Set layout for input, output and weight. Empty for "
                                    "default layout: NCW for 1d, NCHW for 2d and NCDHW for 3d.")


# --- layouts ----------------------------------------------------------------------------------
def channel_last(layout):
    return layout is not None and layout.endswith("C")


def layout_dims(layout, ndim, valid=None):
    """Check ``layout`` fits ``ndim``-D data; True when channels are last."""
    if layout is None:
        return False
    if len(layout) != ndim or (valid is not None and layout not in valid):
        raise ShapeError(f"layout {layout} does not match {ndim}-D data "
                         f"({ndim - 2}-D kernel)")
    return channel_last(layout)


def to_channel_first(shape_or_array, last):
    """(N, *s, C) -> (N, C, *s) for a shape tuple or an array."""
    if not last:
        return shape_or_array
    if isinstance(shape_or_array, tuple):
        s = shape_or_array
        return (s[0], s[-1]) + tuple(s[1:-1])
    return shape_or_array.transpose((0, shape_or_array.ndim - 1) +
                                    tuple(range(1, shape_or_array.ndim - 1)))


def from_channel_first(shape_or_array, last):
    """(N, C, *s) -> (N, *s, C)."""
    if not last:
        return shape_or_array
    if isinstance(shape_or_array, tuple):
        s = shape_or_array
        return (s[0],) + tuple(s[2:]) + (s[1],)
    return shape_or_array.transpose((0,) + tuple(range(2, shape_or_array.ndim)) + (1,))


# --- kernels (channel-first) -----------------------------------------------------------------
def _grouped_cols(xp, x, geom, groups):
    """The im2col matrix of each group: (g, C/g * prod(kernel), N * prod(out))."""
    n = len(geom.kernel)
    cols = unfold(xp, x, geom)                     # (N, C, *k, *o), a strided view
    axes = (1,) + tuple(range(2, 2 + n)) + (0,) + tuple(range(2 + n, 2 + 2 * n))
    cols = xp.ascontiguousarray(cols.transpose(axes))   # (C, *k, N, *o): one copy
    return cols.reshape(groups, -1, math.prod(cols.shape[1 + n:]))


def _grouped(xp, g, groups):
    """Out-gradient (N, F, *o) as (g, F/g, N * prod(o))."""
    f = g.shape[1]
    return xp.ascontiguousarray(g.swapaxes(0, 1)).reshape(groups, f // groups, -1)


def conv_forward(xp, x, w, geom, groups):
    """(N, C, *s) conv (F, C/g, *k) -> (N, F, *o), no bias."""
    n_batch, f = x.shape[0], w.shape[0]
    cols = _grouped_cols(xp, x, geom, groups)
    out = xp.matmul(w.reshape(groups, f // groups, -1), cols)    # (g, F/g, N*L)
    o = out_size(x.shape[2:], geom)
    return out.reshape((f, n_batch) + o).swapaxes(0, 1)


def conv_data_grad(xp, g, w, spatial, geom, groups):
    """Gradient of conv_forward for x of spatial size ``spatial``: col2im(W^T g)."""
    n_batch, f = g.shape[0], w.shape[0]
    wm = w.reshape(groups, f // groups, -1)
    cols = xp.matmul(wm.swapaxes(1, 2), _grouped(xp, g, groups))   # (g, Ck/g, N*L)
    n = len(geom.kernel)
    cols = cols.reshape((groups * w.shape[1],) + geom.kernel + (n_batch,) + g.shape[2:])
    cols = cols.transpose((1 + n, 0) + tuple(range(1, 1 + n)) +
                          tuple(range(2 + n, 2 + 2 * n)))           # (N, C, *k, *o)
    return fold(xp, cols, tuple(spatial), geom)


def conv_weight_grad(xp, g, x, geom, groups, wshape):
    """Gradient of conv_forward for the weight: g times the im2col matrix of x."""
    cols = _grouped_cols(xp, x, geom, groups)
    return xp.matmul(_grouped(xp, g, groups), cols.swapaxes(1, 2)).reshape(wshape)


def bias_grad(g, last):
    axis = g.ndim - 1 if last else 1
    return g.sum(axis=tuple(i for i in range(g.ndim) if i != axis))


def add_bias(out, bias, last):
    shape = (1,) * (out.ndim - 1) + (-1,) if last else (1, -1) + (1,) * (out.ndim - 2)
    return out + bias.reshape(shape)


# --- Convolution ------------------------------------------------------------------------------
def _list_inputs(p):
    return ("data", "weight") if p.no_bias else ("data", "weight", "bias")


def check_groups(num_filter, num_group, channels, what):
    if num_filter < 1:
        raise ShapeError(f"value {num_filter} for Parameter num_filter should be greater equal "
                         "to 1")
    if num_group < 1 or num_filter % num_group:
        raise ShapeError(f"{what} num_filter must divide group size (num_filter={num_filter}, "
                         f"num_group={num_group})")
    if channels and channels % num_group:
        raise ShapeError(f"input num_filter must divide group size (data has {channels} "
                         f"channels, num_group={num_group})")


def _conv_shape(params, in_shapes):
    check_num_inputs(in_shapes, 2 if params.no_bias else 3)
    geom = geometry(params)
    check_groups(params.num_filter, params.num_group, 0, "output")
    if not params.no_bias:
        assign_input_shape(in_shapes, 2, (params.num_filter,), "bias")
    data = in_shapes[0]
    if data is None:
        return [None]
    check_spatial_ndim(data, geom)
    last = layout_dims(params.layout, len(data))
    n, c, *spatial = to_channel_first(tuple(data), last)
    check_groups(params.num_filter, params.num_group, c, "output")
    wshape = (params.num_filter, c // params.num_group) + geom.kernel
    assign_input_shape(in_shapes, 1, from_channel_first(wshape, last), "weight")
    check_kernel_fits(spatial, geom)
    out = (n, params.num_filter) + out_size(spatial, geom)
    return [from_channel_first(out, last)]


@op("Convolution", inputs=("data", "weight", "bias"), params=ConvolutionParam,
    list_inputs=_list_inputs, infer_shape=_conv_shape, infer_type=float_type,
    infer_shape_backward=conv_input_from_output)
def convolution(xp, params, data, weight, bias=None):
    """Compute *N*-D convolution on *(N+2)*-D input."""
    last = channel_last(params.layout)
    x, w = to_channel_first(data, last), to_channel_first(weight, last)
    out = conv_forward(xp, x, w, geometry(params), params.num_group)
    if bias is not None:
        out = add_bias(out, bias, False)
    return from_channel_first(out, last)


@convolution.gradient
def _(F, node, ograds):
    return list(F._backward_Convolution(ograds[0], *node.inputs[:2],
                                        **param_kwargs(node.params)))


def backward_shape(params, in_shapes):
    """Shapes of (d data, d weight[, d bias]) of a layer's fused backward op."""
    bias = [] if params.no_bias else [(params.num_filter,)]
    return [in_shapes[1], in_shapes[2]] + bias


def backward_type(params, in_types):
    return [in_types[1], in_types[2]] + ([] if params.no_bias else [in_types[2]])


@op("_backward_Convolution", inputs=("ograd", "data", "weight"), params=ConvolutionParam,
    num_outputs=lambda p: 2 if p.no_bias else 3, infer_shape=backward_shape,
    infer_type=backward_type, output_req=True)
def _backward_convolution(xp, params, ograd, data, weight, req=(True, True, True)):
    """Gradients of Convolution for data, weight and (unless no_bias) bias."""
    last = channel_last(params.layout)
    g = to_channel_first(ograd, last)
    x, w = to_channel_first(data, last), to_channel_first(weight, last)
    geom, groups = geometry(params), params.num_group
    dx = conv_data_grad(xp, g, w, x.shape[2:], geom, groups) if req[0] else None
    dw = conv_weight_grad(xp, g, x, geom, groups, w.shape) if req[1] else None
    grads = [None if dx is None else from_channel_first(dx, last),
             None if dw is None else from_channel_first(dw, last)]
    if not params.no_bias:
        grads.append(bias_grad(g, False) if req[2] else None)
    return tuple(grads)


_backward_convolution.gradient(layer_backward_gradient("Convolution", "_backward_Convolution"))
