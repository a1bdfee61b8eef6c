"""Elementwise unary ops: ``y = f(x)``, same shape, same dtype.

Most ops are one ``xp`` kernel plus a gradient built from other ops (so it is itself
differentiable), registered with ``unary_math``. Integer inputs are computed in float
and truncated back to the input dtype, as MXNet does (``sqrt(int32 5) == 2``).
The exponential, logarithmic, trigonometric and special functions live in
elemwise_unary_math.py.
"""
import numpy as np

from .elemwise_math import quiet
from .infer import InferTypeError
from .param import Dtype, Float, Param
from .infer import merge_shape
from .registry import op

__all__ = ["float_only_type", "unary", "unary_math"]


def unary(name, **attrs):
    """Register an elementwise unary op (same shape/type, fusible, may run in place)."""
    attrs.setdefault("inplace", ((0, 0),))
    return op(name, elementwise=True, **attrs)


def unary_math(name, kernel, grad=None, doc="", sparse=True, aliases=(), int_exact=False,
               **attrs):
    """Register op ``name`` computing ``kernel(xp, x)`` without floating-point warnings.

    Integer inputs are computed in float64 and truncated back, unless ``int_exact``: the
    kernel keeps integers exact (negative, abs, square, rounding ...).

    ``grad(F, x, y, g)`` builds the input gradient from the input ``x``, the output ``y``
    and the output gradient ``g``; ``grad=None`` declares a zero gradient (MXNet's
    MakeZeroGradNodes: rounding ops, sign, logical_not). ``sparse`` adds MXNet's
    ``_sparse_<name>`` alias.
    """
    # Exact kernels raise no floating-point warnings: skip errstate's cost on them.
    run = kernel if int_exact else quiet(kernel)

    def forward(xp, params, data):
        if int_exact or data.dtype.kind == "f":
            return run(xp, data)
        return _via_float64(run, xp, data)

    forward.__name__ = name
    aliases = tuple(aliases) + ((f"_sparse_{name}",) if sparse else ())
    rec = unary(name, grad=None, aliases=aliases, doc=doc, **attrs)(forward)
    if grad is not None:
        rec.gradient(lambda F, node, ograds: [grad(F, node.inputs[0], node.output(0), ograds[0])])
    return rec


@quiet
def _via_float64(kernel, xp, data):
    """An integer input computed in float64 (NumPy would pick float16 for int8) and
    truncated back to its dtype, as MXNet's kernels do."""
    return kernel(xp, data.astype(np.float64)).astype(data.dtype)


def float_only_type(params, in_types):
    """Same dtype in and out; integer inputs are rejected (MXNet's float-only kernels)."""
    dtype = in_types[0]
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise InferTypeError(f"This operation only support floating point types, not {dtype}")
    return [dtype]


def _mul(F, g, d):
    return F.elemwise_mul(g, d)


# --- sign and rounding: zero gradient -----------------------------------------------

def _sign(xp, x):
    s = xp.sign(x)
    return xp.where(xp.isnan(s), 0, s) if x.dtype.kind == "f" else s   # MXNet: sign(nan) = 0


unary_math("negative", lambda xp, x: xp.negative(x), int_exact=True,
           grad=lambda F, x, y, g: F.negative(g),
           doc="Numerical negative of the argument, element-wise.")
unary_math("abs", lambda xp, x: xp.abs(x), int_exact=True,
           grad=lambda F, x, y, g: _mul(F, g, F.sign(x)),
           doc="Returns element-wise absolute value of the input.")
unary_math("sign", _sign, int_exact=True, doc="Returns element-wise sign of the input.")


def _round_half_away(xp, x):
    # C's round(): halves go away from zero (numpy's round goes to even).
    t = xp.trunc(x)
    return xp.where(xp.abs(x - t) >= 0.5, t + xp.sign(x), t)


def _rint(xp, x):
    # MXNet's rint: floor when the fraction is <= 0.5, else ceil (rint(-2.5) = -3,
    # rint(2.5) = 2), not IEEE round-half-even.
    f = xp.floor(x)
    return xp.where(x - f <= 0.5, f, f + 1)


unary_math("round", _round_half_away, int_exact=True,
           doc="Returns element-wise rounded value to the nearest integer of the input.")
unary_math("rint", _rint, int_exact=True,
           doc="Returns element-wise rounded value to the nearest integer of the input.")
unary_math("ceil", lambda xp, x: xp.ceil(x), int_exact=True,
           doc="Returns element-wise ceiling of the input.")
unary_math("floor", lambda xp, x: xp.floor(x), int_exact=True,
           doc="Returns element-wise floor of the input.")
unary_math("trunc", lambda xp, x: xp.trunc(x), int_exact=True,
           doc="Return the element-wise truncated value of the input.")
unary_math("fix", lambda xp, x: xp.trunc(x), int_exact=True,
           doc="Returns element-wise rounded value to the nearest integer towards zero of "
               "the input.")
unary_math("logical_not", lambda xp, x: xp.logical_not(x), int_exact=True, sparse=False,
           doc="Returns the result of logical NOT (!) function")

# --- powers and roots ---------------------------------------------------------------

unary_math("square", lambda xp, x: x * x, int_exact=True,
           grad=lambda F, x, y, g: _mul(F, g, F._mul_scalar(x, scalar=2.0)),
           doc="Returns element-wise squared value of the input.")
unary_math("sqrt", lambda xp, x: xp.sqrt(x),
           grad=lambda F, x, y, g: F.elemwise_div(F._mul_scalar(g, scalar=0.5), y),
           doc="Returns element-wise square-root value of the input.")
unary_math("rsqrt", lambda xp, x: 1 / xp.sqrt(x),
           grad=lambda F, x, y, g: _mul(F, g, F._mul_scalar(F.elemwise_div(y, x), scalar=-0.5)),
           doc="Returns element-wise inverse square-root value of the input.")
unary_math("cbrt", lambda xp, x: xp.cbrt(x),
           grad=lambda F, x, y, g: F.elemwise_div(g, F._mul_scalar(F.square(y), scalar=3.0)),
           doc="Returns element-wise cube-root value of the input.")
unary_math("rcbrt", lambda xp, x: 1 / xp.cbrt(x), sparse=False,
           grad=lambda F, x, y, g: _mul(F, g, F._mul_scalar(F.elemwise_div(y, x),
                                                            scalar=-1 / 3)),
           doc="Returns element-wise inverse cube-root value of the input.")
unary_math("reciprocal", lambda xp, x: 1 / x, sparse=False,
           grad=lambda F, x, y, g: F.negative(_mul(F, g, F.square(y))),
           doc="Returns the reciprocal of the argument, element-wise.")

# --- activations --------------------------------------------------------------------

unary_math("softsign", lambda xp, x: x / (1 + xp.abs(x)), sparse=False,
           grad=lambda F, x, y, g: F.elemwise_div(
               g, F.square(F._plus_scalar(F.abs(x), scalar=1.0))),
           doc="Computes softsign of x element-wise: y = x / (1 + abs(x)).")


@unary("sigmoid", aliases=("_sparse_sigmoid",))
def sigmoid(xp, params, data):
    """Computes sigmoid of x element-wise: y = 1 / (1 + exp(-x))."""
    with np.errstate(over="ignore"):
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
            F.elemwise_mul(gg, F.elemwise_mul(g, F._rminus_scalar(F._mul_scalar(y, scalar=2.0),
                                                                   scalar=1.0)))]


@unary("relu", aliases=("_sparse_relu",))
def relu(xp, params, data):
    """Computes rectified linear activation: max(x, 0)."""
    return xp.maximum(data, 0)


@relu.gradient
def _(F, node, ograds):
    return [F._backward_relu(ograds[0], node.output(0))]


@op("_backward_relu", inputs=("ograd", "output"), elementwise=True, inplace=((0, 0),))
def _backward_relu(xp, params, ograd, out):
    """Gradient of relu from its output: g where y > 0, nan where y is nan (as MXNet)."""
    return ograd * xp.where(xp.isnan(out), out, out > 0)


@_backward_relu.gradient
def _(F, node, ograds):
    # The mask is piecewise constant in y: only the path through ograd carries gradient.
    return [F._backward_relu(ograds[0], node.inputs[1]), None]


class HardSigmoidParam(Param):
    alpha = Float(0.2, "Slope of hard sigmoid")
    beta = Float(0.5, "Bias of hard sigmoid.")


@unary("hard_sigmoid", params=HardSigmoidParam, infer_type=float_only_type)
def hard_sigmoid(xp, params, data):
    """Computes hard sigmoid of x element-wise: y = max(0, min(1, alpha * x + beta))."""
    return xp.clip(data * params.alpha + params.beta, 0, 1)


@hard_sigmoid.gradient
def _(F, node, ograds):
    y = node.output(0)
    # alpha inside the linear piece 0 < y < 1, zero on the flat parts.
    inside = F.elemwise_mul(F._greater_scalar(y, scalar=0.0), F._lesser_scalar(y, scalar=1.0))
    return [F._mul_scalar(F.elemwise_mul(ograds[0], inside), scalar=node.params.alpha)]


# --- copies and gradient stops --------------------------------------------------------

@unary("BlockGrad", aliases=("stop_gradient", "_sparse_stop_gradient"), grad=None)
def block_grad(xp, params, data):
    """Stops gradient computation: the identity forward, a zero gradient backward."""
    return data


@op("_copy", aliases=("identity",), elementwise=True,
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


def _like_rhs_shape(params, in_shapes):
    shape = merge_shape(in_shapes[0], in_shapes[1], "lhs and rhs shapes")
    in_shapes[0] = in_shapes[1] = shape
    return [shape]


def _like_rhs_backward(params, in_shapes, out_shapes):
    in_shapes[0] = merge_shape(in_shapes[0], out_shapes[0], "lhs and output shapes")


@op("_identity_with_attr_like_rhs", inputs=("lhs", "rhs"), infer_shape=_like_rhs_shape,
    infer_shape_backward=_like_rhs_backward, infer_type=lambda p, t: [t[0]])
def _identity_with_attr_like_rhs(xp, params, lhs, rhs):
    """Identity of lhs whose shape (and attributes) follow rhs (a shape constraint)."""
    return lhs.copy()


@_identity_with_attr_like_rhs.gradient
def _(F, node, ograds):
    return [ograds[0], None]
