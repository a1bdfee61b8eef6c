"""UpSampling: nearest neighbour (any number of inputs, concatenated or summed) and bilinear
(a grouped Deconvolution with a weight input, exactly as MXNet builds it).

The nearest gradient is ``_backward_UpSampling``: each input's share of the out-gradient
summed over its ``scale x scale`` blocks; its own gradient is UpSampling again.
"""
import math

from ..infer import ShapeError
from ..param import Choice, Int, Param
from ..reduce import fmt_shape
from ..registry import op
from .deconvolution import DeconvolutionParam, deconvolution
from .fully_connected import param_kwargs
from .im2col import assign_input_shape, float_type

__all__ = ["UpSamplingParam"]


class UpSamplingParam(Param):
    scale = Int(doc="Up sampling scale")
    num_filter = Int(0, "Input filter. Only used by bilinear sample_type.Since bilinear "
                        "upsampling uses deconvolution, num_filters is set to the number of "
                        "channels.")
    sample_type = Choice(("bilinear", "nearest"), doc="upsampling method")
    multi_input_mode = Choice(("concat", "sum"), "concat",
                              "How to handle multiple input. concat means concatenate "
                              "upsampled images along the channel dimension. sum means add all "
                              "images together, only available for nearest neighbor "
                              "upsampling.")
    num_args = Int(doc="Number of inputs to be upsampled. For nearest neighbor upsampling, "
                       "this can be 1-N; For bilinear upsampling this must be 2; 1 input and "
                       "1 weight.")
    workspace = Int(512, "Tmp workspace for deconvolution (MB)")


def _bilinear_kernel(scale):
    return 2 * scale - scale % 2


def deconv_params(p):
    """MXNet's GetDeconvolutionParam: the Deconvolution that bilinear upsampling runs."""
    k, pad = _bilinear_kernel(p.scale), math.ceil((p.scale - 1) / 2)
    return {"kernel": (k, k), "stride": (p.scale, p.scale), "pad": (pad, pad),
            "dilate": (1, 1), "num_filter": p.num_filter, "num_group": p.num_filter,
            "no_bias": True, "workspace": p.workspace}


def _check_4d(shape, what):
    if len(shape) != 4:
        raise ShapeError(f"{what}: Input data should be 4D in (batch, channel, y, x), got "
                         f"{fmt_shape(shape)}")


def _nearest_shape(params, in_shapes):
    if len(in_shapes) != params.num_args:
        raise ShapeError(f"num_args={params.num_args} but {len(in_shapes)} inputs were given")
    if any(s is None for s in in_shapes):
        return [None]
    for shape in in_shapes:
        _check_4d(shape, "UpSamplingNearest")
    first = in_shapes[0]
    oh, ow = first[2] * params.scale, first[3] * params.scale
    channels = 0
    for shape in in_shapes:
        for o, size, name in ((oh, shape[2], "height"), (ow, shape[3], "width")):
            if size and o % size:
                raise ShapeError(f"UpSamplingNearest: input {name} of {size} does not divide "
                                 f"output {name} of {o}")
        if params.multi_input_mode == "sum":
            if channels and channels != shape[1]:
                raise ShapeError("Number of channels must be the same when "
                                 "multi_input_mode==sum")
            channels = shape[1]
        else:
            channels += shape[1]
    return [(first[0], channels, oh, ow)]


def _bilinear_shape(params, in_shapes):
    if len(in_shapes) != 2:
        raise ShapeError(f"bilinear upsampling takes 2 inputs [data, weight], got "
                         f"{len(in_shapes)}")
    data = in_shapes[0]
    if data is None:
        return [None]
    _check_4d(data, "UpSamplingBilinear")
    if data[1] and params.num_filter != data[1]:
        raise ShapeError(f"num_filter={params.num_filter} must equal the number of channels "
                         f"({data[1]}) for bilinear upsampling")
    k = _bilinear_kernel(params.scale)
    assign_input_shape(in_shapes, 1, (data[1], 1, k, k), "weight")
    return [(data[0], data[1], data[2] * params.scale, data[3] * params.scale)]


def _upsampling_shape(params, in_shapes):
    if params.scale < 1:
        raise ShapeError(f"value {params.scale} for Parameter scale should be greater equal "
                         "to 1")
    if params.sample_type == "nearest":
        return _nearest_shape(params, in_shapes)
    return _bilinear_shape(params, in_shapes)


def _nearest(xp, x, s):
    n, c, h, w = x.shape
    wide = xp.broadcast_to(x[:, :, :, None, :, None], (n, c, h, s, w, s))
    return wide.reshape(n, c, h * s, w * s)


@op("UpSampling", inputs=("data",), params=UpSamplingParam, variadic="num_args",
    infer_shape=_upsampling_shape, infer_type=float_type)
def upsampling(xp, params, *data):
    """Upsamples the given input data."""
    if params.sample_type == "bilinear":
        return deconvolution.forward(xp, DeconvolutionParam(**deconv_params(params)), *data)
    oh = data[0].shape[2] * params.scale
    ups = [_nearest(xp, x, oh // x.shape[2]) for x in data]
    if params.multi_input_mode == "sum":
        return sum(ups[1:], ups[0])
    return ups[0] if len(ups) == 1 else xp.concatenate(ups, axis=1)


@upsampling.gradient
def _(F, node, ograds):
    p = node.params
    if p.sample_type == "bilinear":
        return list(F._backward_Deconvolution(ograds[0], *node.inputs, **deconv_params(p)))
    grads = F._backward_UpSampling(ograds[0], *node.inputs,
                                   **param_kwargs(p, num_args=p.num_args + 1))
    return [grads] if p.num_args == 1 else list(grads)   # one output: a single entry


def _backward_shape(params, in_shapes):
    return list(in_shapes[1:])


@op("_backward_UpSampling", inputs=("data",), params=UpSamplingParam, variadic="num_args",
    num_outputs=lambda p: p.num_args - 1, infer_shape=_backward_shape,
    infer_type=lambda p, t: list(t[1:]))
def _backward_upsampling(xp, params, ograd, *data):
    """Gradient of nearest UpSampling: inputs are (ograd, *data), so num_args counts ograd
    too; each input gets its channels of ograd summed over its blocks."""
    grads, begin = [], 0
    for x in data:
        n, c, h, w = x.shape
        s = ograd.shape[2] // h
        g = ograd if params.multi_input_mode == "sum" else ograd[:, begin:begin + c]
        grads.append(g.reshape(n, c, h, s, w, s).sum(axis=(3, 5)))
        begin += c
    return tuple(grads)


@_backward_upsampling.gradient
def _(F, node, ograds):
    # <gg_i, down_i(g)> summed over i is <UpSampling(gg...), g>: the forward op again
    p = node.params
    up = F.UpSampling(*ograds, **param_kwargs(p, num_args=p.num_args - 1))
    return [up] + [None] * (len(node.inputs) - 1)
