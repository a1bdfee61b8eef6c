"""autograd: recording, backward variants, grad_req, higher order, Function."""
import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd
from mixnet.base import MXNetError


def _var(values):
    x = mx.nd.array(values)
    x.attach_grad()
    return x


def test_backward_with_head_gradient_and_shared_subexpressions():
    x = _var([1.0, 2.0, 3.0])
    with autograd.record():
        y = x * x
        z = y * x + y     # x^3 + x^2: two paths through y
    z.backward(mx.nd.array([1.0, 0.5, 2.0]))
    xv = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(x.grad.asnumpy(), (3 * xv ** 2 + 2 * xv) * [1, 0.5, 2], rtol=1e-6)


def test_grad_req_add_accumulates_and_write_overwrites():
    x = mx.nd.array([1.0, 2.0])
    x.attach_grad(grad_req="add")
    for _ in range(3):
        with autograd.record():
            y = x * 2
        y.backward()
    assert x.grad.asnumpy().tolist() == [6.0, 6.0]
    w = _var([1.0, 2.0])
    for _ in range(2):
        with autograd.record():
            y = w * 3
        y.backward()
    assert w.grad.asnumpy().tolist() == [3.0, 3.0]


def test_graph_freed_after_backward_unless_retained():
    x = _var([1.0])
    with autograd.record():
        y = mx.nd.exp(x)
    y.backward(retain_graph=True)
    y.backward()
    # the freed graph is gone: y is a plain array again, as in MXNet
    with pytest.raises(MXNetError, match="computational graph"):
        y.backward()


def test_not_recorded_head_raises():
    x = _var([1.0])
    y = x * 2
    with pytest.raises(MXNetError, match="computational graph"):
        y.backward()


def test_second_order_gradient():
    x = _var([0.5, -1.0])
    with autograd.record():
        y = mx.nd.sigmoid(x)
        dy = autograd.grad(y, [x], create_graph=True)[0]
    dy.backward()
    s = 1 / (1 + np.exp(-np.array([0.5, -1.0])))
    np.testing.assert_allclose(x.grad.asnumpy(), s * (1 - s) * (1 - 2 * s), rtol=1e-5)


def test_recording_and_training_flags():
    assert not autograd.is_recording() and not autograd.is_training()
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        with autograd.pause():
            assert not autograd.is_recording() and not autograd.is_training()
        with autograd.predict_mode():
            assert not autograd.is_training()
    with autograd.record(train_mode=False):
        assert not autograd.is_training()
    with autograd.train_mode():
        assert autograd.is_training() and not autograd.is_recording()


def test_custom_function():
    class Square(autograd.Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x * x

        def backward(self, dy):
            (x,) = self.saved_tensors
            return dy * x * 2 + 1     # deliberately not the true gradient

    x = _var([1.0, 2.0])
    with autograd.record():
        y = Square()(x)
    y.backward()
    assert x.grad.asnumpy().tolist() == [3.0, 5.0]


def test_inplace_on_recorded_array_is_rejected():
    x = _var([1.0])
    with autograd.record():
        y = x * 2
        with pytest.raises(MXNetError, match="computational graph"):
            y += 1


def test_slicing_under_record_propagates_gradient():
    x = _var([[1.0, 2.0], [3.0, 4.0]])
    with autograd.record():
        y = x[1] * 3
    y.backward()
    assert x.grad.asnumpy().tolist() == [[0, 0], [3, 3]]
