"""``nd.save`` / ``nd.load`` / ``nd.load_frombuffer`` in MXNet's binary format."""
import numpy as np

from ..base import MXNetError
from ..context import Context
from ..util import is_np_shape
from . import _format
from .ndarray import NDArray, _from_numpy

__all__ = ["save", "load", "load_frombuffer"]


def _open(fname, mode):
    if "://" in str(fname):
        try:
            import fsspec
        except ImportError:
            raise MXNetError(f"{fname}: remote paths need fsspec (pip install fsspec)") \
                from None
        return fsspec.open(fname, mode).open()
    return open(fname, mode)


def save(fname, data):
    """Save an NDArray, a list of NDArrays or a dict of str -> NDArray to ``fname``.

    The file is byte-compatible with MXNet 1.x (``.params`` files are such dicts).

    Examples
    --------
    >>> mx.nd.save('/tmp/x.params', {'w': mx.nd.ones((2, 3))})
    >>> mx.nd.load('/tmp/x.params')['w'].shape
    (2, 3)
    """
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, dict):
        bad = [k for k, v in data.items() if not isinstance(v, NDArray)]
        arrays = {k: _record(v) for k, v in data.items() if isinstance(v, NDArray)}
    elif isinstance(data, (list, tuple)):
        bad = [i for i, v in enumerate(data) if not isinstance(v, NDArray)]
        arrays = [_record(v) for v in data if isinstance(v, NDArray)]
    else:
        raise MXNetError(f"save: data must be an NDArray, a list or a dict of NDArrays, got "
                         f"{type(data).__name__}")
    if bad:
        raise MXNetError(f"save: every value must be an NDArray; not NDArrays: {bad[:5]}")
    buf = _format.dumps(arrays, np_shape=is_np_shape())
    with _open(fname, "wb") as f:
        f.write(buf)


def load(fname):
    """Load what ``save`` (or MXNet's ``mx.nd.save``) wrote: a list or a dict of NDArrays."""
    with _open(fname, "rb") as f:
        return load_frombuffer(f.read())


def load_frombuffer(buf):
    """Load NDArrays from the bytes of a saved file."""
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError(f"load_frombuffer: expected bytes, got {type(buf).__name__}")
    arrays, _contexts = _format.loads(buf)
    _check_shape_mode(buf)
    if isinstance(arrays, dict):
        return {k: _to_nd(v) for k, v in arrays.items()}
    return [_to_nd(v) for v in arrays]


def _check_shape_mode(buf):
    magic = _format.record_magics(buf)
    if magic == _format.V3_MAGIC and not is_np_shape():
        raise MXNetError("load: the arrays were saved in np-shape semantics; load them "
                         "inside mx.np_shape(True) (or call mx.util.set_np_shape(True))")
    if magic == _format.V2_MAGIC and is_np_shape():
        raise MXNetError("load: the arrays were saved without np-shape semantics; load them "
                         "outside mx.np_shape(True)")


def _record(array):
    """What the codec writes for ``array``: a NumPy array, or a SparseArray."""
    return array.asnumpy() if array.stype == "default" else array._to_record()


def _to_nd(value):
    if not isinstance(value, np.ndarray):   # a _format.SparseArray
        from .sparse_array import from_record
        return from_record(value, Context("cpu", 0))
    return _from_numpy(value, Context("cpu", 0))
