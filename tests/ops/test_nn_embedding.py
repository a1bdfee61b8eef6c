import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample

IDX = np.array([[0, 3, 1], [3, 3, 2]], dtype=np.int32)


def embedding_ref(data, weight, input_dim, output_dim, **_):
    return weight[np.clip(data.astype(np.int64), 0, input_dim - 1)]


def backward_ref(ograd, data, input_dim, output_dim, **_):
    out = np.zeros((input_dim, output_dim), ograd.dtype)
    np.add.at(out, data.reshape(-1).astype(np.int64), ograd.reshape(-1, output_dim))
    return out


P = {"input_dim": 4, "output_dim": 2}

SAMPLES = [
    Sample("Embedding", [IDX, (4, 2)], P, ref=embedding_ref, grad_inputs=[1]),
    Sample("Embedding", [np.array([5, -1, 2], np.int64), (4, 3)],
           {"input_dim": 4, "output_dim": 3}, ref=embedding_ref, grad_inputs=[1]),
    Sample("_backward_Embedding", [(2, 3, 2), IDX], P, ref=backward_ref, grad_inputs=[0]),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_indices_truncated_and_clipped_as_mxnet():
    w = mx.nd.array(np.arange(40).reshape(10, 4))
    out = mx.nd.Embedding(mx.nd.array([0.6, 1.5, 2.5, -0.5, -1.2, 12]), w, input_dim=10,
                          output_dim=4)
    # MXNet 1.9.1 reads rows 0, 1, 2, 0, 0, 9
    np.testing.assert_array_equal(out.asnumpy()[:, 0], [0, 4, 8, 0, 0, 36])


def test_weight_gradient_is_scatter_add_and_data_gets_none():
    data = mx.nd.array(IDX, dtype="int32")
    w = mx.nd.ones((4, 2))
    w.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Embedding(data, w, **P)
    y.backward(mx.nd.ones((2, 3, 2)))
    np.testing.assert_array_equal(w.grad.asnumpy()[:, 0], [1, 1, 1, 3])


def test_inference_fills_weight_and_types():
    op = registry.get("Embedding")
    p = op.make_params(P)
    shapes = [(2, 3), None]
    assert op.infer_shape(p, shapes) == [(2, 3, 2)] and shapes[1] == (4, 2)
    types = [np.dtype(np.int32), None]
    assert op.infer_type(p, types) == [np.float32] and types[1] == np.float32
    p64 = op.make_params(dict(P, dtype="float64"))
    assert op.infer_type(p64, [np.dtype(np.float32), None]) == [np.float64]
    assert op.infer_type(p, [np.dtype(np.float32), np.dtype(np.float64)]) == [np.float64]
    with pytest.raises(mx.base.MXNetError, match="First input"):
        op.infer_type(p, [None, None])


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.Embedding(x, mx.nd.ones((5, 2)), **P),
     ["Embedding", "Provided = [5,2], inferred shape=[4,2]"]),
    (lambda x: mx.nd.Embedding(x, mx.nd.ones((4, 2)), input_dim=4),
     ["Embedding", "output_dim"]),
    (lambda x: mx.nd.Embedding(x, mx.nd.ones((4, 2)), dtype="bool", **P),
     ["Embedding", "dtype"]),
])
def test_errors(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.array([1, 2]))
    for w in words:
        assert w in str(info.value)
