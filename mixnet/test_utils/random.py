"""Random test data of ``mx.test_utils``: shapes, NumPy arrays and NDArrays.

Part of the test-helper layer (12): may import any mixnet module. All randomness comes
from NumPy's global generator, as in MXNet, so tests seeded with ``np.random.seed``
(common.py's ``with_seed``) are reproducible.
"""
import numpy as np
import numpy.random as rnd

from ..base import MXNetError
from ..context import Context
from .. import ndarray as nd

__all__ = ["default_dtype", "random_arrays", "random_uniform_arrays", "random_sample",
           "rand_shape_2d", "rand_shape_3d", "rand_shape_nd", "rand_coord_2d",
           "rand_ndarray", "rand_sparse_ndarray", "create_sparse_array",
           "create_sparse_array_zd", "shuffle_csr_column_indices", "assign_each",
           "assign_each2", "SparseNotSupportedError"]


class SparseNotSupportedError(MXNetError, NotImplementedError):
    """A sparse storage type ('csr', 'row_sparse') was asked for; mixnet has none yet."""


def default_dtype():
    """Default data type of the test helpers (float32)."""
    return np.float32


def random_arrays(*shapes):
    """One standard-normal float32 NumPy array per shape (a single array for one shape)."""
    arrays = [np.array(np.random.randn(), dtype=default_dtype()) if len(s) == 0
              else np.random.randn(*s).astype(default_dtype()) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes, low=0.0, high=1.0, dtype=None):
    """A list of uniform [low, high) NumPy arrays, one per shape."""
    dtype = default_dtype() if dtype is None else dtype
    return [np.random.uniform(low, high, size=s).astype(dtype) for s in shapes]


def random_sample(population, k):
    """``k`` distinct elements of the list ``population`` in random order."""
    if not 0 <= k <= len(population):
        raise ValueError(f"random_sample: k={k} not in [0, {len(population)}]")
    population_copy = population[:]
    np.random.shuffle(population_copy)
    return population_copy[0:k]


def rand_shape_2d(dim0=10, dim1=10, allow_zero_size=False):
    """A random 2-d shape with dims in [1, dim] (or [0, dim] with allow_zero_size)."""
    low = 0 if allow_zero_size else 1
    return rnd.randint(low, dim0 + 1), rnd.randint(low, dim1 + 1)


def rand_shape_3d(dim0=10, dim1=10, dim2=10, allow_zero_size=False):
    """A random 3-d shape with dims in [1, dim] (or [0, dim] with allow_zero_size)."""
    low = 0 if allow_zero_size else 1
    return rnd.randint(low, dim0 + 1), rnd.randint(low, dim1 + 1), rnd.randint(low, dim2 + 1)


def rand_shape_nd(num_dim, dim=10, allow_zero_size=False):
    """A random ``num_dim``-d shape with dims in [1, dim] (or [0, dim])."""
    low = 0 if allow_zero_size else 1
    return tuple(rnd.randint(low, dim + 1, size=num_dim))


def rand_coord_2d(x_low, x_high, y_low, y_high):
    """A random int64 coordinate (x, y) with x in [x_low, x_high), y in [y_low, y_high)."""
    x = np.random.randint(x_low, x_high, dtype=np.int64)
    y = np.random.randint(y_low, y_high, dtype=np.int64)
    return x, y


def rand_ndarray(shape, stype='default', density=None, dtype=None, modifier_func=None,
                 shuffle_csr_indices=False, distribution=None, ctx=None):
    """A random NDArray (standard normal for dense storage).

    Examples
    --------
    >>> rand_ndarray((2, 3)).shape
    (2, 3)
    """
    ctx = ctx if ctx else Context.default_ctx
    if stype == 'default':
        return nd.array(random_arrays(shape), dtype=dtype, ctx=ctx)
    arr, _ = rand_sparse_ndarray(shape, stype, density=density, modifier_func=modifier_func,
                                 dtype=dtype, shuffle_csr_indices=shuffle_csr_indices,
                                 distribution=distribution, ctx=ctx)
    return arr


def _sparse_module(stype):
    sparse = getattr(nd, "sparse", None)
    if sparse is None:
        raise SparseNotSupportedError(
            f"storage type {stype!r} is not supported: mixnet has no sparse NDArray "
            "(mx.nd.sparse) yet; use stype='default'")
    return sparse


def rand_sparse_ndarray(shape, stype, density=None, dtype=None, distribution=None,
                        data_init=None, rsp_indices=None, modifier_func=None,
                        shuffle_csr_indices=False, ctx=None):
    """A random sparse NDArray and its NumPy parts: (arr, (values, indices)) for
    'row_sparse', (arr, (indptr, indices, data)) for 'csr'. Needs ``mx.nd.sparse``."""
    if stype not in ('row_sparse', 'csr'):
        raise AssertionError(f"unknown storage type {stype!r}")
    sparse = _sparse_module(stype)
    ctx = ctx if ctx else Context.default_ctx
    density = rnd.rand() if density is None else density
    dtype = default_dtype() if dtype is None else dtype
    distribution = "uniform" if distribution is None else distribution
    if stype == 'row_sparse':
        return _rand_row_sparse(sparse, shape, density, dtype, distribution, data_init,
                                rsp_indices, modifier_func, ctx)
    if len(shape) != 2:
        raise AssertionError(f"csr arrays are 2-d, got shape {shape}")
    if distribution == "uniform":
        csr = _uniform_csr(sparse, shape, density, dtype, data_init, shuffle_csr_indices)
    elif distribution == "powerlaw":
        csr = nd.array(_powerlaw_dense(shape[0], shape[1], density, dtype)).tostype("csr")
    else:
        raise AssertionError(f"Distribution not supported: {distribution}")
    csr = csr.as_in_context(ctx)
    return csr, (csr.indptr, csr.indices, csr.data)


def _rand_row_sparse(sparse, shape, density, dtype, distribution, data_init, rsp_indices,
                     modifier_func, ctx):
    if distribution != "uniform":
        raise AssertionError(f"Distribution {distribution} not supported for row_sparse")
    indices = rsp_indices if rsp_indices is not None else \
        np.argwhere(rnd.rand(shape[0]) < density).flatten()
    if indices.shape[0] == 0:
        result = nd.zeros(shape, stype='row_sparse', dtype=dtype, ctx=ctx)
        return result, (np.array([], dtype=dtype), np.array([]))
    val = rnd.rand(indices.shape[0], *shape[1:]).astype(dtype)
    if data_init is not None:
        val.fill(data_init)
    if modifier_func is not None:
        val = assign_each(val, modifier_func)
    arr = sparse.row_sparse_array((val, indices), shape=shape, dtype=dtype, ctx=ctx)
    return arr, (val, indices)


def _uniform_csr(sparse, shape, density, dtype, data_init, shuffle):
    from scipy import sparse as spsp  # scipy is a test dependency, as in MXNet
    num_rows, num_cols = shape
    _check_csr_inputs(num_rows, num_cols, density)
    csr = spsp.rand(num_rows, num_cols, density, dtype=dtype, format="csr")
    if data_init is not None:
        csr.data.fill(data_init)
    if shuffle:
        shuffle_csr_column_indices(csr)
    return sparse.csr_matrix((csr.data, csr.indices, csr.indptr), shape=shape, dtype=dtype)


def _check_csr_inputs(num_rows, num_cols, density, distribution="uniform"):
    if density < 0 or density > 1:
        raise ValueError("density has to be between 0 and 1")
    if num_rows <= 0 or num_cols <= 0:
        raise ValueError("num_rows or num_cols should be greater than 0")
    if distribution == "powerlaw" and int(num_rows * num_cols * density) < 2 * num_rows:
        raise ValueError(f"not supported for this density: {density} for this shape "
                         f"({num_rows}, {num_cols}) Please keep : "
                         "num_rows * num_cols * density >= 2 * num_rows")


def _powerlaw_dense(num_rows, num_cols, density, dtype):
    """Dense matrix whose row i holds about 2**i non-zeros (each row at least one)."""
    _check_csr_inputs(num_rows, num_cols, density, "powerlaw")
    unused = int(num_rows * num_cols * density)
    out = np.zeros((num_rows, num_cols), dtype=dtype)
    for row in range(num_rows):
        out[row][0] = 1 + rnd.uniform(0.001, 2)
        unused -= 1
        if unused <= 0:
            return out
    col_max = 2
    for row in range(num_rows):
        col_limit = min(num_cols, col_max)
        if col_limit == num_cols and unused > col_limit:
            out[row] = 1 + rnd.uniform(0.001, 2)
            unused = unused - col_limit + 1
            if unused <= 0:
                return out
            continue
        for col in range(1, col_limit):
            out[row][col] = 1 + rnd.uniform(0.001, 2)
            unused -= 1
            if unused <= 0:
                return out
        col_max *= 2
    if unused > 0:
        raise ValueError(f"not supported for this density: {density} for this shape "
                         f"({num_rows},{num_cols})")
    return out


def shuffle_csr_column_indices(csr):
    """Shuffle the column indices within each row of a scipy/NumPy CSR structure."""
    for i in range(len(csr.indptr) - 1):
        start, end = csr.indptr[i], csr.indptr[i + 1]
        sublist = np.array(csr.indices[start:end])
        np.random.shuffle(sublist)
        csr.indices[start:end] = sublist


def create_sparse_array(shape, stype, data_init=None, rsp_indices=None, dtype=None,
                        modifier_func=None, density=.5, shuffle_csr_indices=False):
    """A random sparse array; row_sparse indices are sorted (canonical)."""
    if stype == 'row_sparse':
        indices = None if rsp_indices is None else np.sort(np.asarray(rsp_indices))
        arr, _ = rand_sparse_ndarray(shape, stype, density=density, data_init=data_init,
                                     rsp_indices=indices, dtype=dtype,
                                     modifier_func=modifier_func)
    elif stype == 'csr':
        arr, _ = rand_sparse_ndarray(shape, stype, density=density, data_init=data_init,
                                     dtype=dtype, modifier_func=modifier_func,
                                     shuffle_csr_indices=shuffle_csr_indices)
    else:
        raise AssertionError("Unknown storage type: " + stype)
    return arr


def create_sparse_array_zd(shape, stype, density, data_init=None, rsp_indices=None,
                           dtype=None, modifier_func=None, shuffle_csr_indices=False):
    """``create_sparse_array`` where row_sparse density comes from ``rsp_indices`` only."""
    if stype == 'row_sparse':
        density = 0.0
        if rsp_indices is not None and len(rsp_indices) > shape[0]:
            raise AssertionError(f"{len(rsp_indices)} row indices for {shape[0]} rows")
    return create_sparse_array(shape, stype, data_init=data_init, rsp_indices=rsp_indices,
                               dtype=dtype, modifier_func=modifier_func, density=density,
                               shuffle_csr_indices=shuffle_csr_indices)


def assign_each(the_input, function):
    """``function`` applied to every element (float64 result); a copy when None."""
    if function is None:
        return np.array(the_input)
    return np.vectorize(function, otypes=[np.float64])(the_input).reshape(the_input.shape)


def assign_each2(input1, input2, function):
    """``function(x, y)`` over paired elements (float64 result); a copy of input1 when None."""
    if function is None:
        return np.array(input1)
    if input1.shape != input2.shape:
        raise AssertionError(f"shapes differ: {input1.shape} vs {input2.shape}")
    return np.vectorize(function, otypes=[np.float64])(input1, input2).reshape(input1.shape)
