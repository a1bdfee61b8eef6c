import functools

import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample
from .test_nn_norms import numeric_vjp

VAR3 = np.array([0.5, 1.0, 2.0])      # positive moving variances
VAR4 = np.array([0.7, 1.5, 0.9, 2.5])


def bn_ref(x, gamma, beta, mm, mv, eps=1e-3, momentum=0.9, fix_gamma=True,
           use_global_stats=False, output_mean_var=False, axis=1, train=False, **_):
    axis %= x.ndim
    axes = tuple(d for d in range(x.ndim) if d != axis)
    view = [-1 if d == axis else 1 for d in range(x.ndim)]
    if train and not use_global_stats:
        mean, var = x.mean(axes), x.var(axes)
    else:
        mean, var = mm, mv
    invstd = 1 / np.sqrt(var + eps)
    g = np.ones_like(gamma) if fix_gamma else gamma
    out = (x - mean.reshape(view)) * (g * invstd).reshape(view) + beta.reshape(view)
    return (out, mean, invstd) if output_mean_var else out


train_ref = functools.partial(bn_ref, train=True)
GRAD = [0, 1, 2]   # aux states get no gradient

INFERENCE = [
    Sample("BatchNorm", [(2, 3, 2), (3,), (3,), (3,), VAR3], ref=bn_ref, grad=False),
    Sample("BatchNorm", [(2, 3, 2), (3,), (3,), (3,), VAR3], {"fix_gamma": False},
           ref=bn_ref, grad=False),
    Sample("BatchNorm", [(2, 3, 4), (4,), (4,), (4,), VAR4],
           {"axis": -1, "fix_gamma": False, "output_mean_var": True}, ref=bn_ref, grad=False),
    # global statistics: forward and gradient agree with inference (a scale and shift)
    Sample("BatchNorm", [(2, 3, 2), (3,), (3,), (3,), VAR3],
           {"use_global_stats": True, "fix_gamma": False}, ref=bn_ref, grad_inputs=GRAD),
    Sample("BatchNorm_v1", [(2, 3, 2), (3,), (3,), (3,), VAR3],
           {"use_global_stats": True, "fix_gamma": False, "eps": 1e-2}, ref=bn_ref,
           grad_inputs=GRAD),
]

TRAINING = [
    Sample("BatchNorm", [(2, 3, 2), (3,), (3,), (3,), VAR3], ref=train_ref, grad_inputs=GRAD),
    Sample("BatchNorm", [(2, 3, 2), (3,), (3,), (3,), VAR3], {"fix_gamma": False},
           ref=train_ref, grad_inputs=GRAD, id="BatchNorm-train-gamma"),
    Sample("BatchNorm", [(3, 2, 2, 2), (2,), (2,), (2,), VAR3[:2]],
           {"fix_gamma": False, "eps": 1e-5}, ref=train_ref, grad_inputs=GRAD,
           grad_rtol=1e-3),
    Sample("BatchNorm", [(2, 3, 4), (4,), (4,), (4,), VAR4],
           {"axis": 2, "fix_gamma": False, "output_mean_var": True}, ref=train_ref,
           grad=False),
    Sample("BatchNorm", [(4, 3), (3,), (3,), (3,), VAR3], {"axis": 1, "fix_gamma": False},
           ref=train_ref, grad_inputs=GRAD),
    Sample("BatchNorm_v1", [(2, 3, 2), (3,), (3,), (3,), VAR3], {"fix_gamma": False},
           ref=train_ref, grad_inputs=GRAD),
]


@parametrize(INFERENCE)
def test_inference(sample):
    run_sample(sample)


@parametrize(TRAINING)
def test_training(sample):
    with mx.autograd.train_mode():
        run_sample(sample)


def _arrays(seed=0, shape=(2, 3, 2)):
    rng = np.random.RandomState(seed)
    x = rng.randn(*shape).astype(np.float32)
    gamma = np.array([1.5, 2.0, 0.5], np.float32)
    beta = np.array([0.1, 0.2, 0.3], np.float32)
    mm = np.array([0.1, 0.2, 0.3], np.float32)
    mv = np.array([1.0, 2.0, 3.0], np.float32)
    return x, gamma, beta, mm, mv


def test_moving_stats_update_in_training_only():
    x, gamma, beta, mm, mv = _arrays()
    nds = [mx.nd.array(a) for a in (x, gamma, beta, mm, mv)]
    mx.nd.BatchNorm(*nds)                      # inference: untouched
    np.testing.assert_allclose(nds[3].asnumpy(), mm)
    np.testing.assert_allclose(nds[4].asnumpy(), mv)
    with mx.autograd.record():
        mx.nd.BatchNorm(*nds, momentum=0.8)
    np.testing.assert_allclose(nds[3].asnumpy(), 0.8 * mm + 0.2 * x.mean((0, 2)), rtol=1e-6)
    np.testing.assert_allclose(nds[4].asnumpy(), 0.8 * mv + 0.2 * x.var((0, 2)), rtol=1e-6)
    before = nds[3].asnumpy()
    with mx.autograd.train_mode():
        mx.nd.BatchNorm(*nds, use_global_stats=True)   # global stats: untouched
    np.testing.assert_allclose(nds[3].asnumpy(), before)


def test_values_match_mxnet():
    x, gamma, beta, mm, mv = _arrays()
    nds = [mx.nd.array(a) for a in (x, gamma, beta, mm, mv)]
    nds[0].attach_grad()
    nds[1].attach_grad()
    nds[2].attach_grad()
    with mx.autograd.record():
        out, mean, var = mx.nd.BatchNorm(*nds, fix_gamma=False, output_mean_var=True)
    out.backward(mx.nd.array(np.arange(12).reshape(2, 3, 2)))
    # values from MXNet 1.9.1: var is the inverse std, moving stats follow momentum 0.9
    np.testing.assert_allclose(mean.asnumpy(), [0.7407352, 0.8817527, 0.6221493], rtol=1e-5)
    np.testing.assert_allclose(var.asnumpy(), [1.4118053, 1.1446668, 0.89138156], rtol=1e-5)
    np.testing.assert_allclose(nds[3].asnumpy(), [0.16407353, 0.2681753, 0.33221495],
                               rtol=1e-5)
    np.testing.assert_allclose(nds[4].asnumpy(), [0.95007074, 1.8762206, 2.8257556],
                               rtol=1e-5)
    np.testing.assert_allclose(nds[0].grad.asnumpy()[0], [[-1.6573, -7.2095],
                                                          [-7.4418, 2.2764],
                                                          [-1.7095, -0.9221]], atol=1e-3)
    np.testing.assert_allclose(nds[1].grad.asnumpy(), [-7.5236597, -8.984225, 1.2094333],
                               rtol=1e-5)
    np.testing.assert_allclose(nds[2].grad.asnumpy(), [14, 22, 30])


def test_inference_outputs_and_gradient_match_mxnet():
    # MXNet uses the batch formula in backward unless use_global_stats, even after an
    # inference-mode forward (whose mean/var outputs are the moving statistics).
    x, gamma, beta, mm, mv = _arrays()
    nds = [mx.nd.array(a) for a in (x, gamma, beta, mm, mv)]
    nds[1].attach_grad()
    with mx.autograd.record(train_mode=False):
        out, mean, var = mx.nd.BatchNorm(*nds, fix_gamma=False, output_mean_var=True)
    out.backward(mx.nd.array(np.arange(12).reshape(2, 3, 2)))
    np.testing.assert_allclose(mean.asnumpy(), mm)
    np.testing.assert_allclose(var.asnumpy(), [0.9995, 0.7069, 0.5773], atol=1e-4)
    np.testing.assert_allclose(nds[1].grad.asnumpy(), [3.639368, 5.054403, 6.3620825],
                               rtol=1e-5)


def test_fix_gamma_gives_zero_gamma_gradient():
    x, gamma, beta, mm, mv = _arrays()
    nds = [mx.nd.array(a) for a in (x, gamma, beta, mm, mv)]
    nds[1].attach_grad()
    with mx.autograd.record():
        out = mx.nd.BatchNorm(*nds)
    out.backward(mx.nd.ones(out.shape))
    np.testing.assert_array_equal(nds[1].grad.asnumpy(), 0)


def test_shape_inference_fills_parameters():
    op = registry.get("BatchNorm")
    shapes = [(2, 3, 4), None, None, None, None]
    outs = op.infer_shape(op.make_params({"output_mean_var": True}), shapes)
    assert shapes[1:] == [(3,)] * 4 and outs == [(2, 3, 4), (3,), (3,)]
    shapes = [(2, 3, 4), None, None, None, None]
    op.infer_shape(op.make_params({"axis": -1}), shapes)
    assert shapes[1:] == [(4,)] * 4
    assert op.infer_shape(op.default_params, [None] * 5) == [None, None, None]
    assert op.input_names(op.default_params) == ["data", "gamma", "beta", "moving_mean",
                                                 "moving_var"]
    assert op.num_aux(op.default_params) == 2
    assert op.output_names(op.default_params) == ["output", "mean", "var"]
    assert op.num_visible_outputs(op.default_params) == 1


def test_float16_keeps_float32_parameters():
    op = registry.get("BatchNorm")
    types = [np.dtype(np.float16), None, None, None, None]
    assert op.infer_type(op.default_params, types) == [np.float16, np.float32, np.float32]
    assert types[1:] == [np.float32] * 4
    x = mx.nd.ones((2, 3), dtype="float16")
    out = mx.nd.BatchNorm(x, mx.nd.ones(3), mx.nd.zeros(3), mx.nd.zeros(3), mx.nd.ones(3))
    assert out.dtype == np.float16


def test_defaults():
    p = registry.get("BatchNorm").default_params
    assert (p.eps, p.momentum, p.fix_gamma, p.use_global_stats, p.axis) == \
        (1e-3, 0.9, True, False, 1)
    assert p.min_calib_range is None and p.cudnn_off is False


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.BatchNorm(x, mx.nd.ones(4), mx.nd.ones(3), mx.nd.ones(3), mx.nd.ones(3)),
     ["BatchNorm", "Provided = [4], inferred shape=[3]"]),
    (lambda x: mx.nd.BatchNorm(x, mx.nd.ones(3), mx.nd.ones(3), mx.nd.ones(3), mx.nd.ones(3),
                               axis=3), ["BatchNorm", "axis"]),
    (lambda x: mx.nd.BatchNorm(x, mx.nd.ones(3), mx.nd.ones(3), mx.nd.ones(3), mx.nd.ones(3),
                               gama=1), ["BatchNorm", "gama"]),
])
def test_errors(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((2, 3, 2)))
    for w in words:
        assert w in str(info.value)


# --- the fused backward op, with batch statistics taken from the data -------------------
def _bw_inputs():
    rng = np.random.RandomState(5)
    x, g = rng.uniform(-1, 1, (2, 3, 2)), rng.uniform(-1, 1, (2, 3, 2))
    gamma = rng.uniform(0.5, 1.5, 3)
    return [g, x, gamma, x.mean((0, 2)), 1 / np.sqrt(x.var((0, 2)) + 1e-3)]


def bw_ref(g, x, gamma, mean, invstd, fix_gamma=True, use_global_stats=False, **p):
    train = not use_global_stats
    mm, mv = mean, 1 / invstd ** 2 - 1e-3

    def f(a, b, c):
        return bn_ref(a, b, c, mm, mv, fix_gamma=fix_gamma, train=train)
    return numeric_vjp(f, [x, gamma, np.zeros(3)], g, [0, 1, 2])


@parametrize([Sample("_backward_BatchNorm", _bw_inputs(), params, ref=bw_ref, rtol=1e-4,
                     atol=1e-5)
              for params in ({}, {"fix_gamma": False},
                             {"fix_gamma": False, "use_global_stats": True})])
def test_backward_op(sample):
    run_sample(sample)
