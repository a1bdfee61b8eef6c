"""Block / HybridBlock / SymbolBlock: naming, registration, hybridize, save/load, export."""
import json
import threading
import warnings

import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd, gluon
from mixnet.gluon import nn
from mixnet.gluon.block import _BlockScope


class _Net(gluon.Block):
    def __init__(self, in_units=0, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense0 = nn.Dense(5, in_units=in_units)
            self.dense1 = nn.Dense(5, in_units=in_units)

    def forward(self, x):
        return self.dense1(self.dense0(x))


def test_automatic_names():
    net = nn.HybridSequential(prefix="test_")
    with net.name_scope():
        net.add(nn.Conv2D(10, 3))
        net.add(nn.Dense(10, activation="relu"))
    assert set(net.collect_params().keys()) == \
        {"test_conv0_weight", "test_conv0_bias", "test_dense0_weight", "test_dense0_bias"}
    assert set(net.collect_params(".*weight").keys()) == {"test_conv0_weight",
                                                          "test_dense0_weight"}
    assert net[1].name == "test_dense0" and net.name == "test"


def test_top_level_counter_is_per_thread():
    names = []

    def make():
        names.append(nn.Dense(2).name)
    t = threading.Thread(target=make)
    t.start()
    t.join()
    assert names == ["dense0"]


def test_block_scope_sets_name_prefix():
    class Dummy:
        prefix = "outer_"
        _empty_prefix = False
    with _BlockScope(Dummy()):
        assert mx.name.NameManager.current.get(None, "hello") == "outer_hello0"
    prefix, params = _BlockScope.create(None, None, "hint")
    assert prefix.startswith("hint") and params.prefix == prefix


def test_attribute_registration_and_type_change():
    b = gluon.Block()
    b.c = gluon.Block()
    c2 = gluon.Block()
    b.c = c2
    assert list(b._children.values()) == [c2]
    with pytest.raises(TypeError, match="Changing attribute type"):
        b.c = (2,)
    b.p = gluon.Parameter("w", shape=(1,))
    assert b._reg_params["p"] is b.p
    b.a = None
    b.a = 1


def test_unregistered_container_warns():
    class Model(gluon.Block):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.layers = [nn.Dense(10) for _ in range(2)]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        Model().collect_params()
    assert any("unregistered container" in str(x.message) for x in w)


def test_hybrid_block_requires_hybrid_children():
    with pytest.raises(ValueError, match="Children of HybridBlock"):
        nn.HybridSequential().add(nn.Sequential())


def test_deferred_init_fills_shapes():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, kernel_size=2, padding=1), nn.BatchNorm(), nn.Dense(3))
    net.initialize()
    with pytest.raises(gluon.DeferredInitializationError):
        net[0].weight.data()
    net(mx.nd.ones((2, 3, 5, 7)))
    assert net[0].weight.shape == (4, 3, 2, 2)
    assert net[1].gamma.shape == (4,)
    assert net[2].weight.shape == (3, 4 * 6 * 8)


def test_symbol_input_gives_symbol():
    model = nn.Sequential()
    model.add(nn.Dense(128, activation="tanh", in_units=10, flatten=False))
    model.add(nn.Dropout(0.5))
    model.add(nn.Dense(64, activation="tanh", in_units=256), nn.Dense(32, in_units=64))
    y = model(mx.sym.var("data"))
    assert isinstance(y, mx.sym.Symbol)
    assert len(y.list_arguments()) == 7
    dense = nn.Dense(128, activation="tanh", in_units=10, flatten=False, prefix="test_")
    out = dense(mx.sym.var("data"))
    assert out.list_outputs() == ["test_tanh_fwd_output"]
    assert out.infer_shape(data=(2, 3, 10))[1] == [(2, 3, 128)]


def _check_hybrid_matches(net, x):
    net.initialize()
    x1, x2 = x.copy(), x.copy()
    x1.attach_grad()
    x2.attach_grad()
    with autograd.record():
        y1 = net(x1)
    y1.backward()
    net.hybridize()
    with autograd.record():
        y2 = net(x2)
    y2.backward()
    np.testing.assert_allclose(y1.asnumpy(), y2.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x1.grad.asnumpy(), x2.grad.asnumpy(), rtol=1e-5, atol=1e-6)
    return net


def test_hybridize_matches_imperative():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(8, activation="relu"), nn.Dense(3, in_units=8))
    net = _check_hybrid_matches(net, mx.nd.random.uniform(shape=(4, 5)))
    assert net._cached_op is not None
    assert net[0].weight.grad().shape == (8, 5)


def test_hybridize_batchnorm_updates_running_stats():
    bn = nn.BatchNorm(in_channels=3)
    bn.initialize()
    bn.hybridize()
    with autograd.record():
        bn(mx.nd.random.normal(loc=5, shape=(4, 3, 2, 2)))
    assert np.all(bn.running_mean.data().asnumpy() > 0.1)


def test_hybrid_argument_structure_errors():
    class Add(gluon.HybridBlock):
        def hybrid_forward(self, F, a, b=None):
            return a if b is None else a + b

    net = Add()
    net.hybridize()
    np.testing.assert_allclose(net(mx.nd.ones((2,))).asnumpy(), [1, 1])
    np.testing.assert_allclose(net(mx.nd.ones((2,)), None).asnumpy(), [1, 1])
    with pytest.raises(ValueError, match="argument structure"):
        net(mx.nd.ones((2,)), mx.nd.ones((2,)))
    with pytest.raises(ValueError, match="mixed NDArrays and Symbols"):
        Add()(mx.nd.ones((2,)), mx.sym.var("a"))
    with pytest.raises(ValueError, match="must be"):
        net2 = Add()
        net2.hybridize()
        net2(mx.nd.ones((2,)), 1)


def test_hybrid_stale_cache_cleared_on_add():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(10, weight_initializer="zeros", bias_initializer="ones",
                         flatten=False))
    net.hybridize()
    net.initialize()
    assert net(mx.nd.ones((2, 3, 5))).shape == (2, 3, 10)
    net.add(nn.Flatten())
    assert net(mx.nd.ones((2, 3, 5))).shape == (2, 30)


def test_hooks_and_apply():
    calls = []
    block = nn.Dense(10)
    block.initialize()
    handle = block.register_forward_hook(lambda b, x, y: calls.append("post"))
    pre = block.register_forward_pre_hook(lambda b, x: calls.append("pre"))
    block(mx.nd.ones((3, 5)))
    handle.detach()
    block(mx.nd.ones((3, 5)))
    pre.detach()
    block(mx.nd.ones((3, 5)))
    assert calls == ["pre", "post", "pre"]
    names = []
    seq = nn.HybridSequential(prefix="test_")
    with seq.name_scope():
        seq.add(nn.Dense(10), nn.Dropout(0.5))
    seq.apply(lambda b: names.append(b.name))
    assert names == ["test_dense0", "test_dropout0", "test"]


def test_save_load_parameters_round_trip(tmp_path):
    fname = str(tmp_path / "net.params")
    net1 = _Net(prefix="net1_", in_units=5)
    net1.initialize()
    x = mx.nd.random.uniform(shape=(3, 5))
    y1 = net1(x)
    net1.save_parameters(fname)
    assert sorted(mx.nd.load(fname).keys()) == ["dense0.bias", "dense0.weight",
                                                "dense1.bias", "dense1.weight"]
    net2 = _Net(prefix="net2_")
    net2.load_parameters(fname)
    np.testing.assert_allclose(net2(x).asnumpy(), y1.asnumpy(), rtol=1e-6)
    net3 = _Net(prefix="net3_", in_units=5)
    with pytest.raises(AssertionError, match="missing"):
        net3.dense0.collect_params().initialize()
        net3.dense0.save_parameters(str(tmp_path / "part.params"))
        net3.load_parameters(str(tmp_path / "part.params"))


def test_legacy_save_params_names(tmp_path):
    fname = str(tmp_path / "legacy.params")
    net = _Net(prefix="legacy_", in_units=5)
    net.initialize()
    with pytest.warns(UserWarning, match="deprecated"):
        net.save_params(fname)
    assert "dense0_weight" in mx.nd.load(fname)
    other = _Net(prefix="other_", in_units=5)
    other.load_parameters(fname)
    np.testing.assert_array_equal(other.dense0.weight.data().asnumpy(),
                                  net.dense0.weight.data().asnumpy())


def test_share_parameters():
    net1 = _Net(prefix="net1_", in_units=5)
    net2 = _Net(prefix="net2_", params=net1.collect_params())
    net1.collect_params().initialize()
    assert net2.dense0.weight is net1.dense0.weight
    x = mx.nd.ones((2, 5))
    np.testing.assert_array_equal(net1(x).asnumpy(), net2(x).asnumpy())


def test_export_and_symbol_block_imports(tmp_path):
    path = str(tmp_path / "model")
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(4, activation="relu"), nn.BatchNorm(), nn.Dense(2))
    net.initialize()
    with pytest.raises(RuntimeError, match="hybridize"):
        net.export(path)
    net.hybridize()
    x = mx.nd.random.uniform(shape=(3, 6))
    y = net(x)
    net.export(path, epoch=1)
    saved = mx.nd.load(path + "-0001.params")
    assert any(k.startswith("aux:") and k.endswith("running_mean") for k in saved)
    assert json.load(open(path + "-symbol.json"))["nodes"]
    net2 = gluon.SymbolBlock.imports(path + "-symbol.json", ["data"], path + "-0001.params")
    np.testing.assert_allclose(net2(x).asnumpy(), y.asnumpy(), rtol=1e-5, atol=1e-6)
    lines = str(net2).splitlines()
    assert lines[0] == "SymbolBlock(" and lines[2] == ")"


def test_symbol_block_shares_params_and_composes():
    model = nn.HybridSequential()
    with model.name_scope():
        model.add(nn.Dense(8, activation="tanh"), nn.Dense(3, in_units=8))
    model.initialize()
    data = mx.sym.var("data")
    internals = model(data).get_internals()
    smodel = gluon.SymbolBlock(internals, data, params=model.collect_params())
    outs = smodel(mx.nd.zeros((4, 5)))
    assert len(outs) == len(internals.list_outputs())
    out = smodel(mx.sym.var("in"))
    assert len(out) == len(internals.list_outputs())
    with pytest.raises(AssertionError, match="row_sparse"):
        w = mx.sym.var("weight", stype="row_sparse")
        gluon.SymbolBlock(mx.sym.dot(data, w), data)


def test_cast():
    net = nn.Dense(3, in_units=4)
    net.initialize()
    net.cast("float64")
    assert net.weight.data().dtype == np.float64
    assert net(mx.nd.ones((2, 4), dtype="float64")).dtype == np.float64
