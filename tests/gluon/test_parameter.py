"""Parameter, Constant and ParameterDict: initialization, devices, save/load."""
import warnings

import numpy as np
import pytest

import mixnet as mx
from mixnet import gluon
from mixnet import initializer as init
from mixnet.gluon.parameter import DeferredInitializationError


def test_initialize_on_several_contexts():
    p = gluon.Parameter("weight", shape=(10, 10))
    p.initialize(init="xavier", ctx=[mx.cpu(0), mx.cpu(1)])
    assert len(p.list_data()) == 2 and len(p.list_grad()) == 2
    assert p.data(mx.cpu(1)).context == mx.cpu(1)
    assert p.data(mx.cpu(0)).shape == (10, 10)
    np.testing.assert_array_equal(p.data(mx.cpu(0)).asnumpy(), p.data(mx.cpu(1)).asnumpy())
    assert p.var().name == "weight"
    p.reset_ctx(ctx=[mx.cpu(1), mx.cpu(2)])
    assert p.list_ctx() == [mx.cpu(1), mx.cpu(2)]
    with pytest.raises(RuntimeError, match="was not initialized on context"):
        p.data(mx.cpu(0))


def test_uninitialized_and_deferred_errors():
    p = gluon.Parameter("weight", shape=(2, 3))
    with pytest.raises(RuntimeError, match="has not been initialized"):
        p.data()
    q = gluon.Parameter("weight", shape=(2, 0), allow_deferred_init=True)
    q.initialize()
    with pytest.raises(DeferredInitializationError, match="deferred"):
        q.data()
    q.shape = (2, 5)
    q._finish_deferred_init()
    assert q.data().shape == (2, 5)
    r = gluon.Parameter("weight", shape=(2, 0))
    with pytest.raises(ValueError, match="invalid shape"):
        r.initialize()


def test_invalid_arguments_raise_assertion_error():
    with pytest.raises(AssertionError, match="stype"):
        gluon.Parameter("weight", shape=(1,), stype="invalid")
    with pytest.raises(AssertionError, match="grad_req"):
        gluon.Parameter("weight", grad_req="sometimes")
    p = gluon.Parameter("weight", shape=(2, 0))
    with pytest.raises(AssertionError, match="incompatible"):
        p.shape = (3, 4)


def test_grad_req_and_zero_grad():
    p = gluon.Parameter("weight", shape=(2,), init=init.One())
    p.initialize()
    x = p.data()
    with mx.autograd.record():
        y = (x * x).sum()
    y.backward()
    np.testing.assert_allclose(p.grad().asnumpy(), [2, 2])
    p.zero_grad()
    np.testing.assert_allclose(p.grad().asnumpy(), [0, 0])
    p.grad_req = "null"
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        p.grad()
    p.grad_req = "write"
    assert p.grad().shape == (2,)


def test_reinitialize_warns():
    p = gluon.Parameter("weight", shape=(2,))
    p.initialize()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        p.initialize()
    assert len(w) == 1 and "already initialized" in str(w[0].message)
    p.initialize(init=init.Zero(), force_reinit=True)
    assert p.data().asnumpy().tolist() == [0, 0]


def test_cast_and_set_data():
    p = gluon.Parameter("weight", shape=(2, 2))
    p.initialize()
    p.set_data(mx.nd.ones((2, 2)))
    p.cast("float64")
    assert p.data().dtype == np.float64 and p.grad().dtype == np.float64
    assert p.data().asnumpy().sum() == 4


def test_constant():
    c = gluon.Constant("const", [[1, 2], [3, 4]])
    c.initialize()
    assert c.grad_req == "null"
    assert c.data().asnumpy().tolist() == [[1, 2], [3, 4]]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c.grad_req = "write"
    assert c.grad_req == "null" and len(w) == 1


def test_parameter_dict_get_prefix_and_sharing():
    params = gluon.ParameterDict("net_")
    w = params.get("w0", shape=(10, 0))
    assert list(params.keys()) == ["net_w0"]
    # an existing parameter's unknown dims are filled in; a mismatch is an error
    assert params.get("w0", shape=(10, 5)) is w and w.shape == (10, 5)
    with pytest.raises(AssertionError, match="does not match"):
        params.get("w0", shape=(3, 5))
    shared = gluon.ParameterDict("net_", shared=params)
    assert shared.get("w0") is w


def test_parameter_dict_repr():
    params = gluon.ParameterDict("net1_")
    params.get("w", shape=(10, 5))
    lines = str(params).splitlines()
    assert lines[0] == "net1_ (" and "net1_w" in lines[1] and "(10, 5)" in lines[1]
    assert "float32" in lines[1] and lines[2] == ")"


def test_parameter_dict_save_load(tmp_path):
    fname = str(tmp_path / "p.params")
    params0 = gluon.ParameterDict("net_")
    params0.get("w0", shape=(3, 4))
    params0.get("w1", shape=(2,), dtype="int8")
    params0.initialize(init.One())
    params0.save(fname)
    assert sorted(mx.nd.load(fname).keys()) == ["net_w0", "net_w1"]
    params1 = gluon.ParameterDict("net_")
    params1.get("w0", shape=(3, 0))
    params1.get("w1", shape=(2,), dtype="float64")
    params1.load(fname, cast_dtype=True, dtype_source="current")
    assert params1["net_w0"].shape == (3, 4)
    assert params1["net_w1"].data().dtype == np.float64
    params1.load(fname, cast_dtype=True, dtype_source="saved")
    assert params1["net_w1"].data().dtype == np.int8
    params2 = gluon.ParameterDict("net_")
    params2.get("w0", shape=(3, 4))
    with pytest.raises(AssertionError, match="not present"):
        params2.load(fname)
    params2.load(fname, ignore_extra=True)
    params3 = gluon.ParameterDict("net_")
    params3.get("other", shape=(1,))
    with pytest.raises(AssertionError, match="missing"):
        params3.load(fname, ignore_extra=True)


def test_parameter_dict_setattr_and_list_ctx():
    params = gluon.ParameterDict("")
    params.get("a", shape=(2,))
    params.get("b", shape=(3,))
    params.initialize(ctx=[mx.cpu(0), mx.cpu(3)])
    params.setattr("grad_req", "null")
    assert all(p._grad is None for p in params.values())
    params.setattr("grad_req", "write")
    assert all(p._grad is not None for p in params.values())
    assert set(params.list_ctx()) == {mx.cpu(0), mx.cpu(3)}
