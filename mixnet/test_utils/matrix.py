"""Matrix and large-tensor generators of ``mx.test_utils`` (linear algebra tests).

Part of the test-helper layer (12).
"""
import numpy as np

from .. import ndarray as nd

__all__ = ["new_matrix_with_real_eigvals_2d", "new_matrix_with_real_eigvals_nd",
           "new_orthonormal_matrix_2d", "new_sym_matrix_with_real_eigvals_2d",
           "new_sym_matrix_with_real_eigvals_nd", "create_2d_tensor", "create_vector",
           "get_identity_mat", "get_identity_mat_batch"]


def new_matrix_with_real_eigvals_2d(n):
    """A well-conditioned n x n matrix with real eigenvalues in [-10, 10]."""
    while True:
        # a Householder reflection times a diagonal: condition number < 3 wanted
        v = np.random.uniform(-1., 1., n).reshape(n, 1)
        v = v / np.linalg.norm(v, axis=-2, keepdims=True)
        q = np.matmul(np.eye(n) - 2 * np.matmul(v, v.T),
                      np.diag(np.random.uniform(-1.0, 1.0, n)))
        if np.linalg.cond(q, 2) < 3:
            break
    d = np.diag(np.random.uniform(-10.0, 10.0, n))
    return np.matmul(np.matmul(np.linalg.inv(q), d), q)


def new_matrix_with_real_eigvals_nd(shape):
    """A batch of ``new_matrix_with_real_eigvals_2d`` matrices of ``shape``."""
    n = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.array([new_matrix_with_real_eigvals_2d(shape[-1]) for _ in range(n)]) \
        .reshape(shape)


def new_orthonormal_matrix_2d(n):
    """A random n x n orthonormal matrix."""
    x = np.random.randn(n, n)
    return np.linalg.qr(np.matmul(x.T, x))[0]


def new_sym_matrix_with_real_eigvals_2d(n):
    """A random symmetric n x n matrix with eigenvalues in [-10, 10]."""
    q = new_orthonormal_matrix_2d(n)
    d = np.diag(np.random.uniform(-10.0, 10.0, n))
    return np.matmul(np.matmul(q.T, d), q)


def new_sym_matrix_with_real_eigvals_nd(shape):
    """A batch of ``new_sym_matrix_with_real_eigvals_2d`` matrices of ``shape``."""
    n = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.array([new_sym_matrix_with_real_eigvals_2d(shape[-1]) for _ in range(n)]) \
        .reshape(shape)


def create_2d_tensor(rows, columns, dtype=np.int64):
    """NDArray (rows, columns) whose row i is all i (large-tensor tests)."""
    a = nd.arange(0, rows, dtype=dtype).reshape(rows, 1)
    return nd.broadcast_to(a, shape=(a.shape[0], columns))


def create_vector(size, dtype=np.int64):
    """NDArray [0, 1, ..., size - 1] (large-vector tests)."""
    return nd.arange(0, size, dtype=dtype)


def get_identity_mat(size):
    """A size x size identity NDArray, built element by element (large-tensor tests)."""
    a = nd.zeros((size, size))
    for i in range(size):
        a[i, i] = 1
    return a


def get_identity_mat_batch(size):
    """A (2, size, size) batch of identity NDArrays."""
    a_np = get_identity_mat(size).asnumpy()
    return nd.array([a_np, a_np])
