"""DLPack exchange: zero-copy with NumPy, PyTorch, CuPy and anything else speaking DLPack."""
import numpy as np

from ..context import Context
from . import dispatch
from .ndarray import from_xp

__all__ = ["to_dlpack_for_read", "to_dlpack_for_write", "from_dlpack", "from_numpy"]


class _Exported:
    """Holds an array and hands out its DLPack capsule (``__dlpack__`` protocol)."""

    def __init__(self, data):
        self._data = data

    def __dlpack__(self, stream=None, **kwargs):
        return self._data.__dlpack__()

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()


def to_dlpack_for_read(data):
    """A DLPack capsule of ``data`` for reading (waits for pending writes first)."""
    data.wait_to_read()
    return data._data().__dlpack__()


def to_dlpack_for_write(data):
    """A DLPack capsule of ``data`` for writing (waits for pending reads and writes)."""
    data.wait_to_write()
    return data._data().__dlpack__()


def from_dlpack(dlpack):
    """An NDArray sharing memory with a DLPack capsule or an object with ``__dlpack__``."""
    if hasattr(dlpack, "__dlpack__"):
        source = dlpack
    else:
        source = _Exported(_CapsuleHolder(dlpack))
    device_type = source.__dlpack_device__()[0] if hasattr(source, "__dlpack_device__") else 1
    if device_type == 2:
        ctx = Context("gpu", source.__dlpack_device__()[1])
        xp = dispatch.xp_of(ctx)
        return from_xp(xp.from_dlpack(source), ctx)
    arr = np.from_dlpack(source)
    return from_xp(arr if arr.flags.c_contiguous else np.ascontiguousarray(arr),
                   Context("cpu", 0))


class _CapsuleHolder:
    """Adapts a bare PyCapsule (what MXNet's to_dlpack_* return) to ``__dlpack__``."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, stream=None, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return (1, 0)


def from_numpy(ndarray, zero_copy=True):
    """An NDArray from a NumPy array, sharing its memory when C-contiguous."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(ndarray).__name__}")
    if not ndarray.flags.c_contiguous:
        raise ValueError("from_numpy only accepts C-contiguous arrays; use "
                         "numpy.ascontiguousarray first")
    if not zero_copy:
        return from_xp(np.array(ndarray, copy=True, order="C"), Context("cpu", 0))
    # MXNet takes ownership: the NumPy array becomes read-only, the NDArray writes.
    shared = ndarray.view() if ndarray.flags.writeable else _writable_alias(ndarray)
    ndarray.flags.writeable = False
    return from_xp(shared, Context("cpu", 0))


def _writable_alias(arr):
    """A writable array over ``arr``'s memory (it was handed to an earlier NDArray)."""
    import ctypes
    if arr.nbytes == 0:
        return np.empty(arr.shape, arr.dtype)
    raw = (ctypes.c_char * arr.nbytes).from_address(arr.ctypes.data)
    raw.owner = arr   # the alias's base keeps the memory's owner alive
    return np.frombuffer(raw, dtype=arr.dtype).reshape(arr.shape)
