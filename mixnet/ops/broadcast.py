"""Binary ops with NumPy-style broadcasting (``broadcast_add`` ...).

Kernels and gradient formulas are the ones of elemwise_binary.py (``MATH``); here each
input's gradient is summed back to its shape with ``_sum_to_shape_of``.
"""
from .elemwise_binary import MATH, register_binary
from .infer import ShapeError, broadcast_shapes, normalize_axis
from .param import Param, Shape
from .registry import op

__all__ = ["reduce_grads", "sum_to_shape"]


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


def reduce_grads(F, node, glhs, grhs):
    """Gradients of both inputs, summed back to their shapes."""
    lhs, rhs = node.inputs
    return [None if glhs is None else F._sum_to_shape_of(glhs, lhs),
            None if grhs is None else F._sum_to_shape_of(grhs, rhs)]


def _bcast(name, key, doc, aliases=()):
    return register_binary(name, MATH[key], doc, aliases=aliases,
                           infer_shape=broadcast_shapes, reduce=reduce_grads)


_bcast("broadcast_add", "add", "Returns element-wise sum of the input arrays with broadcasting.",
       ("broadcast_plus", "_sparse_broadcast_add", "_sparse_broadcast_plus"))
_bcast("broadcast_sub", "sub",
       "Returns element-wise difference of the input arrays with broadcasting.",
       ("broadcast_minus", "_sparse_broadcast_sub", "_sparse_broadcast_minus"))
_bcast("broadcast_mul", "mul",
       "Returns element-wise product of the input arrays with broadcasting.",
       ("_sparse_broadcast_mul",))
_bcast("broadcast_div", "div",
       "Returns element-wise division of the input arrays with broadcasting.",
       ("_sparse_broadcast_div",))
_bcast("broadcast_mod", "mod",
       "Returns element-wise modulo of the input arrays with broadcasting.")
_bcast("broadcast_power", "power", "Returns result of first array elements raised to powers "
       "from second array, element-wise with broadcasting.")
_bcast("broadcast_maximum", "maximum",
       "Returns element-wise maximum of the input arrays with broadcasting.")
_bcast("broadcast_minimum", "minimum",
       "Returns element-wise minimum of the input arrays with broadcasting.")
_bcast("broadcast_hypot", "hypot",
       'Returns the hypotenuse of a right angled triangle, given its "legs" with broadcasting.')
for _key, _what in [("equal", "equal to** (==)"), ("not_equal", "not equal to** (!=)"),
                    ("greater", "greater than** (>)"),
                    ("greater_equal", "greater than or equal to** (>=)"),
                    ("lesser", "lesser than** (<)"),
                    ("lesser_equal", "lesser than or equal to** (<=)")]:
    _bcast(f"broadcast_{_key}", _key, f"Returns the result of element-wise **{_what} "
           "comparison operation with broadcasting.")
for _key in ("and", "or", "xor"):
    _bcast(f"broadcast_logical_{_key}", f"logical_{_key}",
           f"Returns the result of element-wise **logical {_key}** with broadcasting.")


class BroadcastLikeParam(Param):
    lhs_axes = Shape(None, "Axes to perform broadcast on in the first input array")
    rhs_axes = Shape(None, "Axes to copy from the second input array")


def _fmt(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _broadcast_like_shape(params, in_shapes):
    lhs, rhs = in_shapes
    if lhs is None or rhs is None:
        return [None]
    if params.lhs_axes is None or params.rhs_axes is None:
        if len(lhs) != len(rhs) or any(a not in (b, 1, 0) and b != 0 for a, b in zip(lhs, rhs)):
            raise ShapeError(f"Operand of shape {_fmt(lhs)} cannot be broadcasted to {_fmt(rhs)}")
        return [tuple(rhs)]
    if not params.lhs_axes:
        raise ShapeError("Empty axes tuple is not allowed")
    if len(params.lhs_axes) != len(params.rhs_axes):
        raise ShapeError(f"Input_axis and other_axis size does not match: lhs_axes="
                         f"{params.lhs_axes}, rhs_axes={params.rhs_axes}")
    out = list(lhs)
    for i, (la, ra) in enumerate(zip(params.lhs_axes, params.rhs_axes)):
        la = normalize_axis(la, len(lhs), "lhs_axes")
        ra = normalize_axis(ra, len(rhs), "rhs_axes")
        if lhs[la] != 1:
            raise ShapeError(f"Input axis {la} at dimension {i} cannot be broadcasted to "
                             f"{rhs[ra]} (lhs shape {_fmt(lhs)})")
        out[la] = rhs[ra]
    return [tuple(out)]


@op("broadcast_like", inputs=("lhs", "rhs"), params=BroadcastLikeParam,
    infer_shape=_broadcast_like_shape, infer_type=_first_type)
def broadcast_like(xp, params, lhs, rhs):
    """Broadcasts lhs to have the same shape as rhs (or only along ``lhs_axes``)."""
    shape = _broadcast_like_shape(params, [lhs.shape, rhs.shape])[0]
    return xp.broadcast_to(lhs, shape)


@broadcast_like.gradient
def _(F, node, ograds):
    return [F._sum_to_shape_of(ograds[0], node.inputs[0]), None]
