"""Elementwise exponentials, logarithms, trigonometric and special functions.

Registered with ``unary_math`` (elemwise_unary.py): a kernel over ``xp`` and a gradient
built from other ops, so every rule here is differentiable again.
"""
import math

from ..base import MXNetError
from . import elemwise_math as special
from .elemwise_unary import unary_math
from .registry import op

__all__ = []


def _mul(F, g, d):
    return F.elemwise_mul(g, d)


def _div(F, g, d):
    return F.elemwise_div(g, d)


def _one_minus_square(F, x):
    return F._rminus_scalar(F.square(x), scalar=1.0)


# --- exponentials and logarithms ---------------------------------------------------

unary_math("exp", lambda xp, x: xp.exp(x),
           grad=lambda F, x, y, g: _mul(F, g, y),
           doc="Returns element-wise exponential value of the input.")
unary_math("expm1", lambda xp, x: xp.expm1(x),
           grad=lambda F, x, y, g: _mul(F, g, F.exp(x)),
           doc="Returns ``exp(x) - 1`` computed element-wise on the input.")
unary_math("log", lambda xp, x: xp.log(x),
           grad=lambda F, x, y, g: _div(F, g, x),
           doc="Returns element-wise Natural logarithmic value of the input.")
unary_math("log10", lambda xp, x: xp.log10(x),
           grad=lambda F, x, y, g: _div(F, g, F._mul_scalar(x, scalar=math.log(10))),
           doc="Returns element-wise Base-10 logarithmic value of the input.")
unary_math("log2", lambda xp, x: xp.log2(x),
           grad=lambda F, x, y, g: _div(F, g, F._mul_scalar(x, scalar=math.log(2))),
           doc="Returns element-wise Base-2 logarithmic value of the input.")
unary_math("log1p", lambda xp, x: xp.log1p(x),
           grad=lambda F, x, y, g: _div(F, g, F._plus_scalar(x, scalar=1.0)),
           doc="Returns element-wise ``log(1 + x)`` value of the input.")

# --- trigonometric -------------------------------------------------------------------

unary_math("sin", lambda xp, x: xp.sin(x),
           grad=lambda F, x, y, g: _mul(F, g, F.cos(x)),
           doc="Computes the element-wise sine of the input array.")
unary_math("cos", lambda xp, x: xp.cos(x),
           grad=lambda F, x, y, g: F.negative(_mul(F, g, F.sin(x))),
           doc="Computes the element-wise cosine of the input array.")
unary_math("tan", lambda xp, x: xp.tan(x),
           grad=lambda F, x, y, g: _mul(F, g, F._plus_scalar(F.square(y), scalar=1.0)),
           doc="Computes the element-wise tangent of the input array.")
unary_math("arcsin", lambda xp, x: xp.arcsin(x),
           grad=lambda F, x, y, g: _div(F, g, F.sqrt(_one_minus_square(F, x))),
           doc="Returns element-wise inverse sine of the input array.")
unary_math("arccos", lambda xp, x: xp.arccos(x),
           grad=lambda F, x, y, g: F.negative(_div(F, g, F.sqrt(_one_minus_square(F, x)))),
           doc="Returns element-wise inverse cosine of the input array.")
unary_math("arctan", lambda xp, x: xp.arctan(x),
           grad=lambda F, x, y, g: _div(F, g, F._plus_scalar(F.square(x), scalar=1.0)),
           doc="Returns element-wise inverse tangent of the input array.")
unary_math("degrees", lambda xp, x: xp.degrees(x),
           grad=lambda F, x, y, g: F._mul_scalar(g, scalar=180 / math.pi),
           doc="Converts each element of the input array from radians to degrees.")
unary_math("radians", lambda xp, x: xp.radians(x),
           grad=lambda F, x, y, g: F._mul_scalar(g, scalar=math.pi / 180),
           doc="Converts each element of the input array from degrees to radians.")

# --- hyperbolic ----------------------------------------------------------------------

unary_math("sinh", lambda xp, x: xp.sinh(x),
           grad=lambda F, x, y, g: _mul(F, g, F.cosh(x)),
           doc="Returns the hyperbolic sine of the input array, computed element-wise.")
unary_math("cosh", lambda xp, x: xp.cosh(x),
           grad=lambda F, x, y, g: _mul(F, g, F.sinh(x)),
           doc="Returns the hyperbolic cosine of the input array, computed element-wise.")
unary_math("tanh", lambda xp, x: xp.tanh(x),
           grad=lambda F, x, y, g: _mul(F, g, _one_minus_square(F, y)),
           doc="Returns the hyperbolic tangent of the input array, computed element-wise.")
unary_math("arcsinh", lambda xp, x: xp.arcsinh(x),
           grad=lambda F, x, y, g: _div(F, g, F.sqrt(F._plus_scalar(F.square(x), scalar=1.0))),
           doc="Returns the element-wise inverse hyperbolic sine of the input array, "
               "computed element-wise.")
unary_math("arccosh", lambda xp, x: xp.arccosh(x),
           grad=lambda F, x, y, g: _div(F, g, F.sqrt(F._minus_scalar(F.square(x), scalar=1.0))),
           doc="Returns the element-wise inverse hyperbolic cosine of the input array, "
               "computed element-wise.")
unary_math("arctanh", lambda xp, x: xp.arctanh(x),
           grad=lambda F, x, y, g: _div(F, g, _one_minus_square(F, x)),
           doc="Returns the element-wise inverse hyperbolic tangent of the input array, "
               "computed element-wise.")

# --- special functions ---------------------------------------------------------------

unary_math("erf", special.erf, sparse=False, aliases=("_npx_erf",),
           grad=lambda F, x, y, g: _mul(F, g, F._mul_scalar(F.exp(F.negative(F.square(x))),
                                                            scalar=2 / math.sqrt(math.pi))),
           doc="Returns element-wise gauss error function of the input.")
unary_math("erfinv", special.erfinv, sparse=False, aliases=("_npx_erfinv",),
           grad=lambda F, x, y, g: _mul(F, g, F._mul_scalar(F.exp(F.square(y)),
                                                            scalar=math.sqrt(math.pi) / 2)),
           doc="Returns element-wise inverse gauss error function of the input.")
unary_math("gamma", special.gamma, aliases=("_npx_gamma",),
           grad=lambda F, x, y, g: F._backward_gamma(g, x),
           doc="Returns the gamma function (extension of the factorial function to the "
               "reals), computed element-wise on the input array.")
unary_math("gammaln", special.gammaln, aliases=("_npx_gammaln",),
           grad=lambda F, x, y, g: F._backward_gammaln(g, x),
           doc="Returns element-wise log of the absolute value of the gamma function of "
               "the input.")


def _no_second_order(F, node, ograds):
    # MXNet registers no gradient for these backward kernels (it would need trigamma).
    raise MXNetError(f"Operator {node.op.name} is non-differentiable because it didn't "
                     "register a gradient")


@op("_backward_gamma", inputs=("ograd", "data"), elementwise=True, grad=_no_second_order)
def _backward_gamma(xp, params, ograd, data):
    """Gradient of gamma: g * gamma(x) * digamma(x)."""
    return ograd * special.gamma(xp, data) * special.digamma(xp, data)


@op("_backward_gammaln", inputs=("ograd", "data"), elementwise=True, grad=_no_second_order)
def _backward_gammaln(xp, params, ograd, data):
    """Gradient of gammaln: g * digamma(x)."""
    return ograd * special.digamma(xp, data)
