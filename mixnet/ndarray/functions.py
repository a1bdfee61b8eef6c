"""Python-level nd functions of MXNet 1.x that are not single ops."""

from ..base import MXNetError, numeric_types
from ..ops import registry
from . import dispatch
from .indexing import basic_slice_is_contiguous
from .ndarray import NDArray, new_array

__all__ = ["concatenate", "moveaxis", "maximum", "minimum", "add", "subtract", "multiply",
           "divide", "modulo", "power", "equal", "not_equal", "greater", "greater_equal",
           "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor",
           "onehot_encode", "true_divide", "negative", "split_v2"]


def _call(name, inputs, **params):
    op = registry.get(name)
    return dispatch.invoke(op, inputs, op.make_params(params), new_array=new_array)


def _ufunc(lhs, rhs, array_op, scalar_op, rscalar_op, py_op):
    if isinstance(lhs, numeric_types) and isinstance(rhs, numeric_types):
        return py_op(lhs, rhs)
    if isinstance(lhs, NDArray) and isinstance(rhs, NDArray):
        return _call(array_op, [lhs, rhs])
    if isinstance(lhs, NDArray):
        return _call(scalar_op, [lhs], scalar=float(rhs))
    if isinstance(rhs, NDArray):
        return _call(rscalar_op, [rhs], scalar=float(lhs))
    raise TypeError(f"type {type(lhs).__name__} / {type(rhs).__name__} not supported")


def _make(array_op, scalar_op, rscalar_op, py_op, doc):
    def fn(lhs, rhs):
        return _ufunc(lhs, rhs, array_op, scalar_op, rscalar_op, py_op)
    fn.__doc__ = doc
    return fn


add = _make("broadcast_add", "_plus_scalar", "_plus_scalar", lambda a, b: a + b,
            "Element-wise sum with broadcasting.")
subtract = _make("broadcast_sub", "_minus_scalar", "_rminus_scalar", lambda a, b: a - b,
                 "Element-wise difference with broadcasting.")
multiply = _make("broadcast_mul", "_mul_scalar", "_mul_scalar", lambda a, b: a * b,
                 "Element-wise product with broadcasting.")
divide = _make("broadcast_div", "_div_scalar", "_rdiv_scalar", lambda a, b: a / b,
               "Element-wise division with broadcasting.")
true_divide = divide
modulo = _make("broadcast_mod", "_mod_scalar", "_rmod_scalar", lambda a, b: a % b,
               "Element-wise modulo with broadcasting.")
power = _make("broadcast_power", "_power_scalar", "_rpower_scalar", lambda a, b: a ** b,
              "First array raised to the powers of the second, with broadcasting.")
maximum = _make("broadcast_maximum", "_maximum_scalar", "_maximum_scalar", max,
                "Element-wise maximum with broadcasting.")
minimum = _make("broadcast_minimum", "_minimum_scalar", "_minimum_scalar", min,
                "Element-wise minimum with broadcasting.")
equal = _make("broadcast_equal", "_equal_scalar", "_equal_scalar",
              lambda a, b: float(a == b), "Element-wise == with broadcasting.")
not_equal = _make("broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar",
                  lambda a, b: float(a != b), "Element-wise != with broadcasting.")
greater = _make("broadcast_greater", "_greater_scalar", "_lesser_scalar",
                lambda a, b: float(a > b), "Element-wise > with broadcasting.")
greater_equal = _make("broadcast_greater_equal", "_greater_equal_scalar",
                      "_lesser_equal_scalar", lambda a, b: float(a >= b),
                      "Element-wise >= with broadcasting.")
lesser = _make("broadcast_lesser", "_lesser_scalar", "_greater_scalar",
               lambda a, b: float(a < b), "Element-wise < with broadcasting.")
lesser_equal = _make("broadcast_lesser_equal", "_lesser_equal_scalar",
                     "_greater_equal_scalar", lambda a, b: float(a <= b),
                     "Element-wise <= with broadcasting.")
logical_and = _make("broadcast_logical_and", "_logical_and_scalar", "_logical_and_scalar",
                    lambda a, b: float(a and b), "Element-wise logical and.")
logical_or = _make("broadcast_logical_or", "_logical_or_scalar", "_logical_or_scalar",
                   lambda a, b: float(a or b), "Element-wise logical or.")
logical_xor = _make("broadcast_logical_xor", "_logical_xor_scalar", "_logical_xor_scalar",
                    lambda a, b: float(bool(a) != bool(b)), "Element-wise logical xor.")


def negative(arr):
    """Numerical negative, element-wise."""
    return _call("negative", [arr])


def concatenate(arrays, axis=0, always_copy=True):
    """Join a list of NDArrays along ``axis`` (MXNet's Python-level concatenate)."""
    if not arrays:
        raise MXNetError("concatenate: need at least one array")
    if not always_copy and len(arrays) == 1:
        return arrays[0]
    return _call("Concat", list(arrays), dim=axis, num_args=len(arrays))


def moveaxis(tensor, source, destination):
    """Move axes of an array to new positions (other axes keep their order)."""
    ndim = tensor.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination need the same number of axes")
    for a in src + dst:
        if not -ndim <= a < ndim:
            raise ValueError(f"moveaxis: axis {a} is out of bounds for array of dimension "
                             f"{ndim}")
    src = [s % ndim for s in src]
    dst = [d % ndim for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError("moveaxis: repeated axis")
    order = [n for n in range(ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _call("transpose", [tensor], axes=tuple(order))


def onehot_encode(indices, out):
    """One-hot encode ``indices`` into ``out`` (legacy MXNet API)."""
    op = registry.get("_onehot_encode")
    return dispatch.invoke(op, [indices, out], None, out=out, new_array=new_array)


def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False):
    """Split an array into sub-arrays at ``indices`` or into equal ``sections``."""
    if isinstance(indices_or_sections, int):
        params = {"sections": indices_or_sections, "indices": ()}
    elif isinstance(indices_or_sections, (list, tuple)):
        params = {"sections": 0, "indices": (0,) + tuple(indices_or_sections)}
    else:
        raise TypeError("indices_or_sections must be an int or a tuple of ints")
    return _call("_split_v2", [ary], axis=axis, squeeze_axis=squeeze_axis, **params)


NDArray._basic_indexing_slice_is_contiguous = staticmethod(basic_slice_is_contiguous)


def _split_v2_method(self, *args, **kwargs):
    return split_v2(self, *args, **kwargs)


NDArray.split_v2 = _split_v2_method
