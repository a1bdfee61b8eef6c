"""Initializers: name-pattern rules, registry/JSON round trips, value statistics."""
import json
import warnings
import zlib

import numpy as np
import pytest

import mixnet as mx
from mixnet import initializer as init
from mixnet.initializer.rnn import fused_rnn_layout


def _desc(name, **attrs):
    return init.InitDesc(name, attrs)


def _filled(initializer, name, shape, dtype='float32', value=7.0):
    arr = mx.nd.full(shape, value, dtype=dtype)
    initializer(_desc(name), arr)
    return arr.asnumpy()


# --- pattern rules -----------------------------------------------------------------------
@pytest.mark.parametrize("name, expect", [
    ("fc1_weight", 1.0), ("fc1_bias", 0.0), ("bn_gamma", 1.0), ("bn_beta", 0.0),
    ("q_min", 0.0), ("q_max", 1.0),
])
def test_desc_suffix_rules(name, expect):
    out = _filled(init.One() if name.endswith("weight") else init.Zero(), name, (2, 3))
    assert (out == expect).all()


def test_unknown_pattern_raises():
    with pytest.raises(ValueError, match="Unknown initialization pattern for fc1_moving_mean"):
        init.Uniform()(_desc("fc1_moving_mean"), mx.nd.zeros((2,)))


def test_init_attribute_overrides_the_name_rule():
    arr = mx.nd.zeros((2, 2))
    desc = _desc("bn_moving_var", __init__='["one", {}]')
    init.Zero()(desc, arr)
    assert (arr.asnumpy() == 1).all()
    assert desc.global_init is not None            # filled in with the caller
    desc2 = _desc("x_bias", __init__=init.Constant(3.5).dumps())
    init.Zero()(desc2, arr)
    assert (arr.asnumpy() == 3.5).all()


def test_legacy_string_names():
    rules = {"bn_moving_mean": 0, "bn_moving_var": 1, "bn_moving_inv_var": 0,
             "x_moving_avg": 0, "stn_loc_weight": 0, "fc_weight": 1, "fc_bias": 0}
    for name, expect in rules.items():
        arr = mx.nd.full((6,), 5.0)
        with pytest.warns(DeprecationWarning):
            init.One()(name, arr)
        assert (arr.asnumpy() == expect).all(), name
    arr = mx.nd.zeros((6,))
    with pytest.warns(DeprecationWarning):
        init.One()("stn_loc_bias", arr)
    assert arr.asnumpy().tolist() == [1, 0, 0, 0, 1, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError):
            init.One()(3, arr)
        with pytest.raises(TypeError):
            init.One()("fc_weight", np.zeros(3))


def test_verbose_logging(caplog):
    ini = init.One().set_verbosity(True)
    with caplog.at_level("INFO"):
        ini(_desc("fc_weight"), mx.nd.zeros((4,)))
    assert "Initialized fc_weight as weight: 1.0" in caplog.text


# --- registry and JSON ----------------------------------------------------------------
def test_dumps_and_create_round_trip():
    assert init.Normal(0.5).dumps() == '["normal", {"sigma": 0.5}]'
    x = init.Xavier(factor_type="in", magnitude=2.34)
    assert json.loads(x.dumps()) == ["xavier", {"rnd_type": "uniform", "factor_type": "in",
                                                "magnitude": 2.34}]
    assert init.create(x.dumps()) == x
    assert init.MSRAPrelu().dumps() == '["msraprelu", {"factor_type": "avg", "slope": 0.25}]'
    assert isinstance(init.create("zeros"), init.Zero)
    assert isinstance(init.create("Ones"), init.One)
    assert init.create({"initializer": "uniform", "scale": 0.2}).scale == 0.2
    assert init.create('{"initializer": "normal", "sigma": 2}').sigma == 2
    assert init.create(initializer="constant", value=3).value == 3
    same = init.Uniform()
    assert init.create(same) is same
    with pytest.raises(ValueError, match="not registered"):
        init.create("no_such_init")
    with pytest.raises(ValueError):
        init.create(same, 1)


def test_constant_dumps_arrays():
    assert init.Constant(1).dumps() == '["constant", {"value": 1}]'
    c = init.Constant(mx.nd.ones((2,)))
    assert c.dumps() == '["constant", {"value": [1.0, 1.0]}]'
    assert init.Constant(np.zeros((1, 2))).dumps() == '["constant", {"value": [[0.0, 0.0]]}]'
    arr = mx.nd.zeros((2,))
    init.create(c.dumps())(_desc("w_weight"), arr)
    assert (arr.asnumpy() == 1).all()


def test_register_custom_with_alias():
    @init.register
    @init.alias("halves_for_test")
    class HalfForTest(init.Initializer):
        def _init_weight(self, _, arr):
            arr[:] = 0.5
    assert isinstance(init.create("halffortest"), HalfForTest)
    out = _filled(init.create("halves_for_test"), "a_weight", (3,))
    assert (out == 0.5).all()
    with pytest.raises(TypeError):
        init.register(object)


def test_equality():
    assert init.Uniform(0.1) == init.Uniform(0.1)
    assert init.Uniform(0.1) != init.Uniform(0.2)
    assert init.Uniform(0.1) != init.Normal(0.1)


# --- values -----------------------------------------------------------------------------
def test_uniform_and_normal_statistics():
    u = _filled(init.Uniform(0.3), "w_weight", (200, 100))
    assert np.abs(u).max() <= 0.3 and abs(u.mean()) < 0.01
    assert abs(u.std() - 0.3 / np.sqrt(3)) < 0.01
    n = _filled(init.Normal(2.0), "w_weight", (200, 100))
    assert abs(n.mean()) < 0.05 and abs(n.std() - 2.0) < 0.05


def test_draws_follow_mx_random_seed():
    mx.random.seed(42)
    first = _filled(init.Xavier(), "w_weight", (4, 5))
    mx.random.seed(42)
    assert (_filled(init.Xavier(), "w_weight", (4, 5)) == first).all()


def test_quantized_patterns():
    arr = mx.nd.zeros((3, 2), dtype='int8')
    init.Uniform()(_desc("q_weight_quantize"), arr)
    vals = arr.asnumpy()
    assert (vals == vals.flat[0]).all() and -127 <= vals.flat[0] < 127   # one draw, as MXNet
    init.Uniform()(_desc("q_bias_quantize"), arr)
    assert (arr.asnumpy() == 0).all()


@pytest.mark.parametrize("factor_type, factor", [("avg", (40 * 9 + 30 * 9) / 2),
                                                 ("in", 40 * 9), ("out", 30 * 9)])
@pytest.mark.parametrize("rnd_type", ["uniform", "gaussian"])
def test_xavier_scale(rnd_type, factor_type, factor):
    shape = (30, 40, 3, 3)
    out = _filled(init.Xavier(rnd_type, factor_type, magnitude=2), "c_weight", shape)
    scale = np.sqrt(2 / factor)
    if rnd_type == "uniform":
        assert np.abs(out).max() <= scale
        assert abs(out.std() - scale / np.sqrt(3)) < 0.05 * scale
    else:
        assert abs(out.std() - scale) < 0.05 * scale


def test_xavier_errors():
    with pytest.raises(ValueError, match="at least 2D"):
        init.Xavier()(_desc("v_weight"), mx.nd.zeros((5,)))
    with pytest.raises(ValueError, match="Incorrect factor type"):
        init.Xavier(factor_type="mid")(_desc("v_weight"), mx.nd.zeros((5, 5)))
    with pytest.raises(ValueError, match="Unknown random type"):
        init.Xavier(rnd_type="cauchy")(_desc("v_weight"), mx.nd.zeros((5, 5)))


def test_msraprelu_is_gaussian_xavier():
    ini = init.MSRAPrelu(factor_type="in", slope=0.0)
    assert ini.rnd_type == "gaussian" and ini.magnitude == 2.0
    out = _filled(ini, "c_weight", (100, 200))
    assert abs(out.std() - np.sqrt(2 / 200)) < 0.005


@pytest.mark.parametrize("shape", [(3, 8), (8, 3), (4, 2, 3)])
@pytest.mark.parametrize("rand_type", ["uniform", "normal"])
def test_orthogonal(shape, rand_type):
    out = _filled(init.Orthogonal(scale=2.0, rand_type=rand_type), "o_weight", shape)
    mat = out.reshape(shape[0], -1) / 2.0
    small = min(mat.shape)
    gram = mat @ mat.T if mat.shape[0] == small else mat.T @ mat
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)


def test_bilinear():
    out = _filled(init.Bilinear(), "up_weight", (2, 1, 4, 4))
    one_d = np.array([0.25, 0.75, 0.75, 0.25])
    np.testing.assert_array_equal(out[0, 0], np.outer(one_d, one_d))
    np.testing.assert_array_equal(out[1, 0], out[0, 0])
    odd = _filled(init.Bilinear(), "up_weight", (1, 1, 3, 3))[0, 0]
    # W = 3: f = 2, c = 0.75, so 1 - |x/2 - 0.75| = 0.25, 0.75, 0.75 (MXNet's values)
    np.testing.assert_allclose(odd, np.outer([0.25, 0.75, 0.75], [0.25, 0.75, 0.75]))
    # f and c come from the width for both axes
    wide = _filled(init.Bilinear(), "up_weight", (1, 1, 2, 5))[0, 0]
    x = 1 - np.abs(np.arange(5) / 3 - 2 / 3)
    y = 1 - np.abs(np.arange(2) / 3 - 2 / 3)
    np.testing.assert_allclose(wide, np.outer(y, x), rtol=1e-6)


def test_lstm_bias():
    out = _filled(init.LSTMBias(forget_bias=2.5), "l_weight", (12,))
    np.testing.assert_array_equal(out, [0] * 3 + [2.5] * 3 + [0] * 6)


def test_load_and_mixed(tmp_path):
    fname = str(tmp_path / "p.params")
    mx.nd.save(fname, {"arg:fc_weight": mx.nd.full((2, 2), 4.0),
                       "aux:bn_moving_mean": mx.nd.full((2,), 2.0)})
    loader = init.Load(fname, default_init=init.One())
    w, m, b = mx.nd.zeros((2, 2)), mx.nd.zeros((2,)), mx.nd.zeros((3,))
    loader("fc_weight", w)
    loader("bn_moving_mean", m)
    loader(_desc("other_weight"), b)
    assert (w.asnumpy() == 4).all() and (m.asnumpy() == 2).all() and (b.asnumpy() == 1).all()
    with pytest.raises(ValueError, match="Shape mismatch"):
        loader("fc_weight", mx.nd.zeros((3,)))
    with pytest.raises(ValueError, match="no default Initializer"):
        init.Load({"a": mx.nd.zeros((1,))})("b", mx.nd.zeros((1,)))

    mixed = init.Mixed(["bias", ".*"], [init.Constant(3), init.One()])
    arr = mx.nd.zeros((2,))
    mixed(_desc("bias_weight"), arr)   # re.match: the name starts with 'bias'
    assert (arr.asnumpy() == 3).all()
    mixed(_desc("fc_weight"), arr)
    assert (arr.asnumpy() == 1).all()
    with pytest.raises(ValueError, match="did not match any pattern"):
        init.Mixed(["a"], [init.One()])(_desc("b_weight"), arr)


def test_float16_and_float64_targets():
    for dtype in ("float16", "float64"):
        arr = mx.nd.zeros((10, 10), dtype=dtype)
        init.Xavier()(_desc("w_weight"), arr)
        assert arr.dtype == np.dtype(dtype) and np.abs(arr.asnumpy()).max() > 0


# --- FusedRNN ---------------------------------------------------------------------------
class _NameCode(init.Initializer):
    """Fills each array with a number derived from its name (layout checks)."""

    def _init_weight(self, name, arr):
        arr[:] = _code(name)

    _init_bias = _init_weight


def _code(name):
    return (zlib.crc32(str(name).encode()) % 1000) / 10.0


def test_fused_rnn_lstm_layout():
    h, ni = 2, 3
    size = (ni + h + 2) * h * 4
    arr = mx.nd.zeros((size,))
    ini = init.FusedRNN(None, num_hidden=h, num_layers=1, mode='lstm', forget_bias=5.0)
    ini._init_weight(init.InitDesc("parameters", global_init=_NameCode()), arr)
    out = arr.asnumpy()
    expect, p = [], 0
    for kind, cols in (("i2h", ni), ("h2h", h)):
        for gate in "ifco":
            expect += [_code(f"l0_{kind}_{gate}_weight")] * (h * cols)
    for kind in ("i2h", "h2h"):
        for gate in "ifco":
            expect += [5.0 if gate == "f" else _code(f"l0_{kind}_{gate}_bias")] * h
    np.testing.assert_allclose(out, np.array(expect, dtype=np.float32))


def test_fused_rnn_layout_sizes_and_errors():
    h, b, layers, ni = 3, 2, 2, 4
    size = (ni + h + 2) * h * 3 * b + (layers - 1) * 3 * h * (h + b * h + 2) * b
    layout = fused_rnn_layout(size, h, layers, 'gru', True)
    assert layout[0] == ('l0_i2h_r_weight', 0, (h, ni))
    assert ('r1_i2h_z_weight', layout[[n for n, _, _ in layout].index('r1_i2h_z_weight')][1],
            (h, b * h)) in layout
    assert layout[-1][0] == 'r1_h2h_o_bias' and layout[-1][1] + h == size
    with pytest.raises(ValueError, match="Invalid parameters size"):
        fused_rnn_layout(size + 1, h, layers, 'gru', True)
    with pytest.raises(ValueError, match="mode"):
        fused_rnn_layout(size, h, layers, 'mlp', True)
    ini = init.FusedRNN(init.One(), 3, 1, 'gru')
    assert json.loads(ini.dumps())[1]["init"] == '["one", {}]'
    assert init.FusedRNN('["zero", {}]', 3, 1, 'gru')._init == init.Zero()
