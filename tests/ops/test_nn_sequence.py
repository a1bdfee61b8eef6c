import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample

LEN = np.array([1, 3], dtype=np.int32)


def _to_batch_first(x, axis):
    return x if axis == 1 else np.swapaxes(x, 0, 1)


def mask_ref(x, length=None, use_sequence_length=False, value=0.0, axis=0):
    out = _to_batch_first(x, axis).copy()
    if use_sequence_length:
        for b, n in enumerate(length.astype(int)):
            out[b, n:] = value
    return _to_batch_first(out, axis)


def last_ref(x, length=None, use_sequence_length=False, axis=0):
    xb = _to_batch_first(x, axis)
    n = length.astype(int) if use_sequence_length else [xb.shape[1]] * xb.shape[0]
    return np.stack([xb[b, k - 1] for b, k in enumerate(n)])


def reverse_ref(x, length=None, use_sequence_length=False, axis=0):
    out = x.copy()
    n = length.astype(int) if use_sequence_length else [x.shape[0]] * x.shape[1]
    for b, k in enumerate(n):
        out[:k, b] = x[:k, b][::-1]
    return out


def bw_last_ref(g, x, length=None, use_sequence_length=False, axis=0):
    out = np.zeros_like(_to_batch_first(x, axis))
    n = length.astype(int) if use_sequence_length else [out.shape[1]] * out.shape[0]
    for b, k in enumerate(n):
        out[b, k - 1] = g[b]
    return _to_batch_first(out, axis)


USE = {"use_sequence_length": True}
SAMPLES = [
    Sample("SequenceMask", [(3, 2, 2)], ref=mask_ref),
    Sample("SequenceMask", [(3, 2, 2), LEN], dict(USE, value=-1.0), ref=mask_ref),
    Sample("SequenceMask", [(2, 3), LEN], dict(USE, axis=1), ref=mask_ref),
    Sample("SequenceLast", [(3, 2, 2)], ref=last_ref),
    Sample("SequenceLast", [(3, 2, 2), LEN], USE, ref=last_ref),
    Sample("SequenceLast", [(2, 3, 2), LEN], dict(USE, axis=1), ref=last_ref),
    Sample("SequenceReverse", [(3, 2, 2)], ref=reverse_ref),
    Sample("SequenceReverse", [(3, 2), np.array([2, 3], np.int64)], USE, ref=reverse_ref),
    Sample("_backward_SequenceLast", [(2, 2), (3, 2, 2), LEN], USE, ref=bw_last_ref,
           grad_inputs=[0]),
    Sample("_backward_SequenceLast", [(2, 2), (2, 3, 2)], {"axis": 1}, ref=bw_last_ref,
           grad_inputs=[0]),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_values_match_mxnet():
    x = mx.nd.array(np.arange(12).reshape(3, 2, 2))
    # MXNet 1.9.1
    last = mx.nd.SequenceLast(x, mx.nd.array([1, 3]), use_sequence_length=True)
    np.testing.assert_array_equal(last.asnumpy(), [[0, 1], [10, 11]])
    rev = mx.nd.SequenceReverse(x, mx.nd.array([1, 2]), use_sequence_length=True)
    np.testing.assert_array_equal(rev.asnumpy()[:, 1], [[6, 7], [2, 3], [10, 11]])
    masked = mx.nd.SequenceMask(x, mx.nd.array([0, 2.7]), use_sequence_length=True)
    np.testing.assert_array_equal(masked.asnumpy()[:, 1], [[2, 3], [6, 7], [0, 0]])


def test_length_gets_no_gradient():
    x = mx.nd.ones((3, 2))
    length = mx.nd.array([1, 2])
    x.attach_grad()
    length.attach_grad()
    with mx.autograd.record():
        y = mx.nd.SequenceMask(x, length, use_sequence_length=True)
    y.backward(mx.nd.ones((3, 2)))
    np.testing.assert_array_equal(x.grad.asnumpy(), [[1, 1], [0, 1], [0, 0]])
    np.testing.assert_array_equal(length.grad.asnumpy(), 0)


def test_inference_fills_sequence_length():
    for name, axis, out in (("SequenceMask", 0, (4, 2, 3)), ("SequenceLast", 0, (2, 3)),
                            ("SequenceLast", 1, (4, 3)), ("SequenceReverse", 0, (4, 2, 3))):
        op = registry.get(name)
        p = op.make_params({"use_sequence_length": True, "axis": axis})
        shapes = [(4, 2, 3), None]
        assert op.infer_shape(p, shapes) == [out]
        assert shapes[1] == ((2,) if axis == 0 else (4,))
        assert op.input_names(p) == ["data", "sequence_length"]
        types = [np.dtype(np.float16), None]
        assert op.infer_type(p, types) == [np.float16] and types[1] == np.float16
    assert registry.get("SequenceMask").input_names(
        registry.get("SequenceMask").default_params) == ["data"]


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.SequenceMask(x[0][0]), ["SequenceMask", "rank 2"]),
    (lambda x: mx.nd.SequenceLast(x, mx.nd.ones(3), use_sequence_length=True),
     ["SequenceLast", "Provided = [3], inferred shape=[2]"]),
    (lambda x: mx.nd.SequenceReverse(x, axis=1), ["SequenceReverse", "axis=1"]),
    (lambda x: mx.nd.SequenceMask(x, axis=2), ["SequenceMask", "axis=2"]),
])
def test_errors(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((3, 2, 2)))
    for w in words:
        assert w in str(info.value)
