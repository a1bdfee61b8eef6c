"""Shared shape and type rules.

A shape rule is ``infer_shape(params, in_shapes) -> out_shapes``; ``in_shapes`` holds a
tuple per input, or None when unknown, and a rule may fill unknown inputs in place (as
MXNet's FInferShape does for weights). A dim of 0 inside a shape during graph inference
means "unknown" (MXNet 1.x); imperative calls always pass concrete shapes. Type rules
are the same with numpy dtypes. Rules raise ShapeError / TypeError_ with the reason; the
caller adds the op, node and input shapes to the message.
"""
import numpy as np

from ..base import MXNetValueError, MXNetTypeError, MXNetIndexError

__all__ = ["ShapeError", "InferTypeError", "same_shape", "same_type", "merge_shape",
           "broadcast_shapes", "broadcast_shape", "normalize_axis", "normalize_axes",
           "known", "fixed_type", "first_type", "ndim_check", "same_shape_backward",
           "batch_from_output", "conv_input_from_output"]


class ShapeError(MXNetValueError):
    """A shape rule rejected its inputs."""


class InferTypeError(MXNetTypeError):
    """A type rule rejected its inputs."""


class AxisError(MXNetIndexError, ShapeError):
    """An axis out of range."""


def known(shape):
    """True when ``shape`` is fully known (no None, no unknown dims)."""
    return shape is not None and 0 not in shape


def merge_shape(a, b, what="shapes"):
    """Merge two partial shapes, or raise ShapeError when they disagree."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    if len(a) != len(b):
        raise ShapeError(f"{what} disagree: {a} vs {b}")
    out = []
    for x, y in zip(a, b):
        if x and y and x != y:
            raise ShapeError(f"{what} disagree: {a} vs {b}")
        out.append(x or y)
    return tuple(out)


def same_shape(params, in_shapes):
    """All inputs and the one output share a shape (elementwise ops)."""
    shape = in_shapes[0]
    if len(in_shapes) > 1:
        for s in in_shapes[1:]:
            if s != shape:
                shape = merge_shape(shape, s, "input shapes")
        for i in range(len(in_shapes)):
            in_shapes[i] = shape
    return [shape]


def same_shape_backward(params, in_shapes, out_shapes):
    """Inputs of an elementwise op have its output's shape."""
    out = out_shapes[0]
    if out is not None:
        for i, s in enumerate(in_shapes):
            in_shapes[i] = merge_shape(s, out, "input and output shapes")


def batch_from_output(params, in_shapes, out_shapes):
    """The data input's batch dim is the output's (FullyConnected, Convolution...)."""
    out, data = out_shapes[0], in_shapes[0]
    if out and out[0] and data is not None and len(data) and not data[0]:
        in_shapes[0] = (out[0],) + tuple(data[1:])


def conv_input_from_output(params, in_shapes, out_shapes):
    """Convolution's data shape from its output: batch, and spatial dims (NC... layouts)."""
    batch_from_output(params, in_shapes, out_shapes)
    out, data = out_shapes[0], in_shapes[0]
    if out is None or data is None or len(out) != len(data) or \
            (params.layout or "NC").find("C") != 1:
        return
    k = params.kernel
    n = len(k)
    stride = params.stride or (1,) * n
    pad = params.pad or (0,) * n
    dilate = params.dilate or (1,) * n
    dims = list(data)
    for i in range(n):
        o = out[2 + i]
        if o and not dims[2 + i] and stride[i] == 1:
            dims[2 + i] = o - 1 - 2 * pad[i] + dilate[i] * (k[i] - 1) + 1
    in_shapes[0] = tuple(dims)


def same_type(params, in_types):
    """All inputs and outputs share a dtype."""
    dtype = None
    for t in in_types:
        if t is not None:
            if dtype is None:
                dtype = t
            elif t != dtype:
                raise InferTypeError(f"input types disagree: {dtype} vs {t}")
    for i in range(len(in_types)):
        in_types[i] = dtype
    return [dtype]


def first_type(params, in_types):
    """Output dtype is the first input's; other inputs are left free."""
    return [in_types[0]]


def fixed_type(dtype):
    """A type rule whose output is always ``dtype`` (e.g. argmax -> float32)."""
    dtype = np.dtype(dtype)

    def rule(params, in_types):
        return [dtype]
    return rule


def broadcast_shape(a, b):
    """NumPy-style broadcast of two partial shapes (0 = unknown dim)."""
    if a is None or b is None:
        return None
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        elif x == 0 or y == 0:
            out.append(x or y)
        else:
            raise ShapeError(f"operands could not be broadcast together with shapes "
                             f"{a} {b}")
    return tuple(out)


def broadcast_shapes(params, in_shapes):
    """Shape rule of binary broadcast ops."""
    return [broadcast_shape(in_shapes[0], in_shapes[1])]


def normalize_axis(axis, ndim, name="axis"):
    """``axis`` in [-ndim, ndim) as a non-negative int, else an IndexError-type error."""
    if not -ndim <= axis < max(ndim, 1):
        raise AxisError(f"{name}={axis} is out of range for an array of {ndim} dimension(s)")
    return axis % ndim if ndim else 0


def normalize_axes(axes, ndim, name="axis"):
    """A sorted tuple of distinct non-negative axes."""
    out = sorted({normalize_axis(a, ndim, name) for a in axes})
    if len(out) != len(axes):
        raise ShapeError(f"{name}={tuple(axes)} repeats an axis")
    return tuple(out)


def ndim_check(shape, ndim, what="data"):
    if shape is not None and len(shape) != ndim:
        raise ShapeError(f"{what} must have {ndim} dimensions, got shape {shape}")
