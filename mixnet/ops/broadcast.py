"""Binary ops with NumPy-style broadcasting (``broadcast_add`` ...).

Gradients reduce back to each input's shape with ``_sum_to_shape_of``.
"""
from .infer import broadcast_shapes, broadcast_shape
from .registry import op

__all__ = ["sum_to_shape"]


def sum_to_shape(xp, g, shape):
    """Sum ``g`` over the axes along which an array of ``shape`` was broadcast."""
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, d in enumerate(shape)
                                      if d == 1 and g.shape[i + lead] != 1)
    return g.sum(axis=axes, keepdims=True).reshape(shape) if axes else g.reshape(shape)


def _like_shape(params, in_shapes):
    return [in_shapes[1]]


def _first_type(params, in_types):
    return [in_types[0]]


@op("_sum_to_shape_of", inputs=("data", "like"), infer_shape=_like_shape,
    infer_type=_first_type)
def _sum_to_shape_of(xp, params, data, like):
    """Sum ``data`` over the axes along which ``like``'s shape broadcasts to it."""
    return sum_to_shape(xp, data, like.shape)


@_sum_to_shape_of.gradient
def _(F, node, ograds):
    return [F.broadcast_like(ograds[0], node.inputs[0]), None]


def bcast(name, **attrs):
    attrs.setdefault("inputs", ("lhs", "rhs"))
    return op(name, infer_shape=broadcast_shapes, **attrs)


def reduce_grads(F, node, glhs, grhs):
    """Gradients of both inputs, summed back to their shapes."""
    lhs, rhs = node.inputs
    return [None if glhs is None else F._sum_to_shape_of(glhs, lhs),
            None if grhs is None else F._sum_to_shape_of(grhs, rhs)]


@bcast("broadcast_add", aliases=("broadcast_plus",))
def broadcast_add(xp, params, lhs, rhs):
    """Returns element-wise sum of the input arrays with broadcasting."""
    return lhs + rhs


@broadcast_add.gradient
def _(F, node, ograds):
    return reduce_grads(F, node, ograds[0], ograds[0])


@bcast("broadcast_sub", aliases=("broadcast_minus",))
def broadcast_sub(xp, params, lhs, rhs):
    """Returns element-wise difference of the input arrays with broadcasting."""
    return lhs - rhs


@broadcast_sub.gradient
def _(F, node, ograds):
    return reduce_grads(F, node, ograds[0], F.negative(ograds[0]))


@bcast("broadcast_mul")
def broadcast_mul(xp, params, lhs, rhs):
    """Returns element-wise product of the input arrays with broadcasting."""
    return lhs * rhs


@broadcast_mul.gradient
def _(F, node, ograds):
    lhs, rhs = node.inputs
    g = ograds[0]
    return reduce_grads(F, node, F.broadcast_mul(g, rhs), F.broadcast_mul(g, lhs))


@bcast("broadcast_div")
def broadcast_div(xp, params, lhs, rhs):
    """Returns element-wise division of the input arrays with broadcasting."""
    return lhs / rhs


@broadcast_div.gradient
def _(F, node, ograds):
    lhs, rhs = node.inputs
    g = ograds[0]
    glhs = F.broadcast_div(g, rhs)
    grhs = F.negative(F.broadcast_mul(glhs, F.broadcast_div(lhs, rhs)))
    return reduce_grads(F, node, glhs, grhs)


@op("broadcast_like", inputs=("lhs", "rhs"), infer_shape=_like_shape, infer_type=_first_type)
def broadcast_like(xp, params, lhs, rhs):
    """Broadcasts lhs to have the same shape as rhs."""
    return xp.broadcast_to(lhs, rhs.shape)


@broadcast_like.gradient
def _(F, node, ograds):
    return [F._sum_to_shape_of(ograds[0], node.inputs[0]), None]
