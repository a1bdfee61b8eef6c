"""Creation ops (``_zeros``, ``_ones``, ``_full``, ``_arange``, ...) and ``*_like``."""
import numpy as np

from .param import Param, Shape, Str, Dtype, Float
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
    return op(name, inputs=(), infer_shape=init_shape, infer_type=init_type, grad=None,
              creates=True, **attrs)


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
