import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample


def _order(x, axis, is_ascend):
    """Stable order; descending keeps equal elements in input order (as MXNet)."""
    if axis is None:
        x, axis = x.reshape(-1), 0
    key = x if is_ascend else -x
    return x, axis, np.argsort(key, axis=axis, kind="stable")


def sort_ref(x, axis=-1, is_ascend=True):
    x, axis, order = _order(x, axis, is_ascend)
    return np.take_along_axis(x, order, axis)


def argsort_ref(x, axis=-1, is_ascend=True, dtype="float32"):
    return _order(x, axis, is_ascend)[2].astype(dtype)


def topk_ref(x, axis=-1, k=1, ret_typ="indices", is_ascend=False, dtype="float32"):
    flat, ax, order = _order(x, axis, is_ascend)
    k = k if k >= 1 else flat.shape[ax]
    order = np.take(order, np.arange(k), axis=ax)
    values = np.take_along_axis(flat, order, ax)
    if ret_typ == "mask":
        mask = np.zeros_like(flat)
        np.put_along_axis(mask, order, 1, ax)
        return mask.reshape(x.shape)
    return {"indices": order.astype(dtype), "value": values,
            "both": (values, order.astype(dtype))}[ret_typ]


def scatter_ref(g, idx, x, axis=-1):
    out = np.zeros(x.shape if axis is not None else (x.size,), dtype=g.dtype)
    np.put_along_axis(out, idx, g, axis if axis is not None else 0)
    return out.reshape(x.shape)


IDX = np.array([[2, 0], [1, 2]], dtype=np.int64)

SAMPLES = [
    Sample("sort", [(3, 4)], ref=sort_ref),
    Sample("sort", [(3, 4, 2)], {"axis": 1, "is_ascend": False}, ref=sort_ref),
    Sample("sort", [(2, 3)], {"axis": None}, ref=sort_ref),
    Sample("argsort", [(3, 4)], ref=argsort_ref),
    Sample("argsort", [(3, 4)], {"axis": 0, "is_ascend": False, "dtype": "int32"},
           ref=argsort_ref),
    Sample("argsort", [(2, 3)], {"axis": None}, ref=argsort_ref),
    Sample("topk", [(3, 4)], ref=topk_ref),
    Sample("topk", [(3, 4)], {"k": 2, "ret_typ": "value"}, ref=topk_ref),
    Sample("topk", [(3, 4, 2)], {"axis": 1, "k": 2, "ret_typ": "both", "is_ascend": True},
           ref=topk_ref),
    Sample("topk", [(3, 4)], {"axis": 0, "k": 2, "ret_typ": "mask"}, ref=topk_ref),
    Sample("topk", [(2, 3)], {"axis": None, "k": 3, "ret_typ": "value"}, ref=topk_ref),
    Sample("topk", [(2, 3)], {"axis": None, "k": 2, "ret_typ": "mask"}, ref=topk_ref),
    Sample("topk", [(2, 3)], {"k": 0, "dtype": "int64"}, ref=topk_ref),
    Sample("_backward_topk", [(2, 2), IDX, (2, 3)], ref=scatter_ref, grad_inputs=[0]),
    Sample("_backward_topk", [(3,), np.array([4, 0, 1]), (2, 3)], {"axis": None},
           ref=scatter_ref, grad_inputs=[0]),
    Sample("_topk_gather", [(2, 3), IDX],
           ref=lambda x, i: np.take_along_axis(x, i, -1), grad_inputs=[0]),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_descending_ties_keep_input_order():
    x = mx.nd.array([1, 1, 1, 2, 2])
    # values from MXNet 1.9.1
    assert mx.nd.topk(x, k=3).asnumpy().tolist() == [3, 4, 0]
    assert mx.nd.topk(x, k=3, is_ascend=True).asnumpy().tolist() == [0, 1, 2]
    assert mx.nd.argsort(x, is_ascend=False).asnumpy().tolist() == [3, 4, 0, 1, 2]
    assert mx.nd.topk(x, k=3, ret_typ="mask").asnumpy().tolist() == [1, 0, 0, 1, 1]


def test_nan_sorts_last():
    x = mx.nd.array([[1, np.nan, 0]])
    assert mx.nd.argsort(x).asnumpy().tolist() == [[2, 0, 1]]


def test_dtypes():
    x = mx.nd.array([[3, 1, 2]], dtype="int32")
    assert mx.nd.sort(x).dtype == np.int32
    assert mx.nd.argsort(x).dtype == np.float32
    assert mx.nd.topk(x, ret_typ="mask").dtype == np.int32
    v, i = mx.nd.topk(x, k=2, ret_typ="both", dtype="uint8")
    assert (v.dtype, i.dtype) == (np.int32, np.uint8)


def test_topk_value_gradient_on_integers():
    a = mx.nd.array(np.arange(20), dtype="int32")
    a.attach_grad()
    with mx.autograd.record():
        b = mx.nd.topk(a, k=3, ret_typ="value")
    b.backward(mx.nd.array([5, 6, 7], dtype="int32"))
    assert a.grad.asnumpy()[-3:].tolist() == [7, 6, 5]
    assert a.grad.dtype == np.int32


def test_indices_have_no_gradient():
    x = mx.nd.array([[3, 1, 2]])
    for fn in (lambda x: mx.nd.argsort(x), lambda x: mx.nd.topk(x, k=2),
               lambda x: mx.nd.topk(x, k=2, ret_typ="mask")):
        x.attach_grad()
        with mx.autograd.record():
            y = fn(x)
        y.backward()
        assert not x.grad.asnumpy().any()


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.sort(x, axis=2), ["sort", "Invalid axis", "axis=2"]),
    (lambda x: mx.nd.argsort(x, axis=-3), ["argsort", "Invalid axis"]),
    (lambda x: mx.nd.topk(x, k=5), ["topk", "k must be smaller than 3, get k = 5"]),
    (lambda x: mx.nd.topk(x, ret_typ="all"), ["topk", "ret_typ", "all"]),
    (lambda x: mx.nd.argsort(x, dtype="int8"), ["argsort", "dtype"]),
])
def test_errors_name_the_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((2, 3)))
    for w in words:
        assert w in str(info.value)
