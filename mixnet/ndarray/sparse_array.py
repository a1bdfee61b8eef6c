"""``CSRNDArray`` and ``RowSparseNDArray``: NDArrays whose chunk holds a ``SparseData``.

A sparse array reads as its dense equivalent to any kernel (``_data()``), and a dense
value stored into it (``_store``) is compacted: that is MXNet's storage fallback, so
every dense op accepts sparse inputs and ``out=`` arrays. Ops with sparse kernels or
sparse results are routed by ``sparse_dispatch``. Stored forms are never modified in
place (a write replaces the chunk's ``SparseData``), so they may be shared.
"""
import warnings

import numpy as np

from .. import backend, engine
from ..base import MXNetError, numeric_types
from ..context import Context
from ..dtype import normalize
from . import _format, dispatch, sparse_xp
from .ndarray import Chunk, NDArray, _from_numpy, _op_fn, from_xp, py_slice

__all__ = [
    "BaseSparseNDArray",
    "CSRNDArray",
    "NotSupportedForSparseNDArray",
    "RowSparseNDArray",
    "copy_into",
    "from_record",
    "new_sparse",
    "rows_of",
    "ufunc",
    "zeros",
]

_AUX_TYPES = {"row_sparse": [np.dtype(np.int64)], "csr": [np.dtype(np.int64)] * 2}


class NotSupportedForSparseNDArray(MXNetError):
    """An NDArray method that sparse arrays do not have (MXNet's error of that name)."""

    def __init__(self, function, alias, *args):
        super().__init__(f"Function {function.__name__} (namely operator \"{alias}\") is "
                         f"not supported for SparseNDArray and only available in NDArray.")


def new_sparse(stype, shape, dtype, ctx, stored=None):
    """A sparse array of ``stype``; ``stored`` (a SparseData) or zeros until written."""
    cls = CSRNDArray if stype == "csr" else RowSparseNDArray
    arr = cls.__new__(cls)
    shape = tuple(int(d) for d in shape)
    arr._chunk = Chunk(shape, dtype, ctx)
    arr._chunk.data = stored
    arr._view = None
    arr.shape, arr.dtype, arr._ctx, arr._entry = shape, dtype, ctx, None
    return arr


def zeros(stype, shape, ctx, dtype):
    """An all-zero sparse array (its stored form is set at once: no engine op)."""
    dtype = normalize(dtype)
    stored = sparse_xp.empty(dispatch.xp_of(ctx), stype, shape, dtype)
    return new_sparse(stype, shape, dtype, ctx, stored)


def from_record(rec, ctx):
    """A sparse array from a ``_format.SparseArray`` (what nd.load reads)."""
    move = (lambda a: backend.to_device(np.ascontiguousarray(a), ctx))
    stored = sparse_xp.SparseData(move(rec.data), move(rec.indices).astype(np.int64),
                                  None if rec.indptr is None else
                                  move(rec.indptr).astype(np.int64))
    return new_sparse(rec.stype, rec.shape, rec.data.dtype, ctx, stored)


def copy_into(src, dst):
    """Copy sparse ``src`` into ``dst`` (any storage type and context)."""
    def run():
        st = src._sparse()
        if dst.stype == src.stype:
            move = (lambda a: None if a is None else backend.to_device(a, dst._ctx).copy())
            dst._store(sparse_xp.SparseData(move(st.data), move(st.indices),
                                            move(st.indptr)))
        else:
            dst._store(backend.to_device(src._data().astype(dst.dtype, copy=False),
                                         dst._ctx))
    engine.push(run, [src._chunk.var], [dst._chunk.var], dst._ctx, "_copyto", 1)


def rows_of(src, row_ids):
    """A RowSparseNDArray holding the rows ``row_ids`` (any order, repeats allowed) of
    ``src`` (kvstore's row_sparse_pull); requested rows are kept even when zero."""
    out = new_sparse("row_sparse", src.shape, src.dtype, src._ctx)

    def run():
        xp = dispatch.xp_of(src._ctx)
        ids = backend.to_device(row_ids._data(), src._ctx).reshape(-1)
        out._store(sparse_xp.rsp_of_rows(xp, src._data(), ids))
    engine.push(run, [src._chunk.var, row_ids._chunk.var], [out._chunk.var], src._ctx,
                "row_sparse_pull", 1)
    return out


def ufunc(lhs, rhs, elem_op, bcast_op, scalar_op, rscalar_op=None):
    """MXNet's sparse ``add``/``subtract``/...: the elemwise op for equal shapes (it has
    sparse results), the broadcast op otherwise, the scalar op for a number."""
    if isinstance(lhs, NDArray) and isinstance(rhs, NDArray):
        return _op_fn(elem_op if lhs.shape == rhs.shape else bcast_op)(lhs, rhs)
    if isinstance(lhs, NDArray):
        return NDArray._binary(lhs, rhs, bcast_op, scalar_op)
    return NDArray._binary(rhs, lhs, bcast_op, rscalar_op or scalar_op, True)


class BaseSparseNDArray(NDArray):
    """An NDArray stored in a sparse format (see CSRNDArray and RowSparseNDArray)."""

    __slots__ = ()
    _stype = None

    def __init__(self, handle=None, writable=True):
        if not isinstance(handle, BaseSparseNDArray):
            handle = zeros(self._stype, (0,) * (2 if self._stype == "csr" else 1),
                           Context("cpu", 0), np.float32)
        NDArray.__init__(self, handle, writable)

    @property
    def stype(self):
        return self._stype

    # --- storage --------------------------------------------------------------
    def _sparse(self):
        """The stored form (call only when the engine says it is ready)."""
        st = self._chunk.data
        if st is None:   # never written (or its op failed): reads as zeros
            st = self._chunk.data = sparse_xp.empty(dispatch.xp_of(self._ctx), self._stype,
                                                    self.shape, self.dtype)
        return st

    def _data(self):
        """The dense equivalent, for dense kernels (MXNet's storage fallback)."""
        return sparse_xp.to_dense(dispatch.xp_of(self._ctx), self._sparse(), self.shape,
                                  self.dtype)

    def _store(self, value):
        if not isinstance(value, sparse_xp.SparseData):
            value = sparse_xp.from_dense(dispatch.xp_of(self._ctx), self._stype, value)
        self._chunk.data = sparse_xp.cast(value, self.dtype)

    def _make_view(self, fn, shape):
        raise NotSupportedForSparseNDArray(self.reshape, None, shape)

    def _slice(self, start, stop):
        raise NotSupportedForSparseNDArray(self._slice, None, start, stop)

    def _at(self, idx):
        raise NotSupportedForSparseNDArray(self._at, "[idx]", idx)

    def reshape(self, *shape, **kwargs):
        raise NotSupportedForSparseNDArray(self.reshape, None, shape)

    def to_dlpack_for_write(self):
        raise NotSupportedForSparseNDArray(self.to_dlpack_for_write, None)

    # --- parts --------------------------------------------------------------------
    def _part(self, name):
        """A dense copy of one stored array (blocks, as MXNet's)."""
        self.wait_to_read()
        return from_xp(getattr(self._sparse(), name).copy(), self._ctx)

    @property
    def data(self):
        """A copy of the stored values."""
        return self._part("data")

    @property
    def indices(self):
        """A copy of the indices: row ids (row_sparse) or column ids (csr), int64."""
        return self._part("indices")

    @property
    def _num_aux(self):
        return len(_AUX_TYPES[self._stype])

    @property
    def _aux_types(self):
        return list(_AUX_TYPES[self._stype])

    def _aux_type(self, i):
        return _AUX_TYPES[self._stype][i]

    def check_format(self, full_check=True):
        """Raise MXNetError when the stored form is not a valid ``stype`` array."""
        self.wait_to_read()
        msg = sparse_xp.check(dispatch.xp_of(self._ctx), self._stype, self._sparse(),
                              self.shape)
        if msg is not None:
            raise MXNetError(f"check_format: {msg}")

    def _to_record(self):
        """The stored form as a ``_format.SparseArray`` (what nd.save writes)."""
        self.wait_to_read()
        st = self._sparse()
        to_np = backend.to_numpy
        return _format.SparseArray(self._stype, self.shape, to_np(st.data),
                                   to_np(st.indices),
                                   None if st.indptr is None else to_np(st.indptr))

    # --- conversion and copies ----------------------------------------------------------
    def astype(self, dtype, copy=True):
        """A copy cast to ``dtype``, of the same storage type."""
        dtype = normalize(dtype)
        if not copy and dtype == self.dtype:
            return self
        res = zeros(self._stype, self.shape, self._ctx, dtype)
        copy_into(self, res)
        return res

    def copyto(self, other):
        """Copy into ``other`` (dense or this storage type), or onto Context ``other``."""
        if isinstance(other, NDArray):
            if other is self:
                warnings.warn("You are attempting to copy an array to itself", RuntimeWarning)
                return False
            if other.stype not in ("default", self._stype):
                raise TypeError(f"copyto does not support destination NDArray stype "
                                f"{other.stype}")
            if other.shape != self.shape:
                raise MXNetError(f"copyto: shape mismatch, source {self.shape} vs "
                                 f"target {other.shape}")
            copy_into(self, other)
            return other
        if isinstance(other, Context):
            res = new_sparse(self._stype, self.shape, self.dtype, other)
            copy_into(self, res)
            return res
        raise TypeError(f"copyto does not support type {type(other)}")

    def tostype(self, stype):
        """A copy with storage type ``stype``."""
        other = {"csr": "row_sparse", "row_sparse": "csr"}[self._stype]
        if stype == other:
            raise ValueError(f"cast_storage from {self._stype} to {other} is not supported")
        return _op_fn("cast_storage")(self, stype=stype)

    def detach(self):
        """This array outside the autograd graph (shares its storage)."""
        arr = type(self).__new__(type(self))
        arr._chunk, arr._view, arr.shape = self._chunk, None, self.shape
        arr.dtype, arr._ctx, arr._entry = self.dtype, self._ctx, None
        return arr

    # --- python protocol --------------------------------------------------------
    def __repr__(self):
        shape = "x".join(str(d) for d in self.shape)
        return f"\n<{type(self).__name__} {shape} @{self._ctx}>"

    def __getstate__(self):
        return {"handle": bytearray(_format.dumps_one(self._to_record()))}

    def __setstate__(self, state):
        rec, _ctx = _format.loads_one(bytes(state["handle"]))
        src = from_record(rec, Context("cpu", 0))
        for k in NDArray.__slots__[:-1]:
            setattr(self, k, getattr(src, k))

    def __reduce__(self):
        return (_unpickle, (type(self), self.__getstate__()))

    def __setitem__(self, key, value):
        if not isinstance(key, py_slice) or key != py_slice(None):
            raise ValueError(f"{type(self).__name__} only supports [:] for assignment")
        if isinstance(value, NDArray):
            if value._chunk is not self._chunk:
                value.copyto(self)
        elif isinstance(value, numeric_types):
            # NOTE: MXNet refuses any number for csr; 0 is allowed here so that autograd
            # can clear an unreached csr gradient.
            if self._stype == "csr" and value != 0:
                raise ValueError("Assigning numeric types to CSRNDArray is not "
                                 "implemented yet.")
            from .creation import full
            full(self.shape, value, self._ctx, self.dtype).copyto(self)
        elif isinstance(value, (np.ndarray, np.generic)):
            data = np.broadcast_to(np.asarray(value, dtype=self.dtype), self.shape)
            _from_numpy(data, self._ctx).copyto(self)
        else:
            raise TypeError(f"type {type(value)} not supported")

    # --- arithmetic (MXNet's sparse add/subtract/multiply; in-place via a copy) -------
    def __add__(self, o): return ufunc(self, o, "elemwise_add", "broadcast_add", "_plus_scalar")
    def __sub__(self, o):
        return ufunc(self, o, "elemwise_sub", "broadcast_sub", "_minus_scalar")
    def __mul__(self, o): return ufunc(self, o, "elemwise_mul", "broadcast_mul", "_mul_scalar")
    def __iadd__(self, o): return self._assign(self + o)
    def __isub__(self, o): return self._assign(self - o)
    def __imul__(self, o): return self._assign(self * o)
    def __itruediv__(self, o): return self._assign(self / o)
    __idiv__ = __itruediv__

    def _assign(self, value):
        value.copyto(self)
        return self


def _unpickle(cls, state):
    arr = cls.__new__(cls)
    arr.__setstate__(state)
    return arr


class CSRNDArray(BaseSparseNDArray):
    """A 2-D sparse array in Compressed Sparse Row format: row ``i`` holds the values
    ``data[indptr[i]:indptr[i+1]]`` at the columns ``indices[indptr[i]:indptr[i+1]]``.

    Examples
    --------
    >>> a = mx.nd.array([[0, 1, 0], [2, 0, 3]]).tostype('csr')
    >>> a.data.asnumpy(), a.indices.asnumpy(), a.indptr.asnumpy()
    (array([1., 2., 3.], dtype=float32), array([1, 0, 2]), array([0, 1, 3]))
    """

    __slots__ = ()
    _stype = "csr"
    _stype_id = 2

    @property
    def indptr(self):
        """A copy of the row pointers (int64, num_rows + 1 of them)."""
        return self._part("indptr")

    def __getitem__(self, key):
        """Rows: ``a[i]`` (one row, kept 2-D) or ``a[start:stop]`` (step 1)."""
        n = self.shape[0]
        if isinstance(key, (int, np.integer)):
            key = int(key) + n if key < 0 else int(key)
            if not 0 <= key < n:
                raise IndexError(f"index {key} is out of bounds for axis 0 with size {n}")
            return _op_fn("slice")(self, begin=(key,), end=(key + 1,))
        if isinstance(key, py_slice):
            if key.step is not None and key.step != 1:
                raise ValueError("CSRNDArray only supports continuous slicing on axis 0")
            if key.start is None and key.stop is None:
                return self
            begin, end, _ = key.indices(n)
            return _op_fn("slice")(self, begin=(begin,), end=(max(begin, end),))
        if isinstance(key, tuple):
            raise ValueError("Multi-dimension indexing is not supported")
        raise ValueError(f"Undefined behaviour for {key}")

    def asscipy(self):
        """A ``scipy.sparse.csr_matrix`` copy (needs SciPy)."""
        try:
            import scipy.sparse as spsp
        except ImportError:
            raise ImportError("scipy could not be imported. Please make sure that the "
                              "scipy is installed.") from None
        rec = self._to_record()
        return spsp.csr_matrix((rec.data, rec.indices, rec.indptr), shape=self.shape,
                               dtype=self.dtype)


class RowSparseNDArray(BaseSparseNDArray):
    """An array stored as a set of row slices: ``dense[indices[i]] = data[i]``, every
    other row zero (the usual form of embedding and sparse-dot gradients).

    Examples
    --------
    >>> a = mx.nd.array([[0, 0], [1, 2], [0, 0]]).tostype('row_sparse')
    >>> a.indices.asnumpy(), a.data.asnumpy()
    (array([1]), array([[1., 2.]], dtype=float32))
    """

    __slots__ = ()
    _stype = "row_sparse"
    _stype_id = 1

    def __getitem__(self, key):
        if isinstance(key, py_slice) and key == py_slice(None):
            return self
        if isinstance(key, tuple):
            raise ValueError("Multi-dimension indexing is not supported")
        raise MXNetError("RowSparseNDArray only supports [:] for __getitem__")

    def retain(self, *args, **kwargs):
        """``mx.nd.sparse.retain`` with this array as data."""
        return _op_fn("_sparse_retain")(self, *args, **kwargs)
