"""Elementwise binary ops on same-shape inputs (``elemwise_add``, ``_power``, ``_equal`` ...).

Each operation's kernel and gradient are written once here, in ``MATH``, and shared with
the broadcasting (broadcast.py) and scalar (elemwise_scalar.py) families. Integer inputs
follow MXNet's C semantics: division truncates toward zero, ``x % 0 == 0``, powers and
hypot are computed in double and truncated. Comparisons and logical ops return 0/1 in the
input dtype and have no gradient.
"""
import numpy as np

from .elemwise_math import quiet
from .infer import same_shape
from .param import Bool, Float, Int, Param
from .registry import op

__all__ = ["MATH", "BinaryMath", "ScalarParam", "scalar_of"]


class ScalarParam(Param):
    scalar = Float(1.0, "scalar input value")
    is_int = Bool(True, "Indicate whether scalar input is int type")


def scalar_of(xp, params, data):
    """The scalar parameter as a 0-d array of ``data``'s dtype (MXNet casts it first)."""
    return xp.asarray(params.scalar).astype(data.dtype)


class BinaryMath:
    """One binary elementwise operation.

    kernel : ``kernel(xp, lhs, rhs) -> array``; boolean results become the data dtype
    grad : ``grad(F, lhs, rhs, out, g) -> (lhs_grad, rhs_grad)`` written with broadcast_*
        ops, before any reduction to the input shapes; None when not differentiable
    """

    def __init__(self, kernel, grad=None):
        self.kernel = kernel
        self.grad = grad


# --- kernels -------------------------------------------------------------------------

@quiet
def _divide(xp, a, b):
    if a.dtype.kind == "f":
        return a / b
    q = xp.floor_divide(a, b)
    # C division truncates toward zero: the floor is one too low when signs differ.
    q = q + ((q * b != a) & ((a < 0) != (b < 0)))
    return xp.where(b == 0, 0, q)   # MXNet crashes on integer x / 0; we give 0


@quiet
def _mod(xp, a, b):
    return xp.where(b == 0, 0, xp.mod(a, b))   # sign of the divisor; x % 0 == 0


@quiet
def _power(xp, a, b):
    if a.dtype.kind != "f":   # C pow in double: 2 ** -1 truncates to 0 instead of raising
        a = a.astype(np.float64)
    return xp.power(a, b)


# --- gradients (over broadcast_* ops; same-shape inputs are a special case) -----------

def _grad_div(F, a, b, out, g):
    ga = F.broadcast_div(g, b)
    return ga, F.negative(F.broadcast_mul(ga, out))


def _grad_mod(F, a, b, out, g):
    return g, F.negative(F.broadcast_mul(g, F.floor(F.broadcast_div(a, b))))


def _grad_power(F, a, b, out, g):
    a_pow = F.broadcast_power(a, F._minus_scalar(b, scalar=1.0))
    return (F.broadcast_mul(g, F.broadcast_mul(b, a_pow)),
            F.broadcast_mul(g, F.broadcast_mul(out, F.log(a))))


def _grad_select(lhs_mask, rhs_mask):
    """Gradient of maximum/minimum: each side gets g where it was chosen (ties: lhs)."""
    def grad(F, a, b, out, g):
        return (F.broadcast_mul(g, getattr(F, lhs_mask)(a, b)),
                F.broadcast_mul(g, getattr(F, rhs_mask)(a, b)))
    return grad


def _grad_hypot(F, a, b, out, g):
    return F.broadcast_mul(g, F.broadcast_div(a, out)), F.broadcast_mul(g, F.broadcast_div(b, out))


MATH = {
    "add": BinaryMath(lambda xp, a, b: a + b, lambda F, a, b, out, g: (g, g)),
    "sub": BinaryMath(lambda xp, a, b: a - b, lambda F, a, b, out, g: (g, F.negative(g))),
    "mul": BinaryMath(lambda xp, a, b: a * b,
                      lambda F, a, b, out, g: (F.broadcast_mul(g, b), F.broadcast_mul(g, a))),
    "div": BinaryMath(_divide, _grad_div),
    "mod": BinaryMath(_mod, _grad_mod),
    "power": BinaryMath(_power, _grad_power),
    "maximum": BinaryMath(lambda xp, a, b: xp.maximum(a, b),
                          _grad_select("broadcast_greater_equal", "broadcast_lesser")),
    "minimum": BinaryMath(lambda xp, a, b: xp.minimum(a, b),
                          _grad_select("broadcast_lesser_equal", "broadcast_greater")),
    "hypot": BinaryMath(quiet(lambda xp, a, b: xp.hypot(a, b)), _grad_hypot),
    "equal": BinaryMath(lambda xp, a, b: a == b),
    "not_equal": BinaryMath(lambda xp, a, b: a != b),
    "greater": BinaryMath(lambda xp, a, b: a > b),
    "greater_equal": BinaryMath(lambda xp, a, b: a >= b),
    "lesser": BinaryMath(lambda xp, a, b: a < b),
    "lesser_equal": BinaryMath(lambda xp, a, b: a <= b),
    "logical_and": BinaryMath(lambda xp, a, b: xp.logical_and(a, b)),
    "logical_or": BinaryMath(lambda xp, a, b: xp.logical_or(a, b)),
    "logical_xor": BinaryMath(lambda xp, a, b: xp.logical_xor(a, b)),
}


def register_binary(name, math, doc, **attrs):
    """Register ``name`` computing ``math`` on two inputs; ``reduce(F, node, ga, gb)``
    (an attr) maps the raw gradients to the input shapes (default: as they are)."""
    kernel = math.kernel
    reduce = attrs.pop("reduce", lambda F, node, ga, gb: [ga, gb])

    def forward(xp, params, lhs, rhs):
        return kernel(xp, lhs, rhs)

    forward.__name__ = name
    attrs.setdefault("inputs", ("lhs", "rhs"))
    rec = op(name, grad=None, doc=doc, **attrs)(forward)
    if math.grad is not None:
        def gradient(F, node, ograds):
            lhs, rhs = node.inputs
            return reduce(F, node, *math.grad(F, lhs, rhs, node.output(0), ograds[0]))
        rec.gradient(gradient)
    return rec


def _elemwise(name, key, doc, aliases=()):
    return register_binary(name, MATH[key], doc, aliases=aliases, infer_shape=same_shape,
                           inplace=((0, 0), (1, 0)),
                           elementwise=True)


_elemwise("elemwise_add", "add", "Adds arguments element-wise.",
          ("_plus", "_add", "_Plus", "_sparse_elemwise_add"))
_elemwise("_grad_add", "add", "Adds arguments element-wise (gradient aggregation).")
_elemwise("elemwise_sub", "sub", "Subtracts arguments element-wise.",
          ("_minus", "_sub", "_Minus", "_sparse_elemwise_sub"))
_elemwise("elemwise_mul", "mul", "Multiplies arguments element-wise.",
          ("_mul", "_Mul", "_sparse_elemwise_mul"))
_elemwise("elemwise_div", "div", "Divides arguments element-wise.",
          ("_div", "_Div", "_sparse_elemwise_div"))
_elemwise("_mod", "mod", "Element-wise modulo (the result has the sign of rhs).", ("_Mod",))
_elemwise("_power", "power", "First array elements raised to powers from the second array, "
          "element-wise.", ("_Power",))
_elemwise("_maximum", "maximum", "Element-wise maximum of the arguments.", ("_Maximum",))
_elemwise("_minimum", "minimum", "Element-wise minimum of the arguments.", ("_Minimum",))
_elemwise("_hypot", "hypot", 'Given the "legs" of a right triangle, return its hypotenuse.',
          ("_Hypot",))
_elemwise("_equal", "equal", "1 where lhs == rhs else 0, element-wise.", ("_Equal",))
_elemwise("_not_equal", "not_equal", "1 where lhs != rhs else 0, element-wise.",
          ("_Not_Equal",))
_elemwise("_greater", "greater", "1 where lhs > rhs else 0, element-wise.", ("_Greater",))
_elemwise("_greater_equal", "greater_equal", "1 where lhs >= rhs else 0, element-wise.",
          ("_Greater_Equal",))
_elemwise("_lesser", "lesser", "1 where lhs < rhs else 0, element-wise.", ("_Lesser",))
_elemwise("_lesser_equal", "lesser_equal", "1 where lhs <= rhs else 0, element-wise.",
          ("_Lesser_Equal",))
_elemwise("_logical_and", "logical_and", "Logical AND of the arguments (0/1), element-wise.",
          ("_Logical_And",))
_elemwise("_logical_or", "logical_or", "Logical OR of the arguments (0/1), element-wise.",
          ("_Logical_Or",))
_elemwise("_logical_xor", "logical_xor", "Logical XOR of the arguments (0/1), element-wise.",
          ("_Logical_Xor",))


class AddNParam(Param):
    num_args = Int(doc="Number of inputs to be summed.")


@op("add_n", aliases=("ElementWiseSum", "_sparse_add_n", "_sparse_ElementWiseSum"),
    params=AddNParam, variadic="num_args", inputs=("args",), infer_shape=same_shape,
    elementwise=True)
def add_n(xp, params, *args):
    """Adds all input arguments element-wise."""
    out = args[0] + args[1] if len(args) > 1 else args[0].copy()
    for a in args[2:]:
        out += a
    return out


@add_n.gradient
def _(F, node, ograds):
    return [ograds[0]] * len(node.inputs)
