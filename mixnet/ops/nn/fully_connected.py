"""FullyConnected (``Y = X W^T + b``, one matmul) and its fused backward op.

Also the gradient rule shared by the backward ops of every "linear layer" (FullyConnected,
Convolution, Deconvolution): the layer ``y = L(x; W) + b`` is bilinear in (x, W), so its
backward op ``(g, x, W) -> (L_x^T g, L_W^T(g, x), sum g)`` is differentiated with the layer
and its backward op again (see ``layer_backward_gradient``).
"""
import math

from ..infer import batch_from_output, ShapeError
from ..param import Bool, Int, Param
from ..registry import op
from .im2col import assign_input_shape, check_num_inputs, float_type

__all__ = ["FullyConnectedParam", "layer_backward_gradient", "param_kwargs"]


class FullyConnectedParam(Param):
    num_hidden = Int(doc="Number of hidden nodes of the output.")
    no_bias = Bool(False, "Whether to disable bias parameter.")
    flatten = Bool(True, "Whether to collapse all but the first axis of the input data tensor.")


def param_kwargs(params, **override):
    """Keyword arguments rebuilding ``params`` (with some fields replaced) for ``F.*``."""
    kwargs = {name: getattr(params, name) for name in params._specs}
    kwargs.update(override)
    return kwargs


def _list_inputs(p):
    return ("data", "weight") if p.no_bias else ("data", "weight", "bias")


def _fc_shape(params, in_shapes):
    check_num_inputs(in_shapes, 2 if params.no_bias else 3)
    hidden = params.num_hidden
    if hidden < 1:
        raise ShapeError(f"value {hidden} for Parameter num_hidden should be greater equal to 1")
    if not params.no_bias:
        assign_input_shape(in_shapes, 2, (hidden,), "bias")
    data = in_shapes[0]
    if data is None:
        return [None]
    if params.flatten:
        num_input = math.prod(data[1:]) if all(data[1:]) else 0
        out = (data[0], hidden)
    else:
        num_input = data[-1]
        out = tuple(data[:-1]) + (hidden,)
    assign_input_shape(in_shapes, 1, (hidden, num_input), "weight")
    return [out]


def _as_matrix(params, data):
    """The 2-D (rows, features) view of the data."""
    if params.flatten:
        return data.reshape(data.shape[0], -1)
    return data.reshape(-1, data.shape[-1])


@op("FullyConnected", inputs=("data", "weight", "bias"), params=FullyConnectedParam,
    list_inputs=_list_inputs, infer_shape=_fc_shape, infer_type=float_type,
    infer_shape_backward=batch_from_output)
def fully_connected(xp, params, data, weight, bias=None):
    """Applies a linear transformation: :math:`Y = XW^T + b`."""
    x = data.reshape(data.shape[0], -1) if params.flatten else data
    out = xp.matmul(x, weight.T)
    if bias is not None:
        out += bias
    return out


@fully_connected.gradient
def _(F, node, ograds):
    return list(F._backward_FullyConnected(ograds[0], *node.inputs[:2],
                                           **param_kwargs(node.params)))


def _fc_backward_shape(params, in_shapes):
    bias = [] if params.no_bias else [(params.num_hidden,)]
    return [in_shapes[1], in_shapes[2]] + bias


@op("_backward_FullyConnected", inputs=("ograd", "data", "weight"), params=FullyConnectedParam,
    num_outputs=lambda p: 2 if p.no_bias else 3, infer_shape=_fc_backward_shape,
    infer_type=lambda p, t: [t[1], t[2]] + ([] if p.no_bias else [t[2]]), output_req=True)
def _backward_fully_connected(xp, params, ograd, data, weight, req=(True, True, True)):
    """Gradients of FullyConnected for data, weight and (unless no_bias) bias."""
    g = ograd.reshape(-1, params.num_hidden)
    x = _as_matrix(params, data)
    grads = [xp.matmul(g, weight).reshape(data.shape) if req[0] else None,
             xp.matmul(g.T, x) if req[1] else None]
    if not params.no_bias:
        grads.append(g.sum(axis=0) if req[2] else None)
    return tuple(grads)


def layer_backward_gradient(forward_name, backward_name):
    """Gradient rule of ``_backward_<layer>(g, x, W) -> (dx, dW[, db])``.

    With the layer ``y = L(x; W) + b`` bilinear in (x, W) and out-gradients (gx, gW, gb):
    ``d g = L(x; gW) + gb + L(gx; W)``, ``d x = dx-part of backward(g, x, gW)`` and
    ``d W = dW-part of backward(g, gx, W)``.
    """
    def rule(F, node, ograds):
        g, x, w = node.inputs
        gg_x, gg_w = ograds[0], ograds[1]
        gg_b = ograds[2] if len(ograds) > 2 else None
        layer, backward = getattr(F, forward_name), getattr(F, backward_name)
        kw = param_kwargs(node.params)
        d_g = F.elemwise_add(layer(x, gg_w, gg_b, **kw),
                             layer(gg_x, w, **param_kwargs(node.params, no_bias=True)))
        return [d_g, backward(g, x, gg_w, **kw)[0], backward(g, gg_x, w, **kw)[1]]
    return rule


_backward_fully_connected.gradient(
    layer_backward_gradient("FullyConnected", "_backward_FullyConnected"))
