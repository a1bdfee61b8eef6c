import numpy as np
import pytest

import mixnet as mx
from mixnet.ops import registry

from .harness import Sample, parametrize, run_sample


def _view(ndim, axis):
    return [-1 if d == axis else 1 for d in range(ndim)]


def instance_ref(x, gamma, beta, eps=1e-3):
    axes = tuple(range(2, x.ndim))
    xhat = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)
    return xhat * gamma.reshape(_view(x.ndim, 1)) + beta.reshape(_view(x.ndim, 1))


def layer_ref(x, gamma, beta, axis=-1, eps=1e-5, output_mean_var=False):
    mean = x.mean(axis, keepdims=True)
    std = np.sqrt(x.var(axis, keepdims=True) + eps)
    view = _view(x.ndim, axis % x.ndim)
    out = (x - mean) / std * gamma.reshape(view) + beta.reshape(view)
    return (out, mean, std) if output_mean_var else out


def group_ref(x, gamma, beta, num_groups=1, eps=1e-5, output_mean_var=False):
    r = x.reshape(x.shape[0], num_groups, -1)
    mean, std = r.mean(-1, keepdims=True), np.sqrt(r.var(-1, keepdims=True) + eps)
    out = ((r - mean) / std * gamma.reshape(1, -1, 1) + beta.reshape(1, -1, 1))
    out = out.reshape(x.shape)
    return (out, mean[..., 0], std[..., 0]) if output_mean_var else out


def l2_ref(x, eps=1e-10, mode="instance"):
    axes = {"instance": tuple(range(1, x.ndim)), "channel": (1,),
            "spatial": tuple(range(2, x.ndim))}[mode]
    return x / np.sqrt((x * x).sum(axes, keepdims=True) + eps)


def lrn_ref(x, alpha=1e-4, beta=0.75, knorm=2.0, nsize=None):
    half = nsize // 2
    sq = x * x
    win = np.zeros_like(x)
    for c in range(x.shape[1]):
        win[:, c] = sq[:, max(0, c - half):c + half + 1].sum(1)
    return x / (knorm + alpha / nsize * win) ** beta


SAMPLES = [
    Sample("InstanceNorm", [(2, 3, 4), (3,), (3,)], ref=instance_ref),
    Sample("InstanceNorm", [(2, 2, 2, 3), (2,), (2,)], {"eps": 1e-2}, ref=instance_ref,
           grad_rtol=1e-3),
    Sample("LayerNorm", [(2, 3, 4), (4,), (4,)], ref=layer_ref),
    Sample("LayerNorm", [(2, 3, 4), (3,), (3,)], {"axis": 1, "eps": 1e-3}, ref=layer_ref),
    Sample("LayerNorm", [(3, 4), (3,), (3,)], {"axis": 0, "output_mean_var": True},
           ref=layer_ref, grad=False),
    Sample("GroupNorm", [(2, 4, 3), (2,), (2,)], {"num_groups": 2}, ref=group_ref),
    Sample("GroupNorm", [(2, 3, 2, 2), (1,), (1,)], ref=group_ref, grad_rtol=1e-3),
    Sample("GroupNorm", [(2, 6, 2), (3,), (3,)], {"num_groups": 3, "output_mean_var": True},
           ref=group_ref, grad=False),
    Sample("L2Normalization", [(2, 3, 2)], ref=l2_ref),
    Sample("L2Normalization", [(2, 3, 2)], {"mode": "channel"}, ref=l2_ref),
    Sample("L2Normalization", [(2, 2, 2, 2)], {"mode": "spatial", "eps": 1e-3}, ref=l2_ref),
    Sample("LRN", [(1, 5, 2, 2)], {"nsize": 3, "alpha": 0.3}, ref=lrn_ref, low=0.5, high=2.0),
    Sample("LRN", [(2, 4, 2)], {"nsize": 5, "alpha": 0.1, "beta": 0.5, "knorm": 1.0},
           ref=lrn_ref),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def test_lrn_matches_mxnet():
    x = mx.nd.array(np.arange(5).reshape(1, 5, 1, 1) + 1.0)
    # MXNet 1.9.1
    np.testing.assert_allclose(mx.nd.LRN(x, nsize=3, alpha=0.3).asnumpy().ravel(),
                               [0.5029734, 0.7987682, 0.91090727, 0.92947227, 1.2881683],
                               rtol=1e-5)


@pytest.mark.parametrize("name, params, data, filled, outs", [
    ("InstanceNorm", {}, (2, 3, 4), [(3,), (3,)], [(2, 3, 4), (2, 3), (2, 3)]),
    ("LayerNorm", {}, (2, 3, 4), [(4,), (4,)], [(2, 3, 4), (2, 3, 1), (2, 3, 1)]),
    ("LayerNorm", {"axis": 1}, (2, 3, 4), [(3,), (3,)], [(2, 3, 4), (2, 1, 4), (2, 1, 4)]),
    ("GroupNorm", {"num_groups": 3}, (2, 6, 4), [(3,), (3,)], [(2, 6, 4), (2, 3), (2, 3)]),
])
def test_shape_inference_fills_gamma_beta(name, params, data, filled, outs):
    op = registry.get(name)
    p = op.make_params(params)
    shapes = [data, None, None]
    assert op.infer_shape(p, shapes) == outs
    assert shapes[1:] == filled
    assert op.infer_shape(p, [None, None, None])[0] is None


def test_visible_outputs():
    ln = registry.get("LayerNorm")
    assert ln.num_visible_outputs(ln.default_params) == 1
    assert ln.num_visible_outputs(ln.make_params({"output_mean_var": True})) == 3
    assert ln.output_names(ln.default_params) == ["output", "mean", "std"]
    inorm = registry.get("InstanceNorm")
    assert inorm.num_visible_outputs(inorm.default_params) == 1
    assert registry.get("L2Normalization").num_visible_outputs(
        registry.get("L2Normalization").default_params) == 1


def test_defaults():
    assert registry.get("InstanceNorm").default_params.eps == 1e-3
    p = registry.get("LayerNorm").default_params
    assert (p.axis, p.eps, p.output_mean_var) == (-1, 1e-5, False)
    assert registry.get("GroupNorm").default_params.num_groups == 1
    p = registry.get("L2Normalization").default_params
    assert (p.eps, p.mode) == (1e-10, "instance")
    assert registry.get("LRN").default_params is None   # nsize is required


@pytest.mark.parametrize("call, words", [
    (lambda x: mx.nd.LayerNorm(x, mx.nd.ones(3), mx.nd.ones(3)),
     ["LayerNorm", "Provided = [3], inferred shape=[4]"]),
    (lambda x: mx.nd.LayerNorm(x, mx.nd.ones(4), mx.nd.ones(4), axis=3), ["LayerNorm", "axis"]),
    (lambda x: mx.nd.GroupNorm(x, mx.nd.ones(2), mx.nd.ones(2), num_groups=2),
     ["GroupNorm", "num_groups=2"]),
    (lambda x: mx.nd.L2Normalization(x[0], mode="channel"), ["L2Normalization", "3 dimensions"]),
    (lambda x: mx.nd.L2Normalization(x, mode="row"), ["L2Normalization", "mode", "row"]),
    (lambda x: mx.nd.LRN(x, nsize=2), ["LRN", "odd", "nsize"]),
    (lambda x: mx.nd.LRN(x), ["LRN", "nsize"]),
])
def test_errors(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call(mx.nd.ones((2, 3, 4)))
    for w in words:
        assert w in str(info.value)


# --- fused backward ops: inputs made consistent (stats from the data), checked against a
# central-difference vector-Jacobian product of the forward reference -------------------
def numeric_vjp(f, args, ograd, wrt, eps=1e-6):
    """d(sum(f(*args) * ograd)) / d args[i] for i in ``wrt``, in float64."""
    args = [np.array(a, dtype=np.float64) for a in args]
    grads = []
    for i in wrt:
        grad = np.zeros_like(args[i])
        for k in range(args[i].size):
            flat = args[i].reshape(-1)
            old = flat[k]
            flat[k] = old + eps
            plus = (np.asarray(f(*args)) * ograd).sum()
            flat[k] = old - eps
            minus = (np.asarray(f(*args)) * ograd).sum()
            flat[k] = old
            grad.reshape(-1)[k] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


R = np.random.RandomState(3)
X = R.uniform(-1, 1, (2, 4, 3))
G = R.uniform(-1, 1, (2, 4, 3))


def _stats(x, axes, eps):
    return x.mean(axes, keepdims=True), np.sqrt(x.var(axes, keepdims=True) + eps)


LN_MEAN, LN_STD = _stats(X, -1, 1e-5)
IN_MEAN, IN_STD = _stats(X, 2, 1e-3)
GN_MEAN, GN_STD = _stats(X.reshape(2, 2, -1), -1, 1e-5)
GAMMA3, GAMMA4, GAMMA2 = R.uniform(0.5, 1.5, 3), R.uniform(0.5, 1.5, 4), np.array([0.7, 1.3])


def _bw_ref(forward, beta_size):
    def ref(g, x, gamma, mean, std, **p):
        return numeric_vjp(lambda a, b, c: forward(a, b, c, **p),
                           [x, gamma, np.zeros(beta_size)], g, [0, 1, 2])
    return ref


L2_NORM = np.sqrt((X * X).sum((1, 2), keepdims=True) + 1e-10)
LRN_SCALE = 2.0 + 0.3 / 3 * sum(np.pad(X * X, [(0, 0), (1, 1), (0, 0)])[:, i:i + 4]
                                for i in range(3))

BACKWARD_SAMPLES = [
    Sample("_backward_LayerNorm", [G, X, GAMMA3, LN_MEAN, LN_STD], ref=_bw_ref(layer_ref, 3),
           rtol=1e-4, atol=1e-5),
    Sample("_backward_InstanceNorm", [G, X, GAMMA4, IN_MEAN[..., 0], IN_STD[..., 0]],
           ref=_bw_ref(instance_ref, 4), rtol=1e-4, atol=1e-5),
    Sample("_backward_GroupNorm", [G, X, GAMMA2, GN_MEAN[..., 0], GN_STD[..., 0]],
           {"num_groups": 2}, ref=_bw_ref(group_ref, 2), rtol=1e-4, atol=1e-5),
    Sample("_backward_L2Normalization", [G, X / L2_NORM, L2_NORM],
           ref=lambda g, y, n, **p: numeric_vjp(l2_ref, [y * n], g, [0])[0],
           rtol=1e-4, atol=1e-5),
    Sample("_backward_LRN", [G, X, LRN_SCALE], {"nsize": 3, "alpha": 0.3},
           ref=lambda g, x, s, **p: numeric_vjp(lambda a: lrn_ref(a, **p), [x], g, [0])[0],
           rtol=1e-4, atol=1e-5),
]


@parametrize(BACKWARD_SAMPLES)
def test_backward_op(sample):
    run_sample(sample)
