"""Python-level symbol functions of MXNet 1.x (``sym.maximum``, ``sym.zeros``...)."""
import numbers

import numpy as np

from ..dtype import normalize
from .arith import _fn
from .symbol import Symbol

__all__ = ["pow", "power", "maximum", "minimum", "hypot", "zeros", "ones", "full", "arange",
           "linspace", "eye", "split_v2"]


def _binary(array_op, scalar_op, rscalar_op, py):
    def fn(left, right):
        if isinstance(left, Symbol) and isinstance(right, Symbol):
            return _fn(array_op)(left, right)
        if isinstance(left, Symbol) and isinstance(right, numbers.Number):
            return _fn(scalar_op)(left, scalar=right)
        if isinstance(left, numbers.Number) and isinstance(right, Symbol):
            return _fn(rscalar_op)(right, scalar=left)
        if isinstance(left, numbers.Number) and isinstance(right, numbers.Number):
            return py(left, right)
        raise TypeError(f"types ({type(left).__name__}, {type(right).__name__}) not supported")
    return fn


power = _binary("_Power", "_PowerScalar", "_RPowerScalar", lambda a, b: a ** b)
pow = power  # noqa: A001  (MXNet's name)
maximum = _binary("_Maximum", "_MaximumScalar", "_MaximumScalar", max)
minimum = _binary("_Minimum", "_MinimumScalar", "_MinimumScalar", min)
hypot = _binary("_Hypot", "_HypotScalar", "_HypotScalar", lambda a, b: float(np.hypot(a, b)))


def _creation(op_name, shape, dtype, **kw):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _fn(op_name)(shape=shape, dtype=normalize(dtype).name, **kw)


def zeros(shape, dtype=None, **kwargs):
    """A symbol of zeros."""
    return _creation("_zeros", shape, dtype, **kwargs)


def ones(shape, dtype=None, **kwargs):
    """A symbol of ones."""
    return _creation("_ones", shape, dtype, **kwargs)


def full(shape, val, dtype=None, **kwargs):
    """A symbol filled with ``val``."""
    return _creation("_full", shape, dtype, value=float(val), **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, name=None, dtype=None):
    """Evenly spaced values in [start, stop)."""
    return _fn("_arange")(start=start, stop=stop, step=step, repeat=repeat,
                          infer_range=infer_range, name=name, dtype=normalize(dtype).name)


def linspace(start, stop, num, endpoint=True, name=None, dtype=None):
    """``num`` evenly spaced values from start to stop."""
    return _fn("_linspace")(start=start, stop=stop, num=num, endpoint=endpoint, name=name,
                            dtype=normalize(dtype).name)


def eye(N, M=0, k=0, dtype=None, **kwargs):
    """A 2-D symbol with ones on the k-th diagonal."""
    return _fn("_eye")(N=N, M=M, k=k, dtype=normalize(dtype).name, **kwargs)


def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False):
    """Split a symbol at ``indices`` or into equal ``sections``."""
    if isinstance(indices_or_sections, int):
        return _fn("_split_v2")(ary, axis=axis, squeeze_axis=squeeze_axis,
                                sections=indices_or_sections, indices=())
    return _fn("_split_v2")(ary, axis=axis, squeeze_axis=squeeze_axis, sections=0,
                            indices=(0,) + tuple(indices_or_sections))
