"""Optimizers: each update step against a hand-written NumPy formula, plus the base
class (lr/wd multipliers, update counts, schedulers), the registry and the Updater."""
import pickle

import numpy as np
import pytest

import mixnet as mx
from mixnet import optimizer as opt
from mixnet import lr_scheduler

SHAPE = (3, 4)


def _clip(x, c):
    return x if c is None else np.clip(x, -c, c)


# --- NumPy references: ref(w, g, s, t, kw) updates w and the state dict s in place ----------
def ref_sgd(w, g, s, t, kw):
    lr, mom, wd = kw["learning_rate"], kw.get("momentum", 0.0), kw.get("wd", 0.0)
    g = _clip(kw.get("rescale_grad", 1.0) * g, kw.get("clip_gradient"))
    if mom:
        s["mom"] = mom * s.get("mom", 0) - lr * (g + wd * w)
        w += s["mom"]
    else:
        w[:] = (1 - lr * wd) * w - lr * g


def ref_nag(w, g, s, t, kw):
    # NOTE: nag_mom_update's documented math. Real MXNet 1.9.1, called with out=weight,
    # writes the weight first and then reads it back for the momentum's wd term, so with
    # wd != 0 its momentum (and the weight from step 2 on) differs slightly from this.
    lr, mom, wd = kw["learning_rate"], kw.get("momentum", 0.0), kw.get("wd", 0.0)
    g = _clip(kw.get("rescale_grad", 1.0) * g, kw.get("clip_gradient")) + wd * w
    if mom:
        s["mom"] = mom * s.get("mom", 0) - lr * g
        w += mom * s["mom"] - lr * g
    else:
        w -= lr * g


def ref_signum(w, g, s, t, kw):
    lr, mom, wd, wd_lh = kw["learning_rate"], kw["momentum"], kw.get("wd", 0), kw["wd_lh"]
    g = _clip(kw.get("rescale_grad", 1.0) * g, kw.get("clip_gradient"))
    s["mom"] = mom * s.get("mom", 0) - (1 - mom) * (wd * w + g)
    w[:] = (1 - lr * wd_lh) * w + lr * np.sign(s["mom"])


def ref_adam(w, g, s, t, kw):
    lr, b1, b2, eps = kw["learning_rate"], 0.9, 0.999, 1e-8
    g = _clip(kw.get("rescale_grad", 1.0) * g + kw.get("wd", 0) * w, kw.get("clip_gradient"))
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    w -= lr_t * s["m"] / (np.sqrt(s["v"]) + eps)


def ref_adamax(w, g, s, t, kw):
    lr, b1, b2 = kw["learning_rate"], 0.9, 0.999
    g = _clip(kw.get("rescale_grad", 1.0) * g + kw.get("wd", 0) * w, kw.get("clip_gradient"))
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0), np.abs(g))
    w -= lr / (1 - b1 ** t) * s["m"] / s["u"]


def ref_nadam(w, g, s, t, kw):
    lr, b1, b2, eps, sd = kw["learning_rate"], 0.9, 0.999, 1e-8, 0.004
    g = _clip(kw.get("rescale_grad", 1.0) * g + kw.get("wd", 0) * w, kw.get("clip_gradient"))
    mom_t = b1 * (1 - 0.5 * 0.96 ** (t * sd))
    mom_t1 = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * sd))
    s["sched"] = s.get("sched", 1.0) * mom_t
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    m_bar = (1 - mom_t) * g / (1 - s["sched"]) + mom_t1 * s["m"] / (1 - s["sched"] * mom_t1)
    w -= lr * m_bar / (np.sqrt(s["v"] / (1 - b2 ** t)) + eps)


def ref_adagrad(w, g, s, t, kw):
    lr, wd, eps = kw["learning_rate"], kw.get("wd", 0), kw.get("eps", 1e-7)
    g = _clip(kw.get("rescale_grad", 1.0) * g, kw.get("clip_gradient"))
    s["h"] = s.get("h", 0) + g * g
    w -= lr * (g / np.sqrt(s["h"] + eps) + wd * w)


def ref_rmsprop(w, g, s, t, kw):
    lr, g1, g2, eps = kw["learning_rate"], kw.get("gamma1", 0.9), kw.get("gamma2", 0.9), 1e-8
    g = _clip(kw.get("rescale_grad", 1.0) * g + kw.get("wd", 0) * w, kw.get("clip_gradient"))
    s["n"] = (1 - g1) * g * g + g1 * s.get("n", 0)
    if kw.get("centered"):
        s["g"] = (1 - g1) * g + g1 * s.get("g", 0)
        s["d"] = g2 * s.get("d", 0) - lr * g / np.sqrt(s["n"] - s["g"] ** 2 + eps)
        w += s["d"]
    else:
        w -= lr * g / np.sqrt(s["n"] + eps)
    if kw.get("clip_weights"):
        w[:] = np.clip(w, -kw["clip_weights"], kw["clip_weights"])


def ref_adadelta(w, g, s, t, kw):
    rho, eps, wd = kw.get("rho", 0.9), kw.get("epsilon", 1e-5), kw.get("wd", 0)
    g = _clip(kw.get("rescale_grad", 1.0) * g, kw.get("clip_gradient"))
    s["ag"] = rho * s.get("ag", 0) + (1 - rho) * g * g
    delta = np.sqrt(s.get("ad", 0) + eps) / np.sqrt(s["ag"] + eps) * g
    s["ad"] = rho * s.get("ad", 0) + (1 - rho) * delta * delta
    w -= delta + wd * w


def ref_ftrl(w, g, s, t, kw):
    lr, l1, beta, wd = kw["learning_rate"], kw.get("lamda1", 0.01), kw.get("beta", 1), \
        kw.get("wd", 0)
    g = _clip(kw.get("rescale_grad", 1.0) * g, kw.get("clip_gradient"))
    n = s.get("n", 0)
    s["z"] = s.get("z", 0) + g - (np.sqrt(n + g * g) - np.sqrt(n)) * w / lr
    s["n"] = n + g * g
    z = s["z"]
    w[:] = (np.sign(z) * l1 - z) / ((beta + np.sqrt(s["n"])) / lr + wd) * (np.abs(z) > l1)


def ref_ftml(w, g, s, t, kw):
    lr, b1, b2, eps = kw["learning_rate"], 0.6, 0.999, 1e-8
    g = _clip(kw.get("rescale_grad", 1.0) * g + kw.get("wd", 0) * w, kw.get("clip_gradient"))
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    d_t = (1 - b1 ** t) / lr * (np.sqrt(s["v"] / (1 - b2 ** t)) + eps)
    s["z"] = b1 * s.get("z", 0) + (1 - b1) * g - (d_t - b1 * s.get("d", 0)) * w
    s["d"] = d_t
    w[:] = -s["z"] / d_t


def ref_lamb(w, g, s, t, kw):
    lr, b1, b2, eps, wd = kw["learning_rate"], 0.9, 0.999, 1e-6, kw.get("wd", 0)
    g = _clip(kw.get("rescale_grad", 1.0) * g, kw.get("clip_gradient"))
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    m, v = s["m"], s["v"]
    if kw.get("bias_correction", True):
        m, v = m / (1 - b1 ** t), v / (1 - b2 ** t)
    direction = m / (np.sqrt(v) + eps) + wd * w
    r1 = np.linalg.norm(w)
    if kw.get("lower_bound"):
        r1 = max(r1, kw["lower_bound"])
    if kw.get("upper_bound"):
        r1 = min(r1, kw["upper_bound"])
    r2 = np.linalg.norm(direction)
    ratio = 1.0 if r1 == 0 or r2 == 0 else r1 / r2
    w -= lr * ratio * direction


def ref_dcasgd(w, g, s, t, kw):
    lr, mom, wd, lamda = kw["learning_rate"], kw.get("momentum", 0), kw.get("wd", 0), 0.04
    g = _clip(kw.get("rescale_grad", 1.0) * g, kw.get("clip_gradient"))
    prev = s.get("prev", s["w0"])
    step = -lr * (g + wd * w + lamda * g * g * (w - prev))
    s["mom"] = mom * s.get("mom", 0) + step if mom else step
    s["prev"] = w.copy()
    w += s["mom"]


def ref_lars(w, g, s, t, kw):
    lr, eta, wd = kw["learning_rate"], kw.get("eta", 0.001), kw.get("wd", 0)
    rg = kw.get("rescale_grad", 1.0)
    w_norm, g_norm = np.linalg.norm(w), np.linalg.norm(g * rg)
    lr_layer = lr * eta * w_norm / (g_norm + wd * w_norm) if w_norm > 0 and g_norm > 0 else lr
    ref_sgd(w, g, s, t, dict(kw, learning_rate=lr_layer))


def ref_test(w, g, s, t, kw):
    w += kw.get("rescale_grad", 1.0) * g


COMMON = dict(rescale_grad=0.7, clip_gradient=0.35, wd=0.03)
CASES = [
    ("sgd", ref_sgd, dict(learning_rate=0.1)),
    ("sgd", ref_sgd, dict(learning_rate=0.1, momentum=0.9, **COMMON)),
    ("sgd", ref_sgd, dict(learning_rate=0.1, **COMMON)),
    ("ccsgd", ref_sgd, dict(learning_rate=0.1, momentum=0.5)),
    ("nag", ref_nag, dict(learning_rate=0.1, momentum=0.9, **COMMON)),
    ("nag", ref_nag, dict(learning_rate=0.1, **COMMON)),
    ("signum", ref_signum, dict(learning_rate=0.05, momentum=0.9, wd_lh=0.01, **COMMON)),
    ("adam", ref_adam, dict(learning_rate=0.01, **COMMON)),
    ("adam", ref_adam, dict(learning_rate=0.01)),
    ("adamax", ref_adamax, dict(learning_rate=0.01, **COMMON)),
    ("nadam", ref_nadam, dict(learning_rate=0.01, **COMMON)),
    ("adagrad", ref_adagrad, dict(learning_rate=0.1, **COMMON)),
    ("rmsprop", ref_rmsprop, dict(learning_rate=0.01, **COMMON)),
    ("rmsprop", ref_rmsprop, dict(learning_rate=0.01, centered=True, clip_weights=0.5,
                                  **COMMON)),
    ("adadelta", ref_adadelta, dict(learning_rate=1.0, **COMMON)),
    ("ftrl", ref_ftrl, dict(learning_rate=0.1, **COMMON)),
    ("ftml", ref_ftml, dict(learning_rate=0.01, **COMMON)),
    ("lamb", ref_lamb, dict(learning_rate=0.01, **COMMON)),
    ("lamb", ref_lamb, dict(learning_rate=0.01, bias_correction=False, lower_bound=0.5,
                            upper_bound=1.0, **COMMON)),
    ("dcasgd", ref_dcasgd, dict(learning_rate=0.1, momentum=0.9, **COMMON)),
    ("dcasgd", ref_dcasgd, dict(learning_rate=0.1, **COMMON)),
    ("lars", ref_lars, dict(learning_rate=0.1, momentum=0.9, rescale_grad=0.7, wd=0.03)),
    ("test", ref_test, dict(rescale_grad=0.5)),
]


def _run(name, kwargs, dtype, steps=3, seed=0):
    """(mixnet weight, reference weight) after ``steps`` updates of one weight."""
    rng = np.random.RandomState(seed)
    w_np = rng.uniform(-1, 1, SHAPE).astype(dtype)
    o = opt.create(name, **kwargs)
    w = mx.nd.array(w_np, dtype=dtype)
    state = o.create_state_multi_precision(0, w)
    ref_w, ref_s = w_np.astype(np.float64), {"w0": w_np.astype(np.float64)}
    for t in range(1, steps + 1):
        g_np = rng.uniform(-1, 1, SHAPE).astype(dtype)
        o.update_multi_precision(0, w, mx.nd.array(g_np, dtype=dtype), state)
        REFS[name](ref_w, g_np.astype(np.float64), ref_s, t, kwargs)
    return w.asnumpy(), ref_w


REFS = {name: ref for name, ref, _ in CASES}


@pytest.mark.parametrize("name, ref, kwargs", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_update_matches_numpy(name, ref, kwargs, dtype):
    if name in ("rmsprop", "adadelta", "ftrl", "adagrad") and dtype == np.float64:
        # MXNet keeps these states in float32 (nd.zeros' default): float64 weights fail
        # type inference there too
        with pytest.raises(mx.base.MXNetError, match="float64 vs float32|float32 vs float64"):
            _run(name, kwargs, dtype)
        return
    got, expect = _run(name, kwargs, dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got, expect, rtol=tol * 10, atol=tol)


@pytest.mark.parametrize("name", ["sgd", "nag", "lamb", "adam"])
def test_multi_precision_float16(name):
    kwargs = dict(learning_rate=0.01, momentum=0.9, multi_precision=True) \
        if name in ("sgd", "nag") else dict(learning_rate=0.01, multi_precision=True)
    rng = np.random.RandomState(1)
    w16 = rng.uniform(-1, 1, SHAPE).astype(np.float16)
    o = opt.create(name, **kwargs)
    w = mx.nd.array(w16, dtype=np.float16)
    state = o.create_state_multi_precision(0, w)
    master = state[1] if name in ("sgd", "nag") else state[0]
    assert master.dtype == np.float32
    ref_w, ref_s = w16.astype(np.float64), {}
    for t in (1, 2):
        g = rng.uniform(-1, 1, SHAPE).astype(np.float16)
        o.update_multi_precision(0, w, mx.nd.array(g, dtype=np.float16), state)
        REFS[name](ref_w, g.astype(np.float64), ref_s, t, kwargs)
    assert w.dtype == np.float16
    np.testing.assert_allclose(master.asnumpy(), ref_w, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(w.asnumpy(), master.asnumpy().astype(np.float16))


def test_float16_without_multi_precision_warns():
    with pytest.warns(UserWarning, match="multi_precision=True option of the SGD optimizer"):
        opt.SGD(momentum=0.9).create_state_multi_precision(0, mx.nd.zeros((2,), dtype='float16'))
    with pytest.warns(UserWarning, match="option of the optimizer"):
        opt.Adam().create_state_multi_precision(0, mx.nd.zeros((2,), dtype='float16'))


def test_sgld_adds_noise_of_variance_lr():
    o = opt.SGLD(learning_rate=0.01)
    w = mx.nd.zeros((200, 100))
    o.update(0, w, mx.nd.zeros((200, 100)), o.create_state(0, w))
    assert abs(w.asnumpy().std() - 0.1) < 0.005


def test_adagrad_and_rmsprop_states_are_float32():
    w = mx.nd.zeros((2,), dtype='float64')
    assert opt.AdaGrad().create_state(0, w).dtype == np.float32
    assert all(s.dtype == np.float32 for s in opt.RMSProp(centered=True).create_state(0, w))
    assert all(s.dtype == np.float64 for s in opt.Adam().create_state(0, w))


def test_update_rejects_non_ndarrays():
    o = opt.Adam()
    w = mx.nd.zeros((2,))
    with pytest.raises(TypeError, match="grad must be an NDArray"):
        o.update(0, w, np.zeros(2), o.create_state(0, w))


# --- base class: learning rate, multipliers, counts -------------------------------------
def test_learning_rate_and_scheduler():
    o = opt.Optimizer(learning_rate=0.01)
    o.set_learning_rate(0.2)
    assert o.learning_rate == 0.2
    assert opt.Optimizer().learning_rate == 0.01
    sched = lr_scheduler.FactorScheduler(step=1, factor=0.5, base_lr=1.0)
    o = opt.SGD(lr_scheduler=sched, learning_rate=0.8)
    assert sched.base_lr == 0.8
    with pytest.raises(UserWarning):
        o.set_learning_rate(0.5)
    w = mx.nd.ones((1,))
    for _ in range(3):
        o.update(0, w, mx.nd.ones((1,)), None)
    # lrs used: counts 1, 2, 3 -> 0.8, 0.4, 0.2 (halved once num_update > count + step)
    assert w.asnumpy()[0] == pytest.approx(1 - 0.8 - 0.4 - 0.2)
    assert o.num_update == 3 and o.learning_rate == pytest.approx(0.2)


def test_lr_wd_mult_by_name_index_and_idx2name():
    names = {0: "fc_weight", 1: "fc_bias", 2: "bn_gamma", 3: "bn_beta"}
    o = opt.SGD(learning_rate=1.0, wd=0.1, param_idx2name=names)
    assert o.wd_mult == {"fc_bias": 0.0, "bn_beta": 0.0}
    assert [o._get_wd(i) for i in range(4)] == [0.1, 0.0, 0.1, 0.0]
    o.set_lr_mult({"fc_weight": 0.5, 3: 2.0})
    assert [o._get_lr(i) for i in range(4)] == [0.5, 1.0, 1.0, 2.0]
    o.set_wd_mult({"fc_bias": 3.0})
    assert o._get_wd(1) == pytest.approx(0.3)
    lars = opt.LARS(param_idx2name=names)
    assert lars.wd_mult == {"fc_bias": 0.0, "bn_gamma": 0.0, "bn_beta": 0.0}


def test_mults_from_symbol_attributes():
    data = mx.sym.Variable("data")
    w = mx.sym.Variable("fc_weight", lr_mult=0.0)
    b = mx.sym.Variable("fc_bias", wd_mult=0.5, lr_mult=2)
    out = data + w + b
    o = opt.SGD(sym=out, param_idx2name={0: "fc_weight", 1: "fc_bias"})
    assert o.lr_mult == {"fc_weight": 0.0, "fc_bias": 2.0}
    assert o.wd_mult == {"fc_bias": 0.5}


class _Param:
    def __init__(self, lr_mult, wd_mult):
        self.lr_mult, self.wd_mult = lr_mult, wd_mult


def test_param_dict_mults_win_and_are_not_pickled():
    o = opt.SGD(learning_rate=0.5, wd=0.2, param_dict={0: _Param(3.0, 0.5)})
    o.set_lr_mult({0: 100.0})
    assert o._get_lr(0) == 1.5 and o._get_wd(0) == pytest.approx(0.1)
    clone = pickle.loads(pickle.dumps(o))
    assert clone.param_dict == {} and clone._get_lr(0) == 50.0


def test_update_counts_per_index_and_device():
    o = opt.Optimizer(begin_num_update=10)
    o._update_count(0)
    o._update_count([0, 1])
    assert o._index_update_count == {0: 12, 1: 11} and o.num_update == 12
    o._set_current_context(1)
    o._update_count(0)
    assert o._index_update_count == {0: 11} and o.num_update == 12
    o._set_current_context(0)
    assert o._index_update_count[0] == 12


def test_registry_and_create():
    assert isinstance(opt.create("SGD"), opt.SGD)
    assert isinstance(opt.Optimizer.create_optimizer("rmsprop"), opt.RMSProp)
    assert {"sgd", "adam", "lamb", "test", "groupadagrad", "lbsgd"} <= \
        set(opt.Optimizer.opt_registry)
    with pytest.raises(ValueError, match="Cannot find optimizer nope"):
        opt.create("nope")

    @opt.register
    class MyOptForTest(opt.Optimizer):
        pass
    assert type(opt.create("myoptfortest")) is MyOptForTest
    with pytest.warns(UserWarning, match="overriding"):
        opt.register(MyOptForTest)
    assert opt.Adam().learning_rate == 0.001 and opt.Ftrl().learning_rate == 0.1
    assert opt.Adamax().learning_rate == 0.002 and opt.SGD().aggregate_num == 4
    assert opt.LAMB().aggregate_num == 45 and opt.Adam().aggregate_num == 0


# --- Updater ------------------------------------------------------------------------------
def _weights(n, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.uniform(-1, 1, (2, 3)).astype(np.float32) for _ in range(n)]


def test_updater_aggregated_matches_one_by_one():
    ws, gs = _weights(6), _weights(6, seed=1)
    agg = opt.get_updater(opt.SGD(learning_rate=0.1, momentum=0.9, wd=0.01))
    assert agg.aggregate_updates
    w_agg = [mx.nd.array(w) for w in ws]
    ws64 = [mx.nd.array(w, dtype='float64') for w in ws[:2]]   # two dtypes: two groups
    for _ in range(2):
        agg(list(range(6)), [mx.nd.array(g) for g in gs], w_agg)
        agg([10, 11], [mx.nd.array(g, dtype='float64') for g in gs[:2]], ws64)
    for i in range(6):
        ref_w, ref_s = ws[i].astype(np.float64), {}
        for t in (1, 2):
            ref_sgd(ref_w, gs[i].astype(np.float64), ref_s, t,
                    dict(learning_rate=0.1, momentum=0.9, wd=0.01))
        np.testing.assert_allclose(w_agg[i].asnumpy(), ref_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ws64[1].asnumpy(), w_agg[1].asnumpy(), rtol=1e-5)


def test_updater_states_round_trip():
    ws, gs = _weights(2), _weights(2, seed=1)
    make = lambda: opt.get_updater(opt.Adam(learning_rate=0.01))  # noqa: E731
    ref, saved = make(), make()
    w_ref = [mx.nd.array(w) for w in ws]
    w_sav = [mx.nd.array(w) for w in ws]
    for i in range(2):
        ref(i, mx.nd.array(gs[i]), w_ref[i])
        saved(i, mx.nd.array(gs[i]), w_sav[i])
    blob = saved.get_states(dump_optimizer=True)
    restored = make()
    restored.set_states(blob)
    assert restored.optimizer._index_update_count == {0: 1, 1: 1}
    assert not any(restored.states_synced.values())
    for i in range(2):
        ref(i, mx.nd.array(gs[i]), w_ref[i])
        restored(i, mx.nd.array(gs[i]), w_sav[i])
        np.testing.assert_allclose(w_sav[i].asnumpy(), w_ref[i].asnumpy(), rtol=1e-6)
    assert all(restored.states_synced.values())
    states_only = make()
    states_only.set_states(ref.get_states())
    assert set(states_only.states) == {0, 1}
    assert isinstance(states_only.optimizer, opt.Adam)


def test_updater_bytes_keys_and_sync_context():
    up = opt.get_updater(opt.Test())
    w = mx.nd.zeros((2,))
    up(b"w0", mx.nd.ones((2,)), w)
    assert "w0" in up.states and (up.states["w0"].asnumpy() == 1).all()
    nested = (mx.nd.ones((1,)), [mx.nd.ones((1,)), None])
    synced = up.sync_state_context(nested, mx.cpu())
    assert isinstance(synced, tuple) and isinstance(synced[1], list) and synced[1][1] is None


def test_group_adagrad():
    w_np, g_np = _weights(2)
    o = opt.contrib.GroupAdaGrad(learning_rate=0.1)
    w = mx.nd.array(w_np)
    state = o.create_state(0, w)
    assert state.shape == (2, 1)
    o.update(0, w, mx.nd.array(g_np), state)
    hist = (g_np.astype(np.float64) ** 2).mean(axis=1, keepdims=True)
    expect = w_np - 0.1 * g_np / np.sqrt(hist + 1e-5)
    np.testing.assert_allclose(w.asnumpy(), expect, rtol=1e-5)
    with pytest.raises(ValueError, match="Weight decay"):
        opt.contrib.GroupAdaGrad(wd=0.1).update(0, w, w, state)


def test_classes_reachable_where_mxnet_pickles_name_them():
    # MXNet's pickles refer to mxnet.optimizer.optimizer.<Class>
    from mixnet.optimizer import optimizer as base_module
    for name in ("SGD", "NAG", "Adam", "RMSProp", "LAMB", "Updater", "Test", "Optimizer"):
        assert getattr(base_module, name) is getattr(opt, name)


def test_optimizer_pickle_round_trip_keeps_schedule_and_counts():
    o = opt.SGD(learning_rate=0.1, momentum=0.9,
                lr_scheduler=lr_scheduler.FactorScheduler(step=1, factor=0.5, base_lr=0.1))
    o._update_count(0)
    o._update_count(0)
    clone = pickle.loads(pickle.dumps(o))
    assert type(clone) is opt.SGD and clone.num_update == 2
    assert clone.learning_rate == pytest.approx(o.learning_rate)
