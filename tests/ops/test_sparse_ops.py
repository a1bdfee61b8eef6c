"""Sparse-family ops (ops/sparse_ops.py) on dense inputs: their dense meaning. Sparse
storage and kernels are tested in tests/ndarray/test_sparse.py."""
import numpy as np

import mixnet as mx

from .harness import Sample, parametrize, run_sample

ROWS = np.array([0, 2], dtype=np.float32)


def _retain(data, indices):
    out = np.zeros_like(data)
    out[indices.astype(int)] = data[indices.astype(int)]
    return out


def _adagrad(w, g, h, lr, epsilon=1e-7, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0):
    g = g * rescale_grad
    g = np.clip(g, -clip_gradient, clip_gradient) if clip_gradient >= 0 else g
    h = h + g * g
    return w - lr * (g / np.sqrt(h + epsilon) + wd * w)


def _mask(a, *rest):
    return (a != 0).sum(*rest)


SAMPLES = [
    Sample("cast_storage", [(3, 4)], {"stype": "default"}, ref=lambda x, stype: x),
    Sample("cast_storage", [(3, 4)], {"stype": "csr"}, ref=lambda x, stype: x, id="to-csr"),
    Sample("cast_storage", [(3, 2, 2)], {"stype": "row_sparse"}, ref=lambda x, stype: x,
           id="to-rsp"),
    Sample("_sparse_retain", [(4, 3), ROWS], ref=_retain, grad_inputs=[0],
           nd_fn="sparse.retain"),
    Sample("_sparse_adagrad_update", [(3, 2), (3, 2), (3, 2)],
           {"lr": 0.1, "rescale_grad": 0.5, "clip_gradient": 0.2}, low=0.1,
           ref=lambda w, g, h, **p: _adagrad(w, g, h, **p), nd_fn="sparse.adagrad_update"),
    Sample("_contrib_getnnz", [np.array([[0, 1, 2], [0, 0, 3]], np.float32)],
           ref=lambda a: np.array([3]), nd_fn="contrib.getnnz"),
    Sample("_contrib_getnnz", [np.array([[0, 1, 2], [0, 0, 3]], np.float32)], {"axis": 0},
           ref=lambda a, axis: _mask(a, 0), nd_fn="contrib.getnnz", id="getnnz-axis0"),
    Sample("_contrib_getnnz", [np.array([[0, 1, 2], [0, 0, 3]], np.float32)], {"axis": 1},
           ref=lambda a, axis: _mask(a, 1), nd_fn="contrib.getnnz", id="getnnz-axis1"),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_adagrad_update_writes_history():
    w, g, h = (mx.nd.ones((2, 2)) for _ in range(3))
    mx.nd.sparse.adagrad_update(w, g, h, out=w, lr=0.5)
    np.testing.assert_allclose(h.asnumpy(), 2.0)
    np.testing.assert_allclose(w.asnumpy(), 1 - 0.5 / np.sqrt(2 + 1e-7), rtol=1e-6)


def test_cast_storage_rejects_bad_arguments():
    x = mx.nd.ones((2, 2))
    for bad in ({"stype": "coo"}, {"stype": "csr", "bogus": 1}):
        try:
            mx.nd.cast_storage(x, **bad)
        except mx.base.MXNetError as err:
            assert "cast_storage" in str(err)
        else:
            raise AssertionError(f"cast_storage accepted {bad}")


def test_retain_needs_indices():
    try:
        mx.nd.sparse.retain(mx.nd.ones((2, 2)))
    except mx.base.MXNetError as err:
        assert "_sparse_retain" in str(err) and "indices" in str(err)
    else:
        raise AssertionError("retain without indices was accepted")
