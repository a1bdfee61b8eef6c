"""Elementwise binary ops (same-shape ``elemwise_*``/``_plus``...) and their scalar forms.

Scalar ops take ``scalar`` as a parameter; it is cast to the array's dtype first, as
MXNet does (``int32 array * 1.5`` multiplies by 1).
"""
from .infer import same_shape
from .param import Param, Float, Bool, Int
from .registry import op

__all__ = ["ScalarParam", "scalar_of"]


class ScalarParam(Param):
    scalar = Float(1.0, "scalar input value")
    is_int = Bool(True, "Indicate whether scalar input is int type")


def scalar_of(xp, params, data):
    """The scalar parameter as a 0-d array of ``data``'s dtype."""
    return xp.asarray(params.scalar).astype(data.dtype)


def binary(name, **attrs):
    attrs.setdefault("inputs", ("lhs", "rhs"))
    attrs.setdefault("infer_shape", same_shape)
    return op(name, elementwise=True, **attrs)


def scalar_op(name, **attrs):
    return op(name, params=ScalarParam, elementwise=True, inplace=((0, 0),), **attrs)


@binary("elemwise_add", aliases=("_plus", "_add"))
def elemwise_add(xp, params, lhs, rhs):
    """Adds arguments element-wise."""
    return lhs + rhs


@elemwise_add.gradient
def _(F, node, ograds):
    return [ograds[0], ograds[0]]


@binary("elemwise_mul", aliases=("_mul",))
def elemwise_mul(xp, params, lhs, rhs):
    """Multiplies arguments element-wise."""
    return lhs * rhs


@elemwise_mul.gradient
def _(F, node, ograds):
    lhs, rhs = node.inputs
    return [F.elemwise_mul(ograds[0], rhs), F.elemwise_mul(ograds[0], lhs)]


@scalar_op("_plus_scalar")
def _plus_scalar(xp, params, data):
    """Adds a scalar to the array."""
    return data + scalar_of(xp, params, data)


@_plus_scalar.gradient
def _(F, node, ograds):
    return [ograds[0]]


@scalar_op("_mul_scalar")
def _mul_scalar(xp, params, data):
    """Multiplies the array by a scalar."""
    return data * scalar_of(xp, params, data)


@_mul_scalar.gradient
def _(F, node, ograds):
    return [F._mul_scalar(ograds[0], scalar=node.params.scalar)]


@scalar_op("_rminus_scalar")
def _rminus_scalar(xp, params, data):
    """scalar - data."""
    return scalar_of(xp, params, data) - data


@_rminus_scalar.gradient
def _(F, node, ograds):
    return [F.negative(ograds[0])]


@scalar_op("_greater_scalar", grad=None)
def _greater_scalar(xp, params, data):
    """1 where data > scalar else 0 (in data's dtype)."""
    return (data > scalar_of(xp, params, data)).astype(data.dtype)


class AddNParam(Param):
    num_args = Int(doc="Number of inputs to be summed.")


def _all_same(params, in_shapes):
    return same_shape(params, in_shapes)


@op("add_n", aliases=("ElementWiseSum", "_sparse_add_n"), params=AddNParam, variadic="num_args",
    inputs=("args",), infer_shape=_all_same, elementwise=True)
def add_n(xp, params, *args):
    """Adds all input arguments element-wise."""
    out = args[0] + args[1] if len(args) > 1 else args[0].copy()
    for a in args[2:]:
        out += a
    return out


@add_n.gradient
def _(F, node, ograds):
    return [ograds[0]] * len(node.inputs)
