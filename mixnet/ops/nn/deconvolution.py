"""Deconvolution (transposed convolution, 1-D/2-D/3-D): the data-gradient of Convolution
with weight (C_in, num_filter/num_group, *kernel), plus bias; and its fused backward op.

Its output size per spatial dim is ``stride*(in-1) + dilated_kernel - 2*pad + adj``; with a
``target_shape`` MXNet derives pad and adj from it instead (``DeconvolutionParam::InferPad``).
"""
from ..infer import ShapeError
from ..param import Bool, Choice, Int, Param, Shape
from ..reduce import fmt_shape
from ..registry import op
from .convolution import (
    _CUDNN_TUNE,
    _LAYOUTS,
    add_bias,
    backward_shape,
    backward_type,
    bias_grad,
    channel_last,
    check_groups,
    conv_data_grad,
    conv_forward,
    conv_weight_grad,
    from_channel_first,
    layout_dims,
    to_channel_first,
)
from .fully_connected import layer_backward_gradient, param_kwargs
from .im2col import (
    Geometry,
    assign_input_shape,
    check_num_inputs,
    check_spatial_ndim,
    float_type,
    geometry,
)

__all__ = ["DeconvolutionParam", "deconv_geometry"]


class DeconvolutionParam(Param):
    kernel = Shape(doc="Deconvolution kernel size: (w,), (h, w) or (d, h, w). This is same as "
                       "the kernel size used for the corresponding convolution")
    stride = Shape((), "The stride used for the corresponding convolution: (w,), (h, w) or "
                       "(d, h, w). Defaults to 1 for each dimension.")
    dilate = Shape((), "Dilation factor for each dimension of the input: (w,), (h, w) or "
                       "(d, h, w). Defaults to 1 for each dimension.")
    pad = Shape((), "The amount of implicit zero padding added during convolution for each "
                    "dimension of the input: (w,), (h, w) or (d, h, w). If `target_shape` is "
                    "set, `pad` will be ignored. Defaults to no padding.")
    adj = Shape((), "Adjustment for output shape: (w,), (h, w) or (d, h, w). If "
                    "`target_shape` is set, `adj` will be ignored and computed accordingly.")
    target_shape = Shape((), "Shape of the output tensor: (w,), (h, w) or (d, h, w).")
    num_filter = Int(doc="Number of output filters.")
    num_group = Int(1, "Number of groups partition.")
    workspace = Int(512, "Maximum temporary workspace allowed (MB) in deconvolution (unused).")
    no_bias = Bool(True, "Whether to disable bias parameter.")
    cudnn_tune = Choice(_CUDNN_TUNE, None, "Whether to pick convolution algorithm by running "
                                           "performance test (ignored).")
    cudnn_off = Bool(False, "Turn off cudnn for this layer (ignored).")
    layout = Choice(_LAYOUTS, None, "Set layout for input, output and weight. Empty for "
                                    "default layout, NCW for 1d, NCHW for 2d and NCDHW for 3d.")


def _check_len(params, name, n):
    value = tuple(getattr(params, name))
    if value and len(value) != n:
        raise ShapeError(f"{name} {fmt_shape(value)} must have the same number of dimensions "
                         f"as kernel {fmt_shape(params.kernel)}")
    return value or (0,) * n


def deconv_geometry(params, in_spatial):
    """(Geometry with the effective pad, adj) for input spatial size ``in_spatial``."""
    geom = geometry(params, "deconvolution")
    n = len(geom.kernel)
    target, adj = _check_len(params, "target_shape", n), _check_len(params, "adj", n)
    if not any(target):
        pad = geom.pad
    else:   # MXNet's InferPad: the pad (and odd remainder as adj) reaching target_shape
        pad, adj = list(geom.pad), list(adj)
        for i, size in enumerate(in_spatial):
            if not size:
                continue
            full = geom.stride[i] * (size - 1) + geom.dilated(i)
            if full < target[i]:
                raise ShapeError(f"too big target shape: {fmt_shape(target)} (at most {full} "
                                 f"in spatial dim {i})")
            pad[i], adj[i] = (full - target[i] + 1) // 2, (full - target[i]) % 2
    for i, a in enumerate(adj):
        if a >= geom.stride[i]:
            raise ShapeError(f"adj({'dyx'[3 - n + i]}) must be smaller than stride[{i}] "
                             f"(adj={fmt_shape(adj)}, stride={fmt_shape(geom.stride)})")
    return Geometry(geom.kernel, geom.stride, geom.dilate, tuple(pad)), tuple(adj)


def _deconv_out(in_spatial, geom, adj):
    out = []
    for i, size in enumerate(in_spatial):
        o = geom.stride[i] * (size - 1) + geom.dilated(i) - 2 * geom.pad[i] + adj[i]
        if size and o <= 0:
            raise ShapeError(f"output size {o} in spatial dim {i} is not positive (pad "
                             f"{fmt_shape(geom.pad)} too large)")
        out.append(o if size else 0)
    return tuple(out)


def _list_inputs(p):
    return ("data", "weight") if p.no_bias else ("data", "weight", "bias")


def _deconv_shape(params, in_shapes):
    check_num_inputs(in_shapes, 2 if params.no_bias else 3)
    check_groups(params.num_filter, params.num_group, 0, "output")
    if not params.no_bias:
        assign_input_shape(in_shapes, 2, (params.num_filter,), "bias")
    data = in_shapes[0]
    if data is None:
        geometry(params, "deconvolution")
        return [None]
    check_spatial_ndim(data, geometry(params, "deconvolution"))
    last = layout_dims(params.layout, len(data))
    n, c, *spatial = to_channel_first(tuple(data), last)
    check_groups(params.num_filter, params.num_group, c, "output")
    geom, adj = deconv_geometry(params, spatial)
    wshape = (c, params.num_filter // params.num_group) + geom.kernel
    assign_input_shape(in_shapes, 1, from_channel_first(wshape, last), "weight")
    out = (n, params.num_filter) + _deconv_out(spatial, geom, adj)
    return [from_channel_first(out, last)]


@op("Deconvolution", inputs=("data", "weight", "bias"), params=DeconvolutionParam,
    list_inputs=_list_inputs, infer_shape=_deconv_shape, infer_type=float_type)
def deconvolution(xp, params, data, weight, bias=None):
    """Computes 1D, 2D or 3D transposed convolution (aka fractionally strided convolution) of
    the input tensor: the gradient of Convolution with respect to its input."""
    last = channel_last(params.layout)
    x, w = to_channel_first(data, last), to_channel_first(weight, last)
    geom, adj = deconv_geometry(params, x.shape[2:])
    out = conv_data_grad(xp, x, w, _deconv_out(x.shape[2:], geom, adj), geom, params.num_group)
    if bias is not None:
        out = add_bias(out, bias, False)
    return from_channel_first(out, last)


@deconvolution.gradient
def _(F, node, ograds):
    return list(F._backward_Deconvolution(ograds[0], *node.inputs[:2],
                                          **param_kwargs(node.params)))


@op("_backward_Deconvolution", inputs=("ograd", "data", "weight"), params=DeconvolutionParam,
    num_outputs=lambda p: 2 if p.no_bias else 3, infer_shape=backward_shape,
    infer_type=backward_type)
def _backward_deconvolution(xp, params, ograd, data, weight):
    """Gradients of Deconvolution for data, weight and (unless no_bias) bias."""
    last = channel_last(params.layout)
    g = to_channel_first(ograd, last)
    x, w = to_channel_first(data, last), to_channel_first(weight, last)
    geom, _ = deconv_geometry(params, x.shape[2:])
    groups = params.num_group
    dx = conv_forward(xp, g, w, geom, groups)
    dw = conv_weight_grad(xp, x, g, geom, groups, w.shape)
    grads = [from_channel_first(dx, last), from_channel_first(dw, last)]
    if not params.no_bias:
        grads.append(bias_grad(g, False))
    return tuple(grads)


_backward_deconvolution.gradient(
    layer_backward_gradient("Deconvolution", "_backward_Deconvolution"))
