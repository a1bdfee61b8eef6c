"""Sparse NDArrays (ndarray/sparse*.py): storage, constructors, storage-type inference,
sparse kernels vs their dense results, autograd, save/load, kvstore and lazy updates."""
import pickle

import numpy as np
import pytest

import mixnet as mx
from mixnet.base import MXNetError
from mixnet.ndarray.sparse import CSRNDArray, RowSparseNDArray

DENSE = np.array([[0, 1, 0, 2], [0, 0, 0, 0], [3, 0, 4, 0]], dtype=np.float32)


def csr():
    return mx.nd.array(DENSE).tostype("csr")


def rsp():
    return mx.nd.array(DENSE).tostype("row_sparse")


# --- storage and constructors --------------------------------------------------------
def test_tostype_stores_the_compact_form():
    a, r = csr(), rsp()
    assert isinstance(a, CSRNDArray) and a.stype == "csr"
    np.testing.assert_array_equal(a.data.asnumpy(), [1, 2, 3, 4])
    np.testing.assert_array_equal(a.indices.asnumpy(), [1, 3, 0, 2])
    np.testing.assert_array_equal(a.indptr.asnumpy(), [0, 2, 2, 4])
    assert a.indices.dtype == np.int64 and a.indptr.dtype == np.int64
    assert isinstance(r, RowSparseNDArray) and r._num_aux == 1
    np.testing.assert_array_equal(r.indices.asnumpy(), [0, 2])
    np.testing.assert_array_equal(r.data.asnumpy(), DENSE[[0, 2]])
    for x in (a, r):
        np.testing.assert_array_equal(x.asnumpy(), DENSE)
        np.testing.assert_array_equal(x.tostype("default").asnumpy(), DENSE)
        assert x.tostype("default").stype == "default"


def test_constructors():
    a = mx.nd.sparse.csr_matrix(([1, 2, 3, 4], [1, 3, 0, 2], [0, 2, 2, 4]), shape=(3, 4))
    np.testing.assert_array_equal(a.asnumpy(), DENSE)
    assert a.dtype == np.float32
    r = mx.nd.sparse.row_sparse_array((DENSE[[0, 2]], [0, 2]), shape=(3, 4), dtype="float64")
    np.testing.assert_array_equal(r.asnumpy(), DENSE)
    assert r.dtype == np.float64
    assert mx.nd.sparse.row_sparse_array((DENSE[[0, 2]], [0, 2])).shape == (3, 4)
    z = mx.nd.zeros((2, 3), stype="row_sparse", dtype="int32", ctx=mx.cpu(1))
    assert z.stype == "row_sparse" and z.dtype == np.int32 and z.context == mx.cpu(1)
    assert mx.nd.sparse.zeros("csr", (2, 3)).asnumpy().sum() == 0
    assert mx.nd.empty((2, 3), stype="csr").stype == "csr"
    assert mx.nd.sparse.csr_matrix((2, 3)).shape == (2, 3)
    np.testing.assert_array_equal(mx.nd.sparse.csr_matrix(DENSE).asnumpy(), DENSE)
    with pytest.raises(ValueError):
        mx.nd.sparse.zeros("bad", (2, 2))
    with pytest.raises(ValueError):
        mx.nd.sparse.csr_matrix((2, 2), shape=(3, 2))
    with pytest.raises(ValueError):
        mx.nd.array([1, 2]).tostype("csr")
    with pytest.raises(ValueError):
        csr().tostype("row_sparse")


def test_scipy_round_trip():
    spsp = pytest.importorskip("scipy.sparse")
    m = spsp.csr_matrix((np.array([1., 2, 3]), np.array([2, 0, 0]), np.array([0, 2, 3])),
                        shape=(2, 3))   # unsorted, duplicate-free
    a = mx.nd.array(m)
    assert a.stype == "csr" and a.dtype == np.float64
    np.testing.assert_array_equal(a.indices.asnumpy(), [0, 2, 0])
    np.testing.assert_array_equal(a.asscipy().toarray(), m.toarray())


def test_check_format():
    csr().check_format()
    rsp().check_format()
    bad = mx.nd.sparse.csr_matrix(([7, 8, 9], [2, 1, 1], [0, 2, 2, 3]), shape=(3, 4))
    with pytest.raises(MXNetError, match="ascending"):
        bad.check_format()
    bad = mx.nd.sparse.row_sparse_array(([[1, 2], [3, 4]], [1, 4]), shape=(3, 2))
    with pytest.raises(MXNetError, match="num_rows"):
        bad.check_format()


def test_unsupported_views_raise():
    r = rsp()
    for fn in (lambda: r.reshape((4, 3)), lambda: r[1], lambda: csr()[0, 1]):
        with pytest.raises((MXNetError, ValueError)):
            fn()


# --- storage types of results and sparse kernels --------------------------------------
@pytest.mark.parametrize("expr, stype", [
    (lambda x: x * 2, "same"), (lambda x: x + 0, "same"), (lambda x: x + 1, "default"),
    (lambda x: -x, "same"), (lambda x: mx.nd.exp(x), "default"),
    (lambda x: mx.nd.sqrt(mx.nd.abs(x)), "same"), (lambda x: x > 0, "same"),
    (lambda x: x >= 0, "default"), (lambda x: x + x, "same"), (lambda x: x * x, "same"),
    (lambda x: x / x, "default"), (lambda x: mx.nd.zeros_like(x), "same"),
])
def test_result_storage_types_follow_mxnet(expr, stype):
    for x in (csr(), rsp()):
        out = expr(x)
        assert out.stype == (x.stype if stype == "same" else stype)
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(out.asnumpy(), expr(mx.nd.array(DENSE)).asnumpy())


def test_dot_kernels():
    w = np.arange(8, dtype=np.float32).reshape(4, 2)
    out = mx.nd.sparse.dot(csr(), mx.nd.array(w))
    assert out.stype == "default"
    np.testing.assert_allclose(out.asnumpy(), DENSE @ w)
    g = np.ones((3, 2), np.float32)
    out = mx.nd.dot(csr(), mx.nd.array(g), transpose_a=True)
    assert out.stype == "row_sparse"
    np.testing.assert_array_equal(out.indices.asnumpy(), [0, 1, 2, 3])
    np.testing.assert_allclose(out.asnumpy(), DENSE.T @ g)


def test_row_sparse_sum_retain_and_csr_reductions():
    r = rsp()
    other = mx.nd.sparse.row_sparse_array(([[1., 1, 1, 1]], [1]), shape=(3, 4))
    s = mx.nd.elemwise_add(r, other)
    assert s.stype == "row_sparse"
    np.testing.assert_array_equal(s.indices.asnumpy(), [0, 1, 2])
    np.testing.assert_allclose((r - other).asnumpy(), DENSE - other.asnumpy())
    np.testing.assert_allclose(mx.nd.add_n(r, r, other).asnumpy(),
                               2 * DENSE + other.asnumpy())
    kept = mx.nd.sparse.retain(r, mx.nd.array([2, 1]))
    assert kept.stype == "row_sparse"
    np.testing.assert_array_equal(kept.indices.asnumpy(), [2])
    for axis in (None, 0, 1):
        np.testing.assert_allclose(mx.nd.sum(csr(), axis=axis).asnumpy(),
                                   np.atleast_1d(DENSE.sum(axis=axis)))
    np.testing.assert_array_equal(mx.nd.contrib.getnnz(csr(), axis=1).asnumpy(), [2, 0, 2])


def test_csr_row_slices():
    a = csr()
    for key, rows in ((1, [1]), (-1, [2]), (slice(1, 3), [1, 2]), (slice(-2, None), [1, 2])):
        part = a[key]
        assert part.stype == "csr"
        np.testing.assert_array_equal(part.asnumpy(), DENSE[rows])
    cols = mx.nd.slice(a, begin=(0, 1), end=(2, 3))
    assert cols.stype == "csr"
    np.testing.assert_array_equal(cols.asnumpy(), DENSE[0:2, 1:3])


def test_dense_fallback_and_sparse_out():
    out = mx.nd.zeros((3, 4), stype="csr")
    mx.nd.broadcast_add(mx.nd.array(DENSE), mx.nd.ones((3, 4)), out=out)
    assert out.stype == "csr"
    np.testing.assert_allclose(out.asnumpy(), DENSE + 1)
    np.testing.assert_allclose(mx.nd.broadcast_add(csr(), rsp()).asnumpy(), 2 * DENSE)
    x = rsp()
    x += rsp()
    assert x.stype == "row_sparse"
    np.testing.assert_allclose(x.asnumpy(), 2 * DENSE)
    x[:] = 3
    np.testing.assert_allclose(x.asnumpy(), 3)


def test_copies_astype_and_contexts():
    a = csr()
    b = a.copyto(mx.cpu(1))
    assert b.stype == "csr" and b.context == mx.cpu(1)
    np.testing.assert_array_equal(b.asnumpy(), DENSE)
    c = a.astype("int32")
    assert c.stype == "csr" and c.dtype == np.int32 and a.astype("float32", copy=False) is a
    dense = mx.nd.zeros((3, 4))
    a.copyto(dense)
    np.testing.assert_array_equal(dense.asnumpy(), DENSE)
    with pytest.raises(TypeError):
        a.copyto(rsp())
    d = a.detach()
    assert d.stype == "csr" and d._entry is None


# --- autograd -------------------------------------------------------------------------
def test_attach_grad_storage_types():
    for stype in ("default", "csr", "row_sparse"):
        x = mx.nd.zeros((2, 2), stype=stype)
        x.attach_grad()
        assert x.grad.stype == stype
        x.attach_grad(stype="row_sparse")
        assert x.grad.stype == "row_sparse"


def test_gradient_of_dot_with_csr_is_row_sparse():
    w = mx.nd.ones((4, 2))
    w.attach_grad(stype="row_sparse")
    with mx.autograd.record():
        y = mx.nd.dot(csr(), w)
    y.backward()
    assert w.grad.stype == "row_sparse"
    np.testing.assert_allclose(w.grad.asnumpy(), DENSE.T @ np.ones((3, 2)))


def test_gradient_through_sparse_inputs():
    x = rsp()
    x.attach_grad()
    with mx.autograd.record():
        y = x * x + mx.nd.exp(x)
    y.backward()
    assert x.grad.stype == "row_sparse"
    np.testing.assert_allclose(x.grad.asnumpy(), 2 * DENSE + np.exp(DENSE), rtol=1e-6)


# --- serialization --------------------------------------------------------------------
def test_save_load_and_pickle(tmp_path):
    fname = str(tmp_path / "sp.params")
    mx.nd.save(fname, {"c": csr(), "r": rsp(), "d": mx.nd.array(DENSE)})
    loaded = mx.nd.load(fname)
    assert loaded["c"].stype == "csr" and loaded["r"].stype == "row_sparse"
    for v in loaded.values():
        np.testing.assert_array_equal(v.asnumpy(), DENSE)
    for x in (csr(), rsp()):
        y = pickle.loads(pickle.dumps(x))
        assert type(y) is type(x)
        np.testing.assert_array_equal(y.asnumpy(), DENSE)


# --- kvstore and optimizers --------------------------------------------------------------
def test_row_sparse_pull_returns_row_sparse():
    kv = mx.kv.create("local")
    kv.init("w", mx.nd.array(DENSE + 1).tostype("row_sparse"))
    out = mx.nd.sparse.zeros("row_sparse", (3, 4))
    kv.row_sparse_pull("w", out=out, row_ids=mx.nd.array([2, 0, 2]))
    assert isinstance(out, RowSparseNDArray)
    np.testing.assert_array_equal(out.indices.asnumpy(), [0, 2])
    expect = DENSE + 1
    expect[1] = 0
    np.testing.assert_allclose(out.asnumpy(), expect)


@pytest.mark.parametrize("w_stype", ["default", "row_sparse"])
def test_lazy_sgd_updates_only_gradient_rows(w_stype):
    w = mx.nd.ones((3, 2)).tostype(w_stype)
    mom = mx.nd.zeros((3, 2), stype=w_stype)
    g = mx.nd.sparse.row_sparse_array(([[1., 1]], [1]), shape=(3, 2))
    mx.nd.sgd_mom_update(w, g, mom, out=w, lr=0.5, momentum=0.9, wd=0.1)
    expect_w = np.ones((3, 2), np.float32)
    expect_w[1] = 1 + (-0.5 * 0.1 - 0.5)
    np.testing.assert_allclose(w.asnumpy(), expect_w, rtol=1e-6)
    assert w.stype == w_stype and mom.stype == w_stype
    np.testing.assert_allclose(mom.asnumpy()[[0, 2]], 0)
    # lazy_update=False: the standard update touches every row (weight decay)
    w = mx.nd.ones((3, 2)).tostype(w_stype)
    mx.nd.sgd_update(w, g, out=w, lr=0.5, wd=0.1, lazy_update=False)
    np.testing.assert_allclose(w.asnumpy()[0], 1 - 0.05, rtol=1e-6)


def test_sparse_state_of_a_dense_kernel_is_written_back():
    w = mx.nd.ones((2, 2)).tostype("csr")
    mom = mx.nd.zeros((2, 2), stype="csr")
    mx.nd.sgd_mom_update(w, mx.nd.ones((2, 2)).tostype("csr"), mom, out=w, lr=0.5,
                         momentum=0.9)
    assert mom.stype == "csr"
    np.testing.assert_allclose(mom.asnumpy(), -0.5)
    np.testing.assert_allclose(w.asnumpy(), 0.5)


def test_storage_type_constants():
    from mixnet.ndarray.ndarray import _STORAGE_TYPE_ID_TO_STR, _STORAGE_TYPE_STR_TO_ID
    assert _STORAGE_TYPE_STR_TO_ID == {"undefined": -1, "default": 0, "row_sparse": 1,
                                       "csr": 2}
    assert _STORAGE_TYPE_ID_TO_STR[2] == "csr"
