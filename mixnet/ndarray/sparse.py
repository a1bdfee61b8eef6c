"""``mx.nd.sparse``: sparse arrays (``CSRNDArray``, ``RowSparseNDArray``), their
constructors, and the ops MXNet exposes with sparse support.

Examples
--------
>>> a = mx.nd.sparse.csr_matrix(([1., 2.], [0, 2], [0, 1, 2]), shape=(2, 3))
>>> a.asnumpy()
array([[1., 0., 0.],
       [0., 0., 2.]], dtype=float32)
>>> mx.nd.sparse.dot(a, mx.nd.ones((3, 1))).asnumpy()
array([[1.],
       [2.]], dtype=float32)
"""
import numpy as np

from ..base import integer_types, numeric_types
from ..context import Context
from ..dtype import normalize
from ..ops import registry
from . import sparse_dispatch  # noqa: F401  (installs the sparse dispatch and kernels)
# MXNet's mxnet.ndarray.sparse exposes these names too
from .ndarray import NDArray, _STORAGE_AUX_TYPES, _STORAGE_TYPE_STR_TO_ID  # noqa: F401
from .ndarray import _STORAGE_TYPE_CSR, _STORAGE_TYPE_DEFAULT  # noqa: F401
from .ndarray import _STORAGE_TYPE_ROW_SPARSE, _STORAGE_TYPE_UNDEFINED  # noqa: F401
from .op import make_function
from .sparse_array import BaseSparseNDArray, CSRNDArray, RowSparseNDArray, ufunc
from .sparse_array import NotSupportedForSparseNDArray  # noqa: F401
from .sparse_array import zeros as _sparse_zeros

__all__ = [
    "BaseSparseNDArray",
    "CSRNDArray",
    "RowSparseNDArray",
    "add",
    "array",
    "csr_matrix",
    "divide",
    "empty",
    "multiply",
    "row_sparse_array",
    "subtract",
    "zeros",
]

try:
    import scipy.sparse as spsp
except ImportError:
    spsp = None


def _ctx(ctx):
    return Context.default_ctx if ctx is None else ctx


def _default_dtype(src, dtype):
    """MXNet's rule: the source's dtype for arrays (and scipy matrices), else float32."""
    if dtype is not None:
        return normalize(dtype)
    if isinstance(src, (NDArray, np.ndarray)) or _is_scipy_csr(src):
        return np.dtype(src.dtype)
    return np.dtype(np.float32)


def _is_scipy_csr(obj):
    return spsp is not None and isinstance(obj, (spsp.csr_matrix, getattr(spsp, "csr_array",
                                                                       spsp.csr_matrix)))


def _check_shape(s1, s2):
    if s1 and s2 and tuple(s1) != tuple(s2):
        raise ValueError(f"Shape mismatch detected. {tuple(s1)} v.s. {tuple(s2)}")


def _dense_array(src, dtype):
    from .creation import array as _array
    return _array(src, dtype=dtype)


def _from_dense(src, stype, shape, ctx, dtype):
    dtype = _default_dtype(src, dtype)
    dns = src.astype(dtype) if isinstance(src, NDArray) else _dense_array(src, dtype)
    if ctx is not None and dns.context != ctx:
        dns = dns.as_in_context(ctx)
    _check_shape(dns.shape, shape)
    return dns.tostype(stype)


def _is_shape(arg):
    return all(isinstance(d, integer_types) for d in arg)


def csr_matrix(arg1, shape=None, ctx=None, dtype=None):
    """A ``CSRNDArray`` from ``(data, indices, indptr)``, ``(data, (row, col))`` (COO),
    a shape ``(M, N)`` (all zeros), a dense array, a CSRNDArray or a scipy csr matrix."""
    if isinstance(arg1, tuple):
        if len(arg1) == 2 and isinstance(arg1[1], tuple) and len(arg1[1]) == 2:
            return _from_coo(arg1[0], arg1[1], shape, ctx, dtype)
        if len(arg1) == 2:
            _check_shape(arg1, shape)
            return empty("csr", arg1, ctx=ctx, dtype=dtype)
        if len(arg1) == 3:
            return _csr_from_definition(*arg1, shape=shape, ctx=ctx, dtype=dtype)
        raise ValueError(f"Unexpected length of input tuple: {len(arg1)}")
    if isinstance(arg1, CSRNDArray) or _is_scipy_csr(arg1):
        _check_shape(arg1.shape, shape)
        return array(arg1, ctx=ctx, dtype=dtype)
    if isinstance(arg1, RowSparseNDArray):
        raise ValueError("Unexpected input type: RowSparseNDArray")
    return _from_dense(arg1, "csr", shape, ctx, dtype)


def _from_coo(data, row_col, shape, ctx, dtype):
    if spsp is None:
        raise ImportError("scipy could not be imported. Please make sure that the scipy "
                          "is installed.")
    as_np = (lambda a: a.asnumpy() if isinstance(a, NDArray) else a)
    coo = spsp.coo_matrix((as_np(data), tuple(as_np(a) for a in row_col)), shape=shape)
    _check_shape(coo.shape, shape)
    return array(coo.tocsr(), ctx=ctx, dtype=dtype)


def _as_part(src, dtype, ctx):
    """A numpy copy of one part of a sparse definition."""
    if isinstance(src, NDArray):
        src = src.asnumpy()
    try:
        return np.array(src, dtype=dtype)
    except (TypeError, ValueError):
        raise TypeError("values must be array like object") from None


def _csr_from_definition(data, indices, indptr, shape=None, ctx=None, dtype=None):
    from .sparse_array import from_record
    dtype = _default_dtype(data, dtype)
    data = _as_part(data, dtype, ctx)
    indptr = _as_part(indptr, np.int64, ctx)
    indices = _as_part(indices, np.int64, ctx)
    if shape is None:
        if indices.shape[0] == 0:
            raise ValueError("invalid shape")
        shape = (len(indptr) - 1, int(indices.max()) + 1)
    if data.ndim != 1 or indptr.ndim != 1 or indices.ndim != 1 or \
            indptr.shape[0] == 0 or len(shape) != 2:
        raise ValueError("invalid shape")
    # the format is not checked here (MXNet's check_format does that on request)
    rec = _Unchecked("csr", tuple(int(d) for d in shape), data, indices, indptr)
    return from_record(rec, _ctx(ctx))


class _Unchecked:
    """A SparseArray-like record built from user parts that may be malformed."""

    def __init__(self, stype, shape, data, indices, indptr=None):
        self.stype, self.shape, self.data = stype, shape, data
        self.indices, self.indptr = indices, indptr


def row_sparse_array(arg1, shape=None, ctx=None, dtype=None):
    """A ``RowSparseNDArray`` from ``(data, indices)``, a shape (all zeros), a dense
    array or a RowSparseNDArray."""
    if isinstance(arg1, tuple):
        if len(arg1) < 2:
            raise ValueError(f"Unexpected length of input tuple: {len(arg1)}")
        if len(arg1) > 2 or _is_shape(arg1):
            _check_shape(arg1, shape)
            return empty("row_sparse", arg1, ctx=ctx, dtype=dtype)
        return _rsp_from_definition(arg1[0], arg1[1], shape=shape, ctx=ctx, dtype=dtype)
    if isinstance(arg1, RowSparseNDArray):
        _check_shape(arg1.shape, shape)
        return array(arg1, ctx=ctx, dtype=dtype)
    if isinstance(arg1, CSRNDArray):
        raise ValueError("Unexpected input type: CSRNDArray")
    return _from_dense(arg1, "row_sparse", shape, ctx, dtype)


def _rsp_from_definition(data, indices, shape=None, ctx=None, dtype=None):
    from .sparse_array import from_record
    dtype = _default_dtype(data, dtype)
    data = _as_part(data, dtype, ctx)
    indices = _as_part(indices, np.int64, ctx)
    if shape is None:
        if indices.shape[0] == 0:
            raise ValueError("invalid shape")
        shape = (int(indices[-1]) + 1,) + data.shape[1:]
    shape = tuple(int(d) for d in shape)
    if data.ndim != len(shape) or indices.ndim != 1 or np.prod(shape[1:]) == 0:
        raise ValueError("invalid shape")
    return from_record(_Unchecked("row_sparse", shape, data, indices), _ctx(ctx))


def zeros(stype, shape, ctx=None, dtype=None, **kwargs):
    """An all-zero array of storage type ``stype`` ('default', 'row_sparse', 'csr')."""
    if stype == "default":
        from .creation import zeros as _dense_zeros
        return _dense_zeros(shape, ctx=ctx, dtype=dtype, **kwargs)
    if stype not in ("row_sparse", "csr"):
        raise ValueError(f"unknown storage type {stype}")
    shape = (shape,) if isinstance(shape, integer_types) else tuple(shape)
    if stype == "csr" and len(shape) != 2:
        raise ValueError(f"a csr array is 2-D, got shape {shape}")
    return _sparse_zeros(stype, shape, _ctx(ctx), np.float32 if dtype is None else dtype)


def empty(stype, shape, ctx=None, dtype=None):
    """A new sparse array of ``stype`` (all zeros: a sparse array stores nothing yet)."""
    if stype not in ("csr", "row_sparse"):
        raise Exception(f"unknown stype : {stype}")
    return zeros(stype, shape, ctx=ctx, dtype=dtype)


def array(source_array, ctx=None, dtype=None):
    """A sparse array copied from a CSRNDArray, RowSparseNDArray or scipy csr matrix."""
    ctx = _ctx(ctx)
    if isinstance(source_array, NDArray):
        if source_array.stype == "default":
            raise ValueError("Please use `tostype` to create RowSparseNDArray or "
                             "CSRNDArray from an NDArray")
        dtype = _default_dtype(source_array, dtype)
        arr = empty(source_array.stype, source_array.shape, ctx=ctx, dtype=dtype)
        arr[:] = source_array
        return arr
    if _is_scipy_csr(source_array):
        csr = source_array.sorted_indices()
        csr.sum_duplicates()
        dtype = _default_dtype(source_array, dtype)
        return csr_matrix((csr.data, csr.indices, csr.indptr), shape=csr.shape, dtype=dtype,
                          ctx=ctx)
    if isinstance(source_array, (np.ndarray, np.generic)):
        raise ValueError(f"Please use mx.nd.array to create an NDArray with source_array "
                         f"of type {type(source_array)}")
    raise ValueError(f"Unexpected source_array type: {type(source_array)}")


def add(lhs, rhs):
    """Element-wise sum (``elemwise_add`` for equal shapes, with sparse results)."""
    return _ufunc(lhs, rhs, "elemwise_add", "broadcast_add", "_plus_scalar")


def subtract(lhs, rhs):
    """Element-wise difference (``elemwise_sub`` for equal shapes)."""
    # NOTE: as MXNet 1.9.1, ``subtract(number, array)`` computes ``array - number``
    return _ufunc(lhs, rhs, "elemwise_sub", "broadcast_sub", "_minus_scalar")


def multiply(lhs, rhs):
    """Element-wise product (``elemwise_mul`` for equal shapes)."""
    return _ufunc(lhs, rhs, "elemwise_mul", "broadcast_mul", "_mul_scalar")


def divide(lhs, rhs):
    """Element-wise division (``elemwise_div`` for equal shapes)."""
    # NOTE: as MXNet 1.9.1, ``divide(number, array)`` computes ``array / number``
    return _ufunc(lhs, rhs, "elemwise_div", "broadcast_div", "_div_scalar")


def _ufunc(lhs, rhs, elem, bcast, scalar):
    if isinstance(lhs, numeric_types) and isinstance(rhs, numeric_types):
        import operator
        return {"elemwise_add": operator.add, "elemwise_sub": operator.sub,
                "elemwise_mul": operator.mul, "elemwise_div": operator.truediv}[elem](lhs, rhs)
    return ufunc(lhs, rhs, elem, bcast, scalar)


# Ops MXNet lists in mx.nd.sparse (its ops with sparse kernels or sparse storage types).
_OPS = ["ElementWiseSum", "Embedding", "FullyConnected", "LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput", "_contrib_round_ste", "_contrib_sign_ste", "abs", "adam_update", "add_n", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "broadcast_add", "broadcast_div", "broadcast_minus", "broadcast_mul", "broadcast_plus", "broadcast_sub", "cast_storage", "cbrt", "ceil", "clip", "concat", "cos", "cosh", "degrees", "dot", "elemwise_add", "elemwise_div", "elemwise_mul", "elemwise_sub", "exp", "expm1", "fix", "floor", "ftrl_update", "gamma", "gammaln", "log", "log10", "log1p", "log2", "make_loss", "mean", "negative", "norm", "radians", "relu", "rint", "round", "rsqrt", "sgd_mom_update", "sgd_update", "sigmoid", "sign", "sin", "sinh", "slice", "sqrt", "square", "stop_gradient", "sum", "tan", "tanh", "trunc", "where", "zeros_like"]


def _namespace():
    out = {}
    for name in _OPS:
        op = registry.find(name)
        if op is not None:
            fn = make_function(op)
            fn.__name__ = fn.__qualname__ = name
            out[name] = fn
    for name, public in (("_sparse_retain", "retain"),
                         ("_sparse_adagrad_update", "adagrad_update")):
        fn = make_function(registry.get(name))
        fn.__name__ = fn.__qualname__ = public
        out[public] = fn
    return out


globals().update({k: v for k, v in _namespace().items() if k not in globals()})
