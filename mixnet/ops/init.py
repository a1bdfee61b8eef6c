"""Creation ops (``_zeros``, ``_ones``, ``_full``, ``_arange``, ``_linspace``, ``_eye``)
and ``*_like``."""
import math

import numpy as np

from .infer import ShapeError
from .param import Bool, Dtype, Float, Int, Param, Shape, Str
from .registry import op

__all__ = ["InitParam", "init_shape", "init_type"]


class InitParam(Param):
    shape = Shape((), "The shape of the output")
    ctx = Str("", "Context of output, in format [cpu|gpu|cpu_pinned](n).")
    dtype = Dtype("float32", "Target data type.")


class FullParam(InitParam):
    value = Float(doc="Value with which to fill newly created tensor")


def init_shape(params, in_shapes):
    return [tuple(params.shape)]


def init_type(params, in_types):
    return [np.dtype(params.dtype)]


def creation(name, **attrs):
    attrs.setdefault("params", InitParam)
    attrs.setdefault("infer_shape", init_shape)
    return op(name, inputs=(), infer_type=init_type, grad=None, creates=True, **attrs)


@creation("_zeros", aliases=("_zeros_without_dtype",))
def _zeros(xp, params):
    """Fill target with zeros."""
    return xp.zeros(params.shape, dtype=params.dtype)


@creation("_ones")
def _ones(xp, params):
    """Fill target with ones."""
    return xp.ones(params.shape, dtype=params.dtype)


@creation("_full", params=FullParam)
def _full(xp, params):
    """Fill target with a scalar value."""
    return xp.full(params.shape, params.value, dtype=params.dtype)


@op("zeros_like", grad=None)
def zeros_like(xp, params, data):
    """Return an array of zeros with the same shape and type as the input array."""
    return xp.zeros(data.shape, dtype=data.dtype)


@op("ones_like", grad=None)
def ones_like(xp, params, data):
    """Return an array of ones with the same shape and type as the input array."""
    return xp.ones(data.shape, dtype=data.dtype)


# --- ranges and the identity matrix -------------------------------------------------

_RANGE_DTYPES = ("float16", "float32", "float64", "int32", "int64", "int8", "uint8")


class ArangeParam(Param):
    start = Float(doc="Start of interval. The interval includes this value. The default "
                      "start value is 0.")
    stop = Float(None, "End of interval. The interval does not include this value, except "
                       "in some cases where step is not an integer and floating point "
                       "round-off affects the length of out.")
    step = Float(1.0, "Spacing between values.")
    repeat = Int(1, "The repeating time of all elements. E.g repeat=3, the element a will "
                    "be repeated three times --> a, a, a.")
    infer_range = Bool(False, "When set to True, infer the stop position from the start, "
                              "step, repeat, and output tensor size.")
    ctx = Str("", "Context of output, in format [cpu|gpu|cpu_pinned](n).")
    dtype = Dtype("float32", "Target data type.", choices=_RANGE_DTYPES)


def _range_bounds(params):
    """(start, stop) with MXNet's one-argument form: arange(n) is [0, n)."""
    if params.stop is None:
        if params.infer_range:
            raise ShapeError("cannot infer the range: stop is not given and infer_range=True "
                             "needs the output shape from elsewhere")
        return 0.0, params.start
    return params.start, params.stop


def _arange_shape(params, in_shapes):
    start, stop = _range_bounds(params)
    step = params.step
    if step == 0:
        raise ShapeError(f"Range does not support step=0, received {step:g}")
    if params.repeat <= 0:
        raise ShapeError(f"Range only supports repeat > 0, received {params.repeat}")
    if (step > 0 and start >= stop) or (step < 0 and start <= stop):
        raise ShapeError(f"Invalid range (start, stop, step) = ({start:g},{stop:g},{step:g})")
    return [(int(math.ceil((stop - start) / step)) * params.repeat,)]


@creation("_arange", params=ArangeParam, infer_shape=_arange_shape)
def _arange(xp, params):
    """Return evenly spaced values within a given interval. Similar to Numpy"""
    start, _ = _range_bounds(params)
    n = _arange_shape(params, [])[0][0]
    # MXNet computes start + i * step in the output dtype, so an int range truncates
    # start and step first (arange(0.5, 3, 0.3, dtype='int32') is all zeros).
    dtype = np.dtype(params.dtype)
    first = xp.asarray(start).astype(dtype)
    step = xp.asarray(params.step).astype(dtype)
    index = (xp.arange(n) // params.repeat).astype(dtype)
    return first + index * step


class LinspaceParam(Param):
    start = Float(doc="The starting value of the sequence.")
    stop = Float(doc="The ending value of the sequence")
    num = Int(doc="Number of samples to generate. Must be non-negative.")
    endpoint = Bool(True, "If True, stop is the last sample. Otherwise, it is not included.")
    ctx = Str("", "Context of output, in format [cpu|gpu|cpu_pinned](n).")
    dtype = Dtype("float32", "Target data type.", choices=_RANGE_DTYPES)


def _linspace_shape(params, in_shapes):
    if params.num < 0:
        raise ShapeError(f"Number of sequence should be non-negative, received {params.num}")
    return [(params.num,)]


@creation("_linspace", params=LinspaceParam, infer_shape=_linspace_shape)
def _linspace(xp, params):
    """Return evenly spaced numbers over a specified interval. Similar to Numpy"""
    num = params.num
    # Computed in double and then cast (truncating for int dtypes), as MXNet does.
    out = xp.linspace(params.start, params.stop, num, endpoint=params.endpoint,
                      dtype=np.float64)
    return out.astype(params.dtype)


class EyeParam(Param):
    N = Int(doc="Number of rows in the output.")
    M = Int(0, "Number of columns in the output. If 0, defaults to N")
    k = Int(0, "Index of the diagonal. 0 (the default) refers to the main diagonal.A "
               "positive value refers to an upper diagonal.A negative value to a lower "
               "diagonal.")
    ctx = Str("", "Context of output, in format [cpu|gpu|cpu_pinned](n).Only used for "
                  "imperative calls.")
    dtype = Dtype("float32", "Target data type.", choices=_RANGE_DTYPES)


def _eye_shape(params, in_shapes):
    if params.N < 0 or params.M < 0:
        raise ShapeError(f"N and M must be non-negative, got N={params.N}, M={params.M}")
    return [(params.N, params.M or params.N)]


@creation("_eye", params=EyeParam, infer_shape=_eye_shape)
def _eye(xp, params):
    """Return a 2-D array with ones on the diagonal and zeros elsewhere."""
    return xp.eye(params.N, params.M or params.N, params.k, dtype=params.dtype)
