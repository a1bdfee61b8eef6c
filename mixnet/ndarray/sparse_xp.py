"""Sparse storage on raw ``xp`` arrays (NumPy or CuPy): the stored form and its kernels.

A sparse NDArray's chunk holds a ``SparseData``: ``data`` plus MXNet's aux arrays,
``indices`` (int64) and, for csr, ``indptr`` (int64). Everything here is written once
over ``xp`` and knows nothing of NDArray or the engine.
"""
import numpy as np

try:   # optional: SciPy's csr products are much faster than the generic scatter-add
    import scipy.sparse as _spsp
except ImportError:
    _spsp = None

__all__ = [
    "SparseData",
    "cast",
    "csr_dot",
    "csr_rows",
    "csr_sum",
    "empty",
    "from_dense",
    "rsp_add",
    "rsp_of_rows",
    "rsp_retain",
    "to_dense",
]

_IDX = np.int64


class SparseData:
    """The stored form of a csr (``indptr`` set) or row_sparse (``indptr`` None) array."""

    __slots__ = ("data", "indices", "indptr")

    def __init__(self, data, indices, indptr=None):
        self.data = data
        self.indices = indices
        self.indptr = indptr


def empty(xp, stype, shape, dtype):
    """The stored form of an all-zero array."""
    if stype == "csr":
        return SparseData(xp.zeros((0,), dtype), xp.zeros((0,), _IDX),
                          xp.zeros((shape[0] + 1,), _IDX))
    return SparseData(xp.zeros((0,) + tuple(shape[1:]), dtype), xp.zeros((0,), _IDX))


def from_dense(xp, stype, dense):
    """The compact stored form of a dense array (zeros, or all-zero rows, dropped)."""
    if stype == "csr":
        mask = dense != 0
        indptr = xp.zeros((dense.shape[0] + 1,), _IDX)
        xp.cumsum(mask.sum(axis=1), out=indptr[1:])
        rows, cols = xp.nonzero(mask)
        return SparseData(dense[rows, cols], cols.astype(_IDX), indptr)
    if dense.size == 0:
        rows = xp.zeros((0,), _IDX)
    else:
        flat = dense.reshape(dense.shape[0], -1)
        rows = xp.nonzero((flat != 0).any(axis=1))[0].astype(_IDX)
    return SparseData(dense[rows], rows)


def csr_row_ids(xp, sp):
    """The row of each stored csr element."""
    counts = sp.indptr[1:] - sp.indptr[:-1]
    return xp.repeat(xp.arange(counts.shape[0], dtype=_IDX), counts)


def to_dense(xp, sp, shape, dtype):
    """The dense array a stored form represents."""
    out = xp.zeros(shape, dtype)
    if sp.indptr is not None:
        out[csr_row_ids(xp, sp), sp.indices] = sp.data
    elif sp.indices.shape[0]:
        out[sp.indices] = sp.data
    return out


def cast(sp, dtype):
    """``sp`` with its data cast to ``dtype`` (the aux arrays are shared)."""
    data = sp.data if sp.data.dtype == dtype else sp.data.astype(dtype)
    return SparseData(data, sp.indices, sp.indptr)


def copy(sp):
    return SparseData(sp.data.copy(), sp.indices.copy(),
                      None if sp.indptr is None else sp.indptr.copy())


def csr_rows(sp, begin, end):
    """Rows ``begin:end`` of a csr matrix (a compact copy)."""
    lo, hi = int(sp.indptr[begin]), int(sp.indptr[end])
    return SparseData(sp.data[lo:hi].copy(), sp.indices[lo:hi].copy(),
                      sp.indptr[begin:end + 1] - lo)


def _scatter_add(xp, out, rows, values):
    """``out[rows] += values`` with repeated ``rows`` accumulating."""
    at = getattr(xp.add, "at", None)
    if at is None:   # CuPy before ufunc.at
        import cupyx
        cupyx.scatter_add(out, rows, values)
    else:
        at(out, rows, values)


def _scipy_dot(sp, shape, dense2, transpose):
    a = _spsp.csr_matrix((sp.data, sp.indices, sp.indptr), shape=shape)
    if not transpose:
        return np.asarray(a @ dense2), None
    cols = np.unique(sp.indices)
    return np.asarray(a.T.tocsr()[cols] @ dense2), cols


def csr_dot(xp, sp, shape, dense, transpose):
    """``csr @ dense`` (a dense result) or ``csr.T @ dense`` (a row_sparse result)."""
    dense2 = dense.reshape(dense.shape[0], -1)
    if xp is np and _spsp is not None:
        out, cols = _scipy_dot(sp, shape, dense2, transpose)
        if cols is None:
            return out.reshape((shape[0],) + dense.shape[1:])
        return SparseData(out.reshape((cols.shape[0],) + dense.shape[1:]), cols.astype(_IDX))
    rows = csr_row_ids(xp, sp)
    if not transpose:
        out = xp.zeros((shape[0], dense2.shape[1]), dense.dtype)
        _scatter_add(xp, out, rows, sp.data[:, None] * dense2[sp.indices])
        return out.reshape((shape[0],) + dense.shape[1:])
    cols = xp.unique(sp.indices)
    out = xp.zeros((cols.shape[0], dense2.shape[1]), dense.dtype)
    _scatter_add(xp, out, xp.searchsorted(cols, sp.indices),
                 sp.data[:, None] * dense2[rows])
    return SparseData(out.reshape((cols.shape[0],) + dense.shape[1:]), cols.astype(_IDX))


def rsp_add(xp, parts, signs):
    """The row_sparse sum of row_sparse ``parts``, each scaled by +1/-1 in ``signs``."""
    rows = xp.unique(xp.concatenate([p.indices for p in parts])).astype(_IDX)
    out = xp.zeros((rows.shape[0],) + parts[0].data.shape[1:], parts[0].data.dtype)
    for p, s in zip(parts, signs):
        pos = xp.searchsorted(rows, p.indices)
        out[pos] = out[pos] + p.data if s > 0 else out[pos] - p.data
    return SparseData(out, rows)


def rsp_retain(xp, sp, row_ids):
    """The rows of ``sp`` whose ids are in ``row_ids``."""
    keep = xp.isin(sp.indices, row_ids.astype(_IDX))
    return SparseData(sp.data[keep], sp.indices[keep])


def rsp_of_rows(xp, dense, row_ids):
    """The row_sparse array holding rows ``row_ids`` of ``dense`` (zero rows kept)."""
    rows = xp.unique(row_ids.astype(_IDX))
    return SparseData(dense[rows], rows)


def csr_sum(xp, sp, shape, axis):
    """Sum of a csr matrix over ``axis`` (0, 1 or None) as a dense 1-d array."""
    if axis is None:
        return sp.data.sum(dtype=sp.data.dtype).reshape(1)
    if axis == 0:
        ids, n = sp.indices, shape[1]
    else:
        ids, n = csr_row_ids(xp, sp), shape[0]
    out = xp.zeros((n,), sp.data.dtype)
    _scatter_add(xp, out, ids, sp.data)
    return out


def check(xp, stype, sp, shape):
    """The first format violation of ``sp`` as a message, or None (MXNet's check_format)."""
    idx = sp.indices
    if stype == "csr":
        ptr = sp.indptr
        if ptr.shape[0] != shape[0] + 1:
            return "csr indptr must have num_rows + 1 elements"
        if int(ptr[0]) != 0 or bool((ptr[1:] < ptr[:-1]).any()):
            return "csr indptr must start at 0 and be non-decreasing"
        if int(ptr[-1]) != idx.shape[0] or idx.shape[0] != sp.data.shape[0]:
            return "csr indptr must end with the number of stored elements"
        if idx.shape[0] and (bool((idx < 0).any()) or bool((idx >= shape[1]).any())):
            return "csr indices must be in [0, num_cols)"
        rows = csr_row_ids(xp, sp)
        if idx.shape[0] > 1 and bool(((idx[1:] <= idx[:-1]) & (rows[1:] == rows[:-1])).any()):
            return "csr indices must be sorted in ascending order within each row"
        return None
    if idx.shape[0] and (bool((idx < 0).any()) or bool((idx >= shape[0]).any())):
        return "row_sparse indices must be in [0, num_rows)"
    if idx.shape[0] > 1 and bool((idx[1:] <= idx[:-1]).any()):
        return "row_sparse indices must be unique and in ascending order"
    return None
