"""Array creation: ``array``, ``empty``, ``zeros``, ``ones``, ``full``, ``arange`` ..."""
import numpy as np

from ..base import MXNetError
from ..context import Context
from ..dtype import normalize
from ..ops import registry
from . import dispatch
from .ndarray import NDArray, new_array, from_xp, _from_numpy

__all__ = ["array", "empty", "zeros", "ones", "full"]


def _ctx(ctx):
    return Context.default_ctx if ctx is None else ctx


def _shape(shape):
    return (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)


def array(source_array, ctx=None, dtype=None):
    """Create an NDArray from any array-like (float32 unless ``dtype`` says otherwise).

    Examples
    --------
    >>> mx.nd.array([1, 2, 3]).dtype
    <class 'numpy.float32'>
    """
    if (isinstance(source_array, NDArray) and source_array.stype != "default") or \
            type(source_array).__name__ in ("csr_matrix", "csr_array"):   # scipy csr
        from .sparse import array as sparse_array
        return sparse_array(source_array, ctx, dtype)
    ctx = _ctx(ctx)
    if isinstance(source_array, NDArray):
        dtype = source_array.dtype if dtype is None else normalize(dtype)
        return source_array.astype(dtype).as_in_context(ctx) if ctx != source_array.context \
            or dtype != source_array.dtype else source_array.copy()
    dtype = normalize(dtype)
    try:
        data = np.asarray(source_array, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise MXNetError(f"array: cannot convert {type(source_array).__name__} to an "
                         f"NDArray of {dtype}: {err}") from None
    return _from_numpy(data, ctx)


def empty(shape, ctx=None, dtype=None, stype=None):
    """An uninitialized array (here: allocated, contents unspecified)."""
    if stype not in (None, "default"):
        from .sparse import empty as sparse_empty
        return sparse_empty(stype, _shape(shape), ctx, dtype)
    ctx = _ctx(ctx)
    xp = dispatch.xp_of(ctx)
    return from_xp(xp.empty(_shape(shape), dtype=normalize(dtype)), ctx)


def _create(op_name, shape, ctx, dtype, **extra):
    ctx = _ctx(ctx)
    op = registry.get(op_name)
    params = op.make_params({"shape": _shape(shape), "dtype": normalize(dtype).name,
                             **extra})
    return dispatch.invoke(op, [], params, ctx=ctx, new_array=new_array)


def _maybe_out(res, out):
    if out is None:
        return res
    res.copyto(out)
    return out


def _dense_only(kwargs, fn):
    stype = kwargs.pop("stype", None)
    if stype not in (None, "default"):
        raise MXNetError(f"{fn}: storage type {stype!r} is not supported yet (dense only)")
    if kwargs:
        raise TypeError(f"{fn}: unexpected keyword argument(s) {sorted(kwargs)}")


def zeros(shape, ctx=None, dtype=None, out=None, stype=None, **kwargs):
    """An array of zeros (of storage type ``stype``: 'default', 'row_sparse', 'csr')."""
    if stype not in (None, "default"):
        from .sparse import zeros as sparse_zeros
        return _maybe_out(sparse_zeros(stype, _shape(shape), ctx, dtype), out)
    _dense_only(kwargs, "zeros")
    return _maybe_out(_create("_zeros", shape, ctx, dtype), out)


def ones(shape, ctx=None, dtype=None, out=None, **kwargs):
    """An array of ones."""
    _dense_only(kwargs, "ones")
    return _maybe_out(_create("_ones", shape, ctx, dtype), out)


def full(shape, val, ctx=None, dtype=np.float32, out=None):
    """An array filled with ``val``."""
    res = _create("_full", shape, ctx, dtype, value=float(val))
    if out is not None:
        out[:] = res
        return out
    return res
