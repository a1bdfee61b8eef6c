import numpy as np
import pytest

import mixnet as mx
from mixnet.backend import random as backend_random
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample


def _seed(n):
    # mx.random.seed when it exists; the backend generators it drives otherwise
    getattr(getattr(mx, "random", None), "seed", backend_random.seed)(n)


# Outside training Dropout is the identity (its random gradient is checked below).
SAMPLES = [
    Sample("Dropout", [(3, 4)], ref=lambda x, **p: x, grad=False),
    Sample("Dropout", [(3, 4)], {"p": 0.3, "axes": (0,)}, ref=lambda x, **p: x, grad=False),
    Sample("Dropout", [(3, 4)], {"p": 0.0, "mode": "always"}, ref=lambda x, **p: x),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_training_scales_kept_units_and_gradient_uses_mask():
    _seed(3)
    x = mx.nd.ones((50, 40))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Dropout(x, p=0.25)
    y.backward(mx.nd.ones(y.shape) * 2)
    out = y.asnumpy()
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.2 < (out == 0).mean() < 0.3
    np.testing.assert_allclose(x.grad.asnumpy(), 2 * out)


def test_mode_always_drops_outside_training():
    _seed(4)
    out = mx.nd.Dropout(mx.nd.ones((20, 20)), p=0.5, mode="always").asnumpy()
    assert set(np.unique(out)) == {0.0, 2.0}
    np.testing.assert_array_equal(mx.nd.Dropout(mx.nd.ones((3,)), p=0.5).asnumpy(), 1)


def test_axes_share_the_mask():
    _seed(5)
    with mx.autograd.train_mode():
        out = mx.nd.Dropout(mx.nd.ones((6, 30)), p=0.5, axes=(0,)).asnumpy()
    assert (out == out[:1]).all() and set(np.unique(out)) == {0.0, 2.0}


def test_p_one_gives_zeros():
    with mx.autograd.train_mode():
        out = mx.nd.Dropout(mx.nd.ones((2, 3)), p=1.0)
    np.testing.assert_array_equal(out.asnumpy(), 0)


def test_seed_reproduces():
    def draw():
        _seed(11)
        with mx.autograd.train_mode():
            return mx.nd.Dropout(mx.nd.ones((8, 8))).asnumpy()
    np.testing.assert_array_equal(draw(), draw())


def test_record():
    op = registry.get("Dropout")
    p = op.default_params
    assert (p.p, p.mode, p.axes, p.cudnn_off) == (0.5, "training", (), False)
    assert op.random and op.train
    assert op.num_outputs(p) == 2 and op.num_visible_outputs(p) == 1
    assert op.output_names(p) == ["output", "mask"]
    assert op.infer_shape(p, [(2, 3)]) == [(2, 3), (2, 3)]


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.Dropout(x, mode="sometimes"), ["Dropout", "mode", "sometimes"]),
    (lambda x: mx.nd.Dropout(x, axes=(2,)), ["Dropout", "axes"]),
    (lambda x: mx.nd.Dropout(x, rate=0.5), ["Dropout", "rate"]),
])
def test_errors(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((2, 3)))
    for w in words:
        assert w in str(info.value)
