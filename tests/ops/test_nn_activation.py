import math

import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample
from .test_nn_norms import numeric_vjp

SELU_A, SELU_L = 1.6732632423543772, 1.0507009873554805
_erf = np.vectorize(math.erf)

ACTS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softrelu": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
}


def act_ref(x, act_type):
    return ACTS[act_type](x)


def leaky_ref(x, gamma=None, act_type="leaky", slope=0.25, lower_bound=0.125,
              upper_bound=0.334):
    neg = x < 0
    if act_type == "leaky":
        return np.where(neg, slope * x, x)
    if act_type == "prelu":
        g = gamma.reshape([-1 if d == 1 else 1 for d in range(x.ndim)]) if gamma.size > 1 \
            else gamma
        return np.where(neg, g * x, x)
    if act_type == "elu":
        return np.where(neg, slope * np.expm1(x), x)
    if act_type == "selu":
        return SELU_L * np.where(neg, SELU_A * np.expm1(x), x)
    if act_type == "gelu":
        return 0.5 * x * (1 + _erf(x / math.sqrt(2)))
    mid = (lower_bound + upper_bound) / 2    # rrelu at inference
    return np.where(neg, mid * x, x), np.full_like(x, mid)


def softmax_act_ref(x, mode="instance"):
    axis = 1 if mode == "channel" else -1   # MXNet: 'instance' is the last axis
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


# inputs kept away from the kinks at 0 for the numeric gradient
AWAY = np.array([[-0.9, -0.4, 0.3], [0.7, -0.2, 0.5]])

SAMPLES = [Sample("Activation", [(2, 3)], {"act_type": a}, ref=act_ref, id=f"Activation-{a}")
           for a in ("sigmoid", "tanh", "softrelu", "softsign")] + [
    Sample("Activation", [AWAY], {"act_type": "relu"}, ref=act_ref, id="Activation-relu"),
    Sample("LeakyReLU", [AWAY], ref=leaky_ref),
    Sample("LeakyReLU", [AWAY], {"act_type": "leaky", "slope": 0.1}, ref=leaky_ref),
    Sample("LeakyReLU", [AWAY], {"act_type": "elu", "slope": 0.5}, ref=leaky_ref),
    Sample("LeakyReLU", [AWAY], {"act_type": "selu"}, ref=leaky_ref),
    Sample("LeakyReLU", [(2, 3)], {"act_type": "gelu"}, ref=leaky_ref),
    Sample("LeakyReLU", [AWAY.reshape(2, 3, 1), np.array([0.1, 0.2, 0.3])],
           {"act_type": "prelu"}, ref=leaky_ref),
    Sample("LeakyReLU", [AWAY, np.array([0.2])], {"act_type": "prelu"}, ref=leaky_ref,
           id="LeakyReLU-prelu-scalar"),
    # rrelu draws slopes in training: checked separately
    Sample("LeakyReLU", [(2, 3)], {"act_type": "rrelu"}, ref=leaky_ref, grad=False),
    Sample("SoftmaxActivation", [(2, 3, 2)], ref=softmax_act_ref),
    Sample("SoftmaxActivation", [(2, 3)], ref=softmax_act_ref),
    Sample("SoftmaxActivation", [(2, 3, 2)], {"mode": "channel"}, ref=softmax_act_ref),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_values_match_mxnet():
    x = mx.nd.array([-2, -0.5, 0, 1.0])
    # MXNet 1.9.1
    cases = [({"act_type": "gelu"}, [-0.0455001, -0.15426877, 0, 0.84134465]),
             ({"act_type": "selu"}, [-1.5201665, -0.6917582, 0, 1.050701]),
             ({"act_type": "elu", "slope": 0.5}, [-0.43233237, -0.1967347, 0, 1]),
             ({"act_type": "rrelu"}, [-0.459, -0.11475, 0, 1])]
    for params, expect in cases:
        out = mx.nd.LeakyReLU(x, **params)
        out = out[0] if isinstance(out, list) else out
        np.testing.assert_allclose(out.asnumpy(), expect, rtol=1e-5, atol=1e-7)
    y = mx.nd.LeakyReLU(mx.nd.array([[-2, -0.5], [0, 1.0]]), mx.nd.array([0.1, 0.2]),
                        act_type="prelu")
    np.testing.assert_allclose(y.asnumpy(), [[-0.2, -0.1], [0, 1]], rtol=1e-6)


def test_rrelu_training_draws_slopes_and_uses_them_in_backward():
    x = mx.nd.array(-np.ones((4, 5)))
    x.attach_grad()
    with mx.autograd.record():
        out, mask = mx.nd.LeakyReLU(x, act_type="rrelu")
    out.backward(mx.nd.ones((4, 5)))
    m = mask.asnumpy()
    assert np.all((m >= 0.125) & (m <= 0.334)) and len(np.unique(m)) > 1
    np.testing.assert_allclose(out.asnumpy(), -m)
    np.testing.assert_allclose(x.grad.asnumpy(), m)


def test_prelu_infers_gamma_shape():
    op = registry.get("LeakyReLU")
    p = op.make_params({"act_type": "prelu"})
    shapes = [(2, 6, 3), None]
    assert op.infer_shape(p, shapes) == [(2, 6, 3)]
    assert shapes[1] == (6,)
    assert op.input_names(p) == ["data", "gamma"]
    assert op.input_names(op.default_params) == ["data"]
    assert op.num_outputs(op.make_params({"act_type": "rrelu"})) == 2


def test_activation_second_order():
    x = mx.nd.array([[0.3, -0.7]], dtype="float64")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Activation(x, act_type="tanh")
        (g,) = mx.autograd.grad([y], [x], create_graph=True)
    g.backward()
    t = np.tanh(x.asnumpy())
    np.testing.assert_allclose(x.grad.asnumpy(), -2 * t * (1 - t * t), rtol=1e-6)


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.Activation(x), ["Activation", "act_type"]),
    (lambda x: mx.nd.Activation(x, act_type="mish"), ["Activation", "act_type", "mish"]),
    (lambda x: mx.nd.LeakyReLU(x, mx.nd.ones(4), act_type="prelu"),
     ["LeakyReLU", "Provided = [4], inferred shape=[3]"]),
    (lambda x: mx.nd.SoftmaxActivation(x, mode="row"), ["SoftmaxActivation", "mode"]),
])
def test_errors(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((2, 3)))
    for w in words:
        assert w in str(info.value)


def _lr_bw_ref(g, x, y, gamma=None, act_type="leaky", **p):
    if act_type == "rrelu":
        return g * np.where(x > 0, 1, gamma)
    args = [x] if gamma is None else [x, gamma]
    grads = numeric_vjp(lambda *a: leaky_ref(*a, act_type=act_type, **p), args, g,
                        range(len(args)))
    return grads if gamma is not None else grads[0]


def _lr_bw_sample(act_type, gamma=None, **p):
    x = AWAY.reshape(2, 3, 1)
    g = np.linspace(-1, 1, 6).reshape(2, 3, 1)
    fwd = leaky_ref(x, gamma, act_type=act_type, **p)
    fwd = fwd[0] if act_type == "rrelu" else fwd   # (output, mask)
    inputs = [g, x, fwd] + ([] if gamma is None else [gamma])
    return Sample("_backward_LeakyReLU", inputs, dict(p, act_type=act_type), ref=_lr_bw_ref,
                  rtol=1e-4, atol=1e-5, id=f"_backward_LeakyReLU-{act_type}")


@parametrize([_lr_bw_sample("leaky"), _lr_bw_sample("elu", slope=0.3), _lr_bw_sample("selu"),
              _lr_bw_sample("gelu"), _lr_bw_sample("prelu", np.array([0.1, 0.2, 0.3])),
              _lr_bw_sample("rrelu", np.full((2, 3, 1), 0.2))])
def test_backward_op(sample):
    run_sample(sample)
