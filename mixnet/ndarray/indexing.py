"""NDArray indexing with MXNet semantics.

Basic indexing whose result is C-contiguous returns a view sharing memory (writes
through it reach the base); other basic indexing and advanced indexing copy. Under
autograd recording, indexing goes through the ``_index`` ops so gradients flow.
Functions here take arrays and use only their methods (``type(arr)``), so this module
does not import ndarray.py.
"""
import numpy as np

from .. import engine
from ..base import MXNetError, MXNetIndexError
from ..graph import tape
from ..ops import registry
from ..ops.indexing_key import encode_key, is_basic
from ..util import is_np_shape
from . import dispatch

__all__ = ["getitem", "setitem", "reshape_view", "basic_slice_is_contiguous"]


def _fake(shape):
    """A zero-memory C-contiguous array of ``shape`` to ask NumPy about indexing."""
    strides = []
    acc = 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= max(d, 1)
    return np.lib.stride_tricks.as_strided(np.empty(1, np.uint8), shape=shape,
                                           strides=tuple(reversed(strides)))


def basic_slice_is_contiguous(key, shape):
    """Whether basic index ``key`` on a C-contiguous ``shape`` gives a contiguous view."""
    return bool(_fake(tuple(shape))[key].flags.c_contiguous)


def _to_index(k):
    if hasattr(k, "asnumpy"):
        k = k.asnumpy()
    if isinstance(k, np.ndarray) and k.dtype.kind == "f":
        k = k.astype(np.int64)
    if isinstance(k, list):
        k = np.asarray(k)
        if k.dtype.kind == "f":
            k = k.astype(np.int64)
    return k


def _normalize(key):
    keys = key if isinstance(key, tuple) else (key,)
    return tuple(_to_index(k) for k in keys)


def getitem(arr, key):
    key = _normalize(key)
    try:
        shape = _fake(arr.shape)[key].shape
    except IndexError as err:
        raise MXNetIndexError(f"index {key} is out of bounds for array of shape "
                              f"{arr.shape}: {err}") from None
    basic = is_basic(key)
    if not shape and not is_np_shape():
        shape = (1,)   # MXNet 1.x has no 0-d arrays outside np_shape mode
    if basic and not (tape.is_recording() and arr._entry is not None):
        if basic_slice_is_contiguous(key, arr.shape):
            return arr._make_view(lambda d: d[key].reshape(shape), shape)
    op = registry.get("_index")
    params = op.make_params({"key": encode_key(key, arr.ndim), "out_shape": shape})
    return dispatch.invoke(op, [arr], params, new_array=type(arr)._new)


def setitem(arr, key, value):
    """``arr[key] = value`` as one engine op writing ``arr`` in place."""
    whole = key is None or key is Ellipsis or (isinstance(key, slice) and key == slice(None))
    if tape.is_recording() and not whole and (
            arr._entry is not None or getattr(value, "_entry", None) is not None):
        raise MXNetError("Inplace operations (+=, -=, x[:]=, etc) are not supported when "
                         "recording with autograd.")
    if whole and hasattr(value, "_chunk") and value.shape == arr.shape:
        value.copyto(arr)
        return
    key = _normalize(key)
    try:
        target_shape = _fake(arr.shape)[key].shape
    except IndexError as err:
        raise MXNetIndexError(f"index {key} is out of bounds for array of shape "
                              f"{arr.shape}: {err}") from None
    reads = []
    if hasattr(value, "_chunk"):
        src = value
        if src._ctx != arr._ctx:
            src = src.as_in_context(arr._ctx)
        _check_broadcast(src.shape, target_shape, arr.shape, key)
        reads.append(src._chunk.var)

        def get():
            return src._data()
    else:
        val = np.asarray(value)
        if val.ndim:
            _check_broadcast(val.shape, target_shape, arr.shape, key)
        val = val.astype(arr.dtype) if val.dtype.kind != "f" or arr.dtype.kind == "f" \
            else val.astype(np.float64)
        xp = dispatch.xp_of(arr._ctx)
        dev = val if xp is np else xp.asarray(val)

        def get():
            return dev

    def run():
        v = get()
        d = arr._data()
        if len(key) == 1 and (key[0] is Ellipsis or (isinstance(key[0], slice) and
                                                   key[0] == slice(None))):
            d[...] = v.reshape(d.shape) if v.ndim and v.size == d.size and v.shape != d.shape else v
        else:
            d[key] = v.reshape(target_shape) if getattr(v, "size", 1) == _prod(target_shape) \
                and v.ndim and v.shape != target_shape else v
    engine.push(run, reads, [arr._chunk.var], arr._ctx, "_set_item", _prod(target_shape))


def _prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _check_broadcast(vshape, target, shape, key):
    if _prod(vshape) == _prod(target):
        return
    try:
        np.broadcast_shapes(vshape, target)
    except ValueError:
        raise MXNetError(f"__setitem__: cannot assign a value of shape {vshape} to "
                         f"array[{key}] of shape {target} (array shape {shape})") from None


def reshape_view(arr, shape, kwargs):
    """``arr.reshape(...)``: a view with MXNet's special reshape codes resolved."""
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    if "shape" in kwargs:
        shape = tuple(kwargs.pop("shape"))
    reverse = bool(kwargs.pop("reverse", False))
    if kwargs:
        raise TypeError(f"reshape: unknown keyword argument(s) {sorted(kwargs)}")
    op = registry.get("Reshape")
    params = op.make_params({"shape": shape, "reverse": reverse})
    try:
        new_shape = tuple(op.infer_shape(params, [arr.shape])[0])
    except MXNetError as err:
        raise type(err)(f"Operator Reshape: {err}") from None
    if tape.is_recording() and arr._entry is not None:
        return dispatch.invoke(op, [arr], params, new_array=type(arr)._new)
    return arr._make_view(lambda d: d.reshape(new_shape), new_shape)
