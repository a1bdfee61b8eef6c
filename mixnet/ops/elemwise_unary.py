"""Elementwise unary math: ``y = f(x)``, same shape, same dtype.

Most ops here are one line of ``xp`` plus a gradient written with other ops.
"""
import numpy as np

from .param import Param, Dtype
from .registry import op

__all__ = []


def unary(name, **attrs):
    """Register an elementwise unary op (same shape/type, fusible, may run in place)."""
    attrs.setdefault("inplace", ((0, 0),))
    return op(name, elementwise=True, **attrs)


@unary("negative")
def negative(xp, params, data):
    """Numerical negative of the argument, element-wise."""
    return xp.negative(data)


@negative.gradient
def _(F, node, ograds):
    return [F.negative(ograds[0])]


@unary("abs")
def abs_(xp, params, data):
    """Returns element-wise absolute value of the input."""
    return xp.abs(data)


@abs_.gradient
def _(F, node, ograds):
    return [F.elemwise_mul(ograds[0], F.sign(node.inputs[0]))]


@unary("sign", grad=None)
def sign(xp, params, data):
    """Returns element-wise sign of the input."""
    return xp.sign(data)


@unary("exp")
def exp(xp, params, data):
    """Returns element-wise exponential value of the input."""
    return xp.exp(data)


@exp.gradient
def _(F, node, ograds):
    return [F.elemwise_mul(ograds[0], node.output(0))]


@unary("sigmoid")
def sigmoid(xp, params, data):
    """Computes sigmoid of x element-wise: y = 1 / (1 + exp(-x))."""
    return 1 / (1 + xp.exp(-data))


@sigmoid.gradient
def _(F, node, ograds):
    return [F._backward_sigmoid(ograds[0], node.output(0))]


@op("_backward_sigmoid", inputs=("ograd", "output"), elementwise=True)
def _backward_sigmoid(xp, params, ograd, out):
    """Gradient of sigmoid from its output: g * y * (1 - y)."""
    return ograd * out * (1 - out)


@_backward_sigmoid.gradient
def _(F, node, ograds):
    g, y = node.inputs
    gg = ograds[0]
    # d/dg = y(1-y); d/dy = g(1-2y)
    return [F._backward_sigmoid(gg, y),
            F.elemwise_mul(gg, F.elemwise_mul(g, F._rminus_scalar(F._mul_scalar(y, scalar=2.0), scalar=1.0)))]


@unary("relu")
def relu(xp, params, data):
    """Computes rectified linear activation: max(x, 0)."""
    return xp.maximum(data, 0)


@relu.gradient
def _(F, node, ograds):
    return [F.elemwise_mul(ograds[0], F._greater_scalar(node.output(0), scalar=0.0))]


@op("_copy", aliases=("identity", "_identity_with_attr_like_rhs_placeholder"), elementwise=True,
    inplace=((0, 0),))
def _copy(xp, params, data):
    """Returns a copy of the input."""
    return data.copy()


@_copy.gradient
def _(F, node, ograds):
    return [ograds[0]]


@op("_copyto", elementwise=True)
def _copyto(xp, params, data):
    """Copies the input (the target may be on another device)."""
    return data.copy()


@_copyto.gradient
def _(F, node, ograds):
    return [ograds[0]]


class CastParam(Param):
    dtype = Dtype(doc="Output data type.")


def _cast_type(params, in_types):
    return [np.dtype(params.dtype)]


@op("Cast", aliases=("cast",), params=CastParam, infer_type=_cast_type, elementwise=True)
def cast(xp, params, data):
    """Casts all elements of the input to a new type."""
    return data.astype(params.dtype)


@cast.gradient
def _(F, node, ograds):
    return [F._cast_like(ograds[0], node.inputs[0])]


@op("_cast_like", inputs=("data", "like"), infer_type=lambda p, t: [t[1]],
    infer_shape=lambda p, s: [s[0]])
def _cast_like(xp, params, data, like):
    """Cast ``data`` to the dtype of ``like`` (gradient of Cast)."""
    return data.astype(like.dtype)


@_cast_like.gradient
def _(F, node, ograds):
    return [F._cast_like(ograds[0], node.inputs[0]), None]
