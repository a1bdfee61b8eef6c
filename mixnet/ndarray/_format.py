"""Codec for MXNet 1.x's NDArray file format (``mx.nd.save``/``load``, ``.params``) on NumPy arrays.

Pure bytes <-> NumPy; imports the stdlib, numpy and ``..base`` only.
"""

import math
import struct
from dataclasses import dataclass

import numpy as np

from ..base import MXNetTypeError, MXNetValueError

__all__ = ["CPU", "SparseArray", "dumps", "loads"]

_LIST_MAGIC = 0x112  # kMXAPINDArrayListMagic, the file header
_V1_MAGIC = 0xF993FAC8  # int64 dims, no storage type (read only)
_V2_MAGIC = 0xF993FAC9  # adds the storage type
_V3_MAGIC = 0xF993FACA  # V2 written under np-shape semantics: ndim 0 is a scalar, not "none"
# NOTE: a legacy "V0" array has no magic: its first uint32 is the ndim of a uint32-dim shape.
# NumPy 2 allows 64 dims, so a larger first word can only be a corrupt magic.
_MAX_LEGACY_NDIM = 64

CPU = (1, 0)  # (dev_type, dev_id) of cpu(0); dev_type 2 is gpu, 3 cpu_pinned, 5 cpu_shared
_BFLOAT16 = np.dtype([("bfloat16", "<u2")])  # MXNet's own NumPy stand-in for bfloat16
# MXNet type flags 0..7 in order, and 12; MXNet 1.9.1 rejects 8..11 with "Unknown type enum".
_TYPES = ["float32", "float64", "float16", "uint8", "int32", "int8", "int64", "bool"]
_CODE_TO_DTYPE = {code: np.dtype(name) for code, name in enumerate(_TYPES)} | {12: _BFLOAT16}
_DTYPE_TO_CODE = {dtype: code for code, dtype in _CODE_TO_DTYPE.items()}
_STYPE_CODES = {"row_sparse": 1, "csr": 2}  # 0 is dense ("default")
_STYPE_NAMES = {code: name for name, code in _STYPE_CODES.items()}
_NUM_AUX = {0: 0, 1: 1, 2: 2}  # row_sparse: indices; csr: indptr, indices


@dataclass(frozen=True)
class SparseArray:
    """A ``row_sparse`` or ``csr`` array in its stored (compressed) form.

    Parameters
    ----------
    stype : {'row_sparse', 'csr'}
    shape : tuple of int
        The dense shape.
    data : numpy.ndarray
        ``row_sparse``: the stored rows, shape ``(nnz_rows,) + shape[1:]``; ``csr``: ``(nnz,)``.
    indices : numpy.ndarray
        Row ids (``row_sparse``) or column ids (``csr``), normally int64.
    indptr : numpy.ndarray or None
        ``csr`` only: row pointers, length ``shape[0] + 1``.
    """

    stype: str
    shape: tuple
    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray | None = None

    def __post_init__(self):
        if self.stype not in _STYPE_CODES:
            raise MXNetValueError(f"SparseArray stype must be one of {list(_STYPE_CODES)}")
        indptr_shape = None if self.indptr is None else self.indptr.shape
        if self.indices.ndim != 1:
            ok = False
        elif self.stype == "row_sparse":  # data holds whole rows
            ok = self.data.shape == self.indices.shape + tuple(self.shape[1:])
        else:  # csr: one value per column index, one pointer per row plus one
            ok = len(self.shape) == 2 and self.data.shape == self.indices.shape
            ok = ok and indptr_shape == (self.shape[0] + 1,)
        if not ok:
            raise MXNetValueError(
                f"inconsistent {self.stype} array: shape {tuple(self.shape)}, data "
                f"{self.data.shape}, indices {self.indices.shape}, indptr "
                f"{None if self.indptr is None else self.indptr.shape}"
            )

    @property
    def aux(self):
        """Auxiliary arrays in MXNet's order: ``(indices,)`` or ``(indptr, indices)``."""
        return (self.indices,) if self.stype == "row_sparse" else (self.indptr, self.indices)


class _Reader:
    """A cursor over the input that checks every length, so no partial result escapes."""

    def __init__(self, buf):
        self.buf = memoryview(buf).cast("B")
        self.pos = 0

    def remaining(self):
        return len(self.buf) - self.pos

    def take(self, nbytes, what):
        if nbytes > self.remaining():
            raise MXNetValueError(
                f"NDArray file truncated: expected {nbytes} bytes of {what} at "
                f"byte offset {self.pos}, but only {self.remaining()} remain"
            )
        self.pos += nbytes
        return self.buf[self.pos - nbytes : self.pos]

    def unpack(self, fmt, what):
        layout = struct.Struct("<" + fmt)
        return layout.unpack(self.take(layout.size, what))

    def count(self, min_item_bytes, what):
        """Read a uint64 count, rejecting one the remaining bytes could never hold."""
        start = self.pos
        (n,) = self.unpack("Q", what)
        if n * min_item_bytes > self.remaining():
            raise MXNetValueError(
                f"truncated or corrupt NDArray file: {what} at byte offset {start} is {n}, "
                f"more than the {self.remaining()} remaining bytes can hold"
            )
        return n


def _corrupt(what, offset, got, expected):
    return MXNetValueError(
        f"corrupt NDArray file: {what} at byte offset {offset} is {got}, expected {expected}"
    )


def _read_shape(reader, what, dim_fmt="q", ndim=None):
    """Read a TShape: int32 ndim (unless already read) then ndim dims; unknown sizes are errors."""
    start = reader.pos
    if ndim is None:
        (ndim,) = reader.unpack("i", f"{what} ndim")
    if ndim < 0:  # -1 is an unknown shape, i.e. an uninitialised array: MXNet cannot load it
        raise _corrupt(f"{what} ndim", start, ndim, "a known ndim >= 0")
    dims = reader.unpack(f"{ndim}{dim_fmt}", f"{what} ({ndim} dims)")
    if any(d < 0 for d in dims):
        raise _corrupt(f"{what}", start, dims, "known dims >= 0")
    return dims


def _read_dtype(reader, what):
    start = reader.pos
    (code,) = reader.unpack("i", what)
    if code not in _CODE_TO_DTYPE:
        raise _corrupt(what, start, code, f"an MXNet type flag in {sorted(_CODE_TO_DTYPE)}")
    return _CODE_TO_DTYPE[code]


def _read_data(reader, dtype, shape, what):
    count = math.prod(shape)
    chunk = reader.take(count * dtype.itemsize, f"{what} ({count} x {dtype})")
    array = np.frombuffer(chunk, dtype=dtype.newbyteorder("<"), count=count).reshape(shape)
    return array.astype(dtype)  # a copy: the result must own writable memory, not view `buf`


def _read_legacy(reader, magic, what):
    """V1 (int64 dims) or V0 (no magic: uint32 ndim and dims); dense, no storage type."""
    if magic == _V1_MAGIC:
        shape = _read_shape(reader, f"{what} shape")
    elif magic <= _MAX_LEGACY_NDIM:
        shape = _read_shape(reader, f"{what} legacy shape", dim_fmt="I", ndim=magic)
    else:
        raise _corrupt(
            f"{what} magic",
            reader.pos - 4,
            hex(magic),
            f"{_V2_MAGIC:#x} (V2), {_V3_MAGIC:#x} (V3), {_V1_MAGIC:#x} (V1) or a "
            f"legacy ndim <= {_MAX_LEGACY_NDIM}",
        )
    # NOTE: MXNet 1.9.1 reads legacy ndim 0 as a 0-d scalar with data, so we do too.
    context = reader.unpack("ii", f"{what} context")
    dtype = _read_dtype(reader, f"{what} type flag")
    return _read_data(reader, dtype, shape, f"{what} data"), context


def _read_v2(reader, np_shape, what):
    """V2/V3: storage type, [storage shape], shape, context, type flag, [aux meta], data, [aux]."""
    start = reader.pos
    (stype,) = reader.unpack("i", f"{what} storage type")
    if stype != 0 and (stype not in _STYPE_NAMES or np_shape):
        expected = "0 (dense)" if np_shape else "0 (dense), 1 (row_sparse) or 2 (csr)"
        raise _corrupt(f"{what} storage type", start, stype, expected)
    storage_shape = _read_shape(reader, f"{what} storage shape") if stype else None
    shape_at = reader.pos
    shape = _read_shape(reader, f"{what} shape")
    if not shape and not np_shape:
        # V2 ndim 0 marks a "none" array with nothing after it; MXNet's Python load rejects it.
        raise _corrupt(
            f"{what} shape ndim", shape_at, 0, "ndim > 0 (in V2, 0 marks an uninitialised array)"
        )
    context = reader.unpack("ii", f"{what} context")
    dtype = _read_dtype(reader, f"{what} type flag")
    aux_meta = []
    for i in range(_NUM_AUX[stype]):
        aux_type = _read_dtype(reader, f"{what} aux {i} type flag")
        aux_meta.append((aux_type, _read_shape(reader, f"{what} aux {i} shape")))
    data = _read_data(reader, dtype, storage_shape or shape, f"{what} data")
    if not stype:
        return data, context
    aux = [_read_data(reader, t, s, f"{what} aux {i} data") for i, (t, s) in enumerate(aux_meta)]
    try:
        sparse = SparseArray(
            _STYPE_NAMES[stype], shape, data, aux[-1], aux[0] if stype == 2 else None
        )
    except MXNetValueError as err:
        raise MXNetValueError(f"corrupt NDArray file: {what}: {err}") from None
    return sparse, context


def _read_name(reader, what):
    length = reader.count(1, f"{what} length")
    raw = reader.take(length, what)
    try:
        return bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise _corrupt(what, reader.pos - length, bytes(raw[:32]), "UTF-8 text") from None


def loads(buf):
    """Decode an MXNet NDArray file (``mx.nd.save`` output or a ``.params`` file).

    Parameters
    ----------
    buf : bytes-like
        The whole file. Bytes after the name table are ignored, as MXNet does.

    Returns
    -------
    arrays : list or dict of str -> numpy.ndarray or SparseArray
        A dict when the file stores names, else a list (so an empty dict loads as ``[]``).
    contexts : list of (int, int)
        The saved ``(dev_type, dev_id)`` of each array in file order (also the dict's order,
        unless names repeat: then, as in MXNet, the last one wins in the dict).

    Raises
    ------
    MXNetError
        If the input is truncated or corrupt; the message names the field and byte offset.

    Examples
    --------
    >>> arrays, contexts = loads(dumps([np.arange(3, dtype=np.int32)]))
    >>> arrays, contexts
    ([array([0, 1, 2], dtype=int32)], [(1, 0)])
    """
    reader = _Reader(buf)
    magic, _reserved = reader.unpack("QQ", "file header (magic, reserved)")
    if magic != _LIST_MAGIC:
        raise _corrupt("file magic", 0, hex(magic), f"{_LIST_MAGIC:#x} (an MXNet NDArray file)")
    arrays, contexts = [], []
    for i in range(reader.count(4, "array count")):
        start = reader.pos
        (magic,) = reader.unpack("I", f"array {i} magic")
        what = f"array {i} (at byte {start})"
        if magic in (_V2_MAGIC, _V3_MAGIC):
            array, context = _read_v2(reader, magic == _V3_MAGIC, what)
        else:
            array, context = _read_legacy(reader, magic, what)
        arrays.append(array)
        contexts.append(context)
    names = [_read_name(reader, f"name {i}") for i in range(reader.count(8, "name count"))]
    if names and len(names) != len(arrays):
        raise MXNetValueError(f"corrupt NDArray file: {len(names)} names for {len(arrays)} arrays")
    return (dict(zip(names, arrays)) if names else arrays), contexts


def _dtype_code(dtype, what):
    code = _DTYPE_TO_CODE.get(dtype.newbyteorder("="))
    if code is None:
        raise MXNetTypeError(
            f"cannot save {what}: dtype {dtype} has no MXNet 1.x type flag; "
            f"expected one of {[str(d) for d in _DTYPE_TO_CODE]}"
        )
    return code


def _encode_shape(shape):
    return struct.pack(f"<i{len(shape)}q", len(shape), *shape)


def _raw(array):
    return array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes(order="C")


def _encode_array(array, magic, what):
    """One NDArray record, written as MXNet writes a cpu(0) array."""
    if isinstance(array, SparseArray):
        head = [
            struct.pack("<Ii", magic, _STYPE_CODES[array.stype]),
            _encode_shape(array.data.shape),
            _encode_shape(array.shape),
            struct.pack("<iii", *CPU, _dtype_code(array.data.dtype, what)),
        ]
        for aux in array.aux:
            head += [struct.pack("<i", _dtype_code(aux.dtype, what)), _encode_shape(aux.shape)]
        return b"".join(head + [_raw(array.data)] + [_raw(a) for a in array.aux])
    head = struct.pack("<Ii", magic, 0) + _encode_shape(array.shape)
    return head + struct.pack("<iii", *CPU, _dtype_code(array.dtype, what)) + _raw(array)


def _split_names(arrays):
    if isinstance(arrays, dict):
        bad = [k for k in arrays if not isinstance(k, str)]
        if bad:
            raise MXNetTypeError(f"cannot save: dict keys must be str, got {bad[0]!r}")
        return list(arrays), list(arrays.values())
    if isinstance(arrays, (list, tuple)):
        return [], list(arrays)
    raise MXNetTypeError(
        f"cannot save {type(arrays).__name__}: expected a list of arrays or a dict of str -> array"
    )


def _choose_magic(values, np_shape):
    """V3 when np-shape semantics are asked for (or needed by a 0-d array), else V2."""
    dense_0d = any(isinstance(v, np.ndarray) and v.ndim == 0 for v in values)
    if np_shape is None:
        np_shape = dense_0d
    if np_shape and any(isinstance(v, SparseArray) for v in values):
        raise MXNetValueError(
            "cannot save sparse arrays with np_shape=True: MXNet only "
            "serializes dense arrays under np-shape semantics"
        )
    if dense_0d and not np_shape:
        raise MXNetValueError(
            "cannot save a 0-d array with np_shape=False: the V2 format reads "
            "ndim 0 as an uninitialised array; use np_shape=True (V3)"
        )
    return _V3_MAGIC if np_shape else _V2_MAGIC


def dumps(arrays, np_shape=None):
    """Encode arrays as MXNet 1.x ``mx.nd.save`` does for cpu(0) arrays.

    Parameters
    ----------
    arrays : list of arrays or dict of str -> array
        Each array is a ``numpy.ndarray`` of an MXNet 1.x dtype (float16/32/64, uint8, int8,
        int32, int64, bool, MXNet's bfloat16 record dtype) or a ``SparseArray``.
    np_shape : bool or None
        Write the V3 records MXNet writes under ``mx.util.set_np_shape(True)``, which MXNet
        then only loads with np-shape on. None (default) picks V3 only if a 0-d array needs it.

    Returns
    -------
    bytes
        Byte-identical to MXNet's file for the same cpu arrays.

    Examples
    --------
    >>> buf = dumps({"w": np.ones((2, 3), np.float32)})
    >>> len(buf), loads(buf)[0]["w"].shape
    (105, (2, 3))
    """
    names, values = _split_names(arrays)
    labels = names or range(len(values))
    for label, value in zip(labels, values):
        if not isinstance(value, (np.ndarray, SparseArray)):
            raise MXNetTypeError(
                f"cannot save array {label!r}: expected numpy.ndarray or "
                f"SparseArray, got {type(value).__name__}"
            )
    magic = _choose_magic(values, np_shape)
    parts = [struct.pack("<QQQ", _LIST_MAGIC, 0, len(values))]
    parts += [_encode_array(v, magic, f"array {label!r}") for label, v in zip(labels, values)]
    parts.append(struct.pack("<Q", len(names)))
    for name in names:
        encoded = name.encode("utf-8")
        parts += [struct.pack("<Q", len(encoded)), encoded]
    return b"".join(parts)


def dumps_one(array, np_shape=None):
    """One NDArray record without the file header (MXNet's raw bytes, used by pickling)."""
    return _encode_array(array, _choose_magic([array], np_shape), "array")


def loads_one(buf):
    """Decode one raw NDArray record: (array, (dev_type, dev_id))."""
    reader = _Reader(buf)
    (magic,) = reader.unpack("I", "array magic")
    if magic in (_V2_MAGIC, _V3_MAGIC):
        return _read_v2(reader, magic == _V3_MAGIC, "array")
    return _read_legacy(reader, magic, "array")


def record_magics(buf):
    """Magic number of the first record (None for an empty list); for np-shape checks."""
    reader = _Reader(buf)
    reader.unpack("QQ", "file header (magic, reserved)")
    if reader.count(4, "array count") == 0:
        return None
    return reader.unpack("I", "array 0 magic")[0]


V3_MAGIC = _V3_MAGIC
V2_MAGIC = _V2_MAGIC
