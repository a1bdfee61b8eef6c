"""Binary ops with a scalar operand (``_plus_scalar``, ``_rpower_scalar`` ...) and smooth_l1.

The scalar is the ``scalar`` parameter, cast to the array's dtype first as MXNet does
(``int32 array * 1.5`` multiplies by 1). ``_r*`` forms put the scalar on the left. The
kernels are the ones of elemwise_binary.py; gradients are written per op because the
scalar is a parameter, not a graph input.
"""
import math

from .elemwise_binary import MATH, ScalarParam, scalar_of
from .elemwise_math import quiet
from .param import Float, Param
from .registry import op

__all__ = ["register_scalar"]


def register_scalar(name, key, grad=None, reverse=False, aliases=(), doc=""):
    """Register ``name``: ``MATH[key]`` of (data, scalar), or (scalar, data) when
    ``reverse``; ``grad(F, x, y, g, s)`` gives the data gradient (None: not differentiable).
    """
    kernel = MATH[key].kernel

    def forward(xp, params, data):
        s = scalar_of(xp, params, data)
        return kernel(xp, s, data) if reverse else kernel(xp, data, s)

    forward.__name__ = name
    rec = op(name, params=ScalarParam, elementwise=True, inplace=((0, 0),), grad=None,
             aliases=aliases, doc=doc)(forward)
    if grad is not None:
        rec.gradient(lambda F, node, ograds: [
            grad(F, node.inputs[0], node.output(0), ograds[0], node.params.scalar)])
    return rec


def _log(s):
    """Natural log of a scalar with C's edge values instead of Python's errors."""
    if s > 0:
        return math.log(s)
    return -math.inf if s == 0 else math.nan


def _mul(F, g, d):
    return F.elemwise_mul(g, d)


# --- arithmetic ----------------------------------------------------------------------

register_scalar("_plus_scalar", "add", lambda F, x, y, g, s: g, aliases=("_PlusScalar",),
                doc="Adds a scalar to the array, element-wise.")
register_scalar("_minus_scalar", "sub", lambda F, x, y, g, s: g, aliases=("_MinusScalar",),
                doc="Subtracts a scalar from the array, element-wise.")
register_scalar("_rminus_scalar", "sub", lambda F, x, y, g, s: F.negative(g), reverse=True,
                aliases=("_RMinusScalar",), doc="Subtracts the array from a scalar: scalar - x.")
register_scalar("_mul_scalar", "mul", lambda F, x, y, g, s: F._mul_scalar(g, scalar=s),
                aliases=("_MulScalar",), doc="Multiplies the array by a scalar, element-wise.")
register_scalar("_div_scalar", "div", lambda F, x, y, g, s: F._div_scalar(g, scalar=s),
                aliases=("_DivScalar",), doc="Divide an array with a scalar.")
register_scalar("_rdiv_scalar", "div", reverse=True, aliases=("_RDivScalar",),
                grad=lambda F, x, y, g, s: _mul(F, g, F._rdiv_scalar(F.square(x), scalar=-s)),
                doc="Divides a scalar by the array: scalar / x.")
register_scalar("_mod_scalar", "mod", lambda F, x, y, g, s: g, aliases=("_ModScalar",),
                doc="Element-wise modulo by a scalar (the result has the sign of scalar).")
register_scalar("_rmod_scalar", "mod", reverse=True, aliases=("_RModScalar",),
                grad=lambda F, x, y, g, s: F.negative(
                    _mul(F, g, F.floor(F._rdiv_scalar(x, scalar=s)))),
                doc="A scalar modulo the array: scalar % x.")
register_scalar("_power_scalar", "power", aliases=("_PowerScalar",),
                grad=lambda F, x, y, g, s: _mul(F, g, F._mul_scalar(
                    F._power_scalar(x, scalar=s - 1), scalar=s)),
                doc="Raises the array to the power of a scalar: x ** scalar.")
register_scalar("_rpower_scalar", "power", reverse=True, aliases=("_RPowerScalar",),
                grad=lambda F, x, y, g, s: F._mul_scalar(_mul(F, g, y), scalar=_log(s)),
                doc="Raises a scalar to the power of the array: scalar ** x.")
register_scalar("_maximum_scalar", "maximum", aliases=("_MaximumScalar",),
                grad=lambda F, x, y, g, s: _mul(F, g, F._greater_equal_scalar(x, scalar=s)),
                doc="Element-wise maximum of the array and a scalar.")
register_scalar("_minimum_scalar", "minimum", aliases=("_MinimumScalar",),
                grad=lambda F, x, y, g, s: _mul(F, g, F._lesser_equal_scalar(x, scalar=s)),
                doc="Element-wise minimum of the array and a scalar.")
register_scalar("_hypot_scalar", "hypot", aliases=("_HypotScalar",),
                grad=lambda F, x, y, g, s: _mul(F, g, F.elemwise_div(x, y)),
                doc='Given the "legs" of a right triangle (x and scalar), return its '
                    "hypotenuse.")

# --- comparisons and logic: 0/1 in the data dtype, no gradient ---------------------------

for _key, _camel in [("equal", "Equal"), ("not_equal", "NotEqual"), ("greater", "Greater"),
                     ("greater_equal", "GreaterEqual"), ("lesser", "Lesser"),
                     ("lesser_equal", "LesserEqual"), ("logical_and", "LogicalAnd"),
                     ("logical_or", "LogicalOr"), ("logical_xor", "LogicalXor")]:
    register_scalar(f"_{_key}_scalar", _key, aliases=(f"_{_camel}Scalar",),
                    doc=f"1 where ``{_key}(x, scalar)`` holds else 0, element-wise.")

# --- smooth_l1 -------------------------------------------------------------------------


class SmoothL1Param(Param):
    scalar = Float(doc="scalar input value (sigma)")


@op("smooth_l1", params=SmoothL1Param, aliases=("_npx_smooth_l1",), elementwise=True,
    inplace=((0, 0),))
@quiet
def smooth_l1(xp, params, data):
    """Calculate Smooth L1 Loss(lhs, scalar) by summing: 0.5 (sigma x)^2 where
    |x| < 1/sigma^2, else |x| - 0.5/sigma^2."""
    s2 = params.scalar * params.scalar
    ax = xp.abs(data)
    return xp.where(ax < 1 / s2, 0.5 * s2 * data * data, ax - 0.5 / s2)


@smooth_l1.gradient
def _(F, node, ograds):
    return [F._backward_smooth_l1(ograds[0], node.inputs[0], scalar=node.params.scalar)]


@op("_backward_smooth_l1", inputs=("ograd", "data"), params=SmoothL1Param, elementwise=True)
def _backward_smooth_l1(xp, params, ograd, data):
    """Gradient of smooth_l1: g * sigma^2 x inside the quadratic part, else g * sign(x)."""
    s2 = params.scalar * params.scalar
    return ograd * xp.where(xp.abs(data) < 1 / s2, s2 * data, xp.sign(data))


@_backward_smooth_l1.gradient
def _(F, node, ograds):
    g, x = node.inputs
    s2 = node.params.scalar ** 2
    # d/dg is the first-order rule again; d/dx is g * sigma^2 on the quadratic part only.
    inside = F._lesser_scalar(F.abs(x), scalar=1 / s2)
    return [F._backward_smooth_l1(ograds[0], x, scalar=node.params.scalar),
            _mul(F, ograds[0], F._mul_scalar(_mul(F, g, inside), scalar=s2))]
