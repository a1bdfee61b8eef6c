"""Optimizer update ops (optimizer_update*.py) against hand-written NumPy formulas: the
returned weight and the optimizer states each op updates in place."""
import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample

rng = np.random.RandomState(0)


def arr(*shape, positive=False, dtype=np.float32):
    a = rng.uniform(-1, 1, size=shape)
    return (np.abs(a) + 0.1 if positive else a).astype(dtype)


def grad_of(g, rescale_grad=1.0, clip_gradient=-1.0, **_):
    g = g * rescale_grad
    return np.clip(g, -clip_gradient, clip_gradient) if clip_gradient >= 0 else g


# Each reference returns (new weight, {input index: new state}).
def sgd(w, g, lr, wd=0.0, **p):
    return (1 - lr * wd) * w - lr * grad_of(g, **p), {}


def sgd_mom(w, g, mom, lr, momentum=0.0, wd=0.0, **p):
    mom = momentum * mom - lr * wd * w - lr * grad_of(g, **p)
    return w + mom, {2: mom}


def mp_sgd(w, g, w32, **p):
    out, _ = sgd(w32, g.astype(np.float32), **p)
    return out.astype(w.dtype), {2: out}


def mp_sgd_mom(w, g, mom, w32, **p):
    out, states = sgd_mom(w32, g.astype(np.float32), mom, **p)
    return out.astype(w.dtype), {2: states[2], 3: out}


def nag(w, g, mom, lr, momentum=0.0, wd=0.0, **p):
    g = grad_of(g, **p) + wd * w
    mom = momentum * mom - lr * g
    return w + momentum * mom - lr * g, {2: mom}


def adam(w, g, mean, var, lr, beta1=0.9, beta2=0.999, epsilon=1e-8, wd=0.0, **p):
    g = grad_of(g * p.pop("rescale_grad", 1.0) + wd * w, **p)
    mean = beta1 * mean + (1 - beta1) * g
    var = beta2 * var + (1 - beta2) * g * g
    return w - lr * mean / (np.sqrt(var) + epsilon), {2: mean, 3: var}


def rmsprop(w, g, n, lr, gamma1=0.95, epsilon=1e-8, wd=0.0, clip_weights=-1.0, **p):
    g = grad_of(g * p.pop("rescale_grad", 1.0) + wd * w, **p)
    n = (1 - gamma1) * g * g + gamma1 * n
    out = w - lr * g / np.sqrt(n + epsilon)
    return (np.clip(out, -clip_weights, clip_weights) if clip_weights >= 0 else out), {2: n}


def ftrl(w, g, z, n, lr, lamda1=0.01, beta=1.0, wd=0.0, **p):
    g = grad_of(g, **p)
    z = z + g - (np.sqrt(n + g * g) - np.sqrt(n)) * w / lr
    n = n + g * g
    out = (np.sign(z) * lamda1 - z) / ((beta + np.sqrt(n)) / lr + wd) * (np.abs(z) > lamda1)
    return out, {2: z, 3: n}


def signum(w, g, mom, lr, momentum=0.0, wd=0.0, wd_lh=0.0, **p):
    mom = momentum * mom - (1 - momentum) * (wd * w + grad_of(g, **p))
    return (1 - lr * wd_lh) * w + lr * np.sign(mom), {2: mom}


def adamw(w, g, mean, var, scale, lr, eta, beta1=0.9, beta2=0.999, epsilon=1e-8, wd=0.0,
          **p):
    g = grad_of(g, rescale_grad=float(scale[0]), **p)
    mean = beta1 * mean + (1 - beta1) * g
    var = beta2 * var + (1 - beta2) * g * g
    return w - eta * (lr * mean / (np.sqrt(var) + epsilon) + wd * w), {1: g, 2: mean, 3: var}


def lamb1(w, g, mean, var, t, wd, beta1=0.9, beta2=0.999, epsilon=1e-6,
          bias_correction=True, **p):
    g = grad_of(g, **p)
    mean = beta1 * mean + (1 - beta1) * g
    var = beta2 * var + (1 - beta2) * g * g
    m, v = (mean / (1 - beta1 ** t), var / (1 - beta2 ** t)) if bias_correction else (mean, var)
    return m / (np.sqrt(v) + epsilon) + wd * w, {2: mean, 3: var}


def lamb2(w, g, r1, r2, lr, lower_bound=-1.0, upper_bound=-1.0):
    r1 = float(r1[0])
    r1 = max(r1, lower_bound) if lower_bound >= 0 else r1
    r1 = min(r1, upper_bound) if upper_bound >= 0 else r1
    ratio = r1 / float(r2[0]) if r1 != 0 and r2[0] != 0 else 1.0
    return w - lr * ratio * g, {}


S = (3, 4)
F16 = np.float16
CASES = [  # (op, inputs, params, reference)
    ("sgd_update", [arr(*S), arr(*S)], dict(lr=0.1, wd=0.01), sgd),
    ("sgd_update", [arr(*S), arr(*S)], dict(lr=0.1, rescale_grad=0.5, clip_gradient=0.2), sgd),
    ("sgd_mom_update", [arr(*S), arr(*S), arr(*S)],
     dict(lr=0.1, momentum=0.9, wd=0.01, rescale_grad=2.0, clip_gradient=0.5), sgd_mom),
    ("mp_sgd_update", [arr(*S, dtype=F16), arr(*S, dtype=F16), arr(*S)],
     dict(lr=0.1, wd=0.01, clip_gradient=0.3), mp_sgd),
    ("mp_sgd_mom_update", [arr(*S, dtype=F16), arr(*S, dtype=F16), arr(*S), arr(*S)],
     dict(lr=0.1, momentum=0.9, wd=0.01), mp_sgd_mom),
    ("nag_mom_update", [arr(*S), arr(*S), arr(*S)],
     dict(lr=0.1, momentum=0.9, wd=0.01, rescale_grad=2.0, clip_gradient=0.5), nag),
    ("adam_update", [arr(*S), arr(*S), arr(*S), arr(*S, positive=True)],
     dict(lr=0.1, wd=0.1, rescale_grad=2.0, clip_gradient=0.5), adam),
    ("rmsprop_update", [arr(*S), arr(*S), arr(*S, positive=True)],
     dict(lr=0.1, wd=0.1, clip_weights=0.3, gamma1=0.5), rmsprop),
    ("ftrl_update", [arr(*S), arr(*S), arr(*S), arr(*S, positive=True)],
     dict(lr=0.1, lamda1=0.1, beta=0.5, wd=0.1, clip_gradient=0.5), ftrl),
    ("signsgd_update", [arr(*S), arr(*S)], dict(lr=0.1, wd=0.1),
     lambda w, g, lr, wd: ((1 - lr * wd) * w - lr * np.sign(g), {})),
    ("signum_update", [arr(*S), arr(*S), arr(*S)],
     dict(lr=0.1, momentum=0.9, wd=0.1, wd_lh=0.05), signum),
    ("_adamw_update", [arr(*S), arr(*S), arr(*S), arr(*S, positive=True),
                       np.array([0.5], np.float32)], dict(lr=0.1, eta=0.5, wd=0.1), adamw),
    ("lamb_update_phase1", [arr(*S), arr(*S), arr(*S), arr(*S, positive=True)],
     dict(t=3, wd=0.1, clip_gradient=0.5), lamb1),
    ("lamb_update_phase2", [arr(*S), arr(*S), np.array([0.7], np.float32),
                            np.array([0.3], np.float32)], dict(lr=0.1, upper_bound=0.5), lamb2),
]


def _sample(op, inputs, params, ref):
    return Sample(op, inputs, params, ref=lambda *xs, **p: ref(*xs, **p)[0], rtol=1e-3,
                  atol=1e-4, grad=False)


SAMPLES = [_sample(*case) for case in CASES] + [
    Sample("rmspropalex_update", [arr(*S), arr(*S), arr(*S, positive=True) + 1, arr(*S),
                                  arr(*S)], {"lr": 0.1}, grad=False),
    Sample("ftml_update", [arr(*S), arr(*S), arr(*S, positive=True), arr(*S, positive=True),
                           arr(*S)], {"lr": 0.1, "t": 2}, grad=False),
    Sample("mp_nag_mom_update", [arr(*S, dtype=F16), arr(*S, dtype=F16), arr(*S), arr(*S)],
           {"lr": 0.1, "momentum": 0.9}, grad=False),
    Sample("_mp_adamw_update", [arr(*S, dtype=F16), arr(*S, dtype=F16), arr(*S),
                                arr(*S, positive=True), arr(*S), np.array([1.0], np.float32)],
           {"lr": 0.1, "eta": 1.0}, grad=False),
    Sample("mp_lamb_update_phase1", [arr(*S, dtype=F16), arr(*S, dtype=F16), arr(*S),
                                     arr(*S, positive=True), arr(*S)], {"t": 1, "wd": 0.0},
           grad=False),
    Sample("mp_lamb_update_phase2", [arr(*S, dtype=F16), arr(*S), np.array([1.0], np.float32),
                                     np.array([2.0], np.float32), arr(*S)], {"lr": 0.1},
           grad=False),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


@pytest.mark.parametrize("op, inputs, params, ref", CASES, ids=[c[0] for c in CASES])
def test_states_are_updated_in_place(op, inputs, params, ref):
    arrays = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    weight = arrays[0]
    result = getattr(mx.nd, op)(*arrays, out=weight, **params)
    assert result is weight
    expect, states = ref(*[x.copy() for x in inputs], **params)
    np.testing.assert_allclose(weight.asnumpy(), expect, rtol=1e-3, atol=1e-4)
    for i, x in enumerate(inputs[1:], 1):
        want = states.get(i, x)   # inputs an op does not update stay as they were
        np.testing.assert_allclose(arrays[i].asnumpy(), want, rtol=1e-3, atol=1e-4,
                                   err_msg=f"{op} input {i}")


def test_repeated_momentum_steps_accumulate():
    w, g, mom = mx.nd.ones((2,)), mx.nd.ones((2,)), mx.nd.zeros((2,))
    for _ in range(3):
        mx.nd.sgd_mom_update(w, g, mom, lr=0.1, momentum=0.9, out=w)
    # mom: -0.1, -0.19, -0.271; w = 1 - 0.1 - 0.19 - 0.271
    np.testing.assert_allclose(mom.asnumpy(), [-0.271] * 2, rtol=1e-5)
    np.testing.assert_allclose(w.asnumpy(), [0.439] * 2, rtol=1e-5)


def test_adamw_skips_the_step_on_a_non_finite_scale():
    w, g = mx.nd.ones((3,)), mx.nd.ones((3,))
    mean, var = mx.nd.zeros((3,)), mx.nd.zeros((3,))
    mx.nd._adamw_update(w, g, mean, var, mx.nd.array([np.inf]), lr=0.1, eta=1.0, out=w)
    np.testing.assert_array_equal(w.asnumpy(), 1)
    np.testing.assert_array_equal(mean.asnumpy(), 0)


def test_mp_ops_require_float32_master_states():
    w, g = mx.nd.ones((2,), dtype="float16"), mx.nd.ones((2,), dtype="float16")
    with pytest.raises(mx.base.MXNetError, match="float32"):
        mx.nd.mp_sgd_update(w, g, mx.nd.ones((2,), dtype="float16"), lr=0.1)


def test_errors_name_the_op_and_argument():
    w = mx.nd.ones((2, 2))
    with pytest.raises(mx.base.MXNetError, match="sgd_update") as info:
        mx.nd.sgd_update(w, mx.nd.ones((3,)), lr=0.1)
    assert "(2, 2)" in str(info.value)
    with pytest.raises(mx.base.MXNetError, match="lr"):
        mx.nd.sgd_update(w, w)
    with pytest.raises(mx.base.MXNetError, match="r1"):
        mx.nd.lamb_update_phase2(w, w, mx.nd.ones((2,)), mx.nd.ones((1,)), lr=0.1)
