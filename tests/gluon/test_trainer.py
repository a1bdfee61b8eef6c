"""gluon.Trainer: kvstore choice (none for one device, 'device'/'local' for several),
updates on and off the kvstore, stale gradients, learning rate, states save/load."""
import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd, gluon

CTXS = [mx.cpu(0), mx.cpu(1)]


def _param(ctx, name="x", **kwargs):
    x = gluon.Parameter(name, shape=(4,), **kwargs)
    x.initialize(ctx=ctx, init="zeros")
    return x


def _backward(x, scale=lambda i: 1):
    with autograd.record():
        for i, w in enumerate(x.list_data()):
            (scale(i) * w + 1).backward()


def test_single_context_needs_no_kvstore():
    x = _param([mx.cpu(0)])
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0})
    _backward(x)
    trainer.step(1)
    assert trainer._kvstore is None and trainer._update_on_kvstore is None
    np.testing.assert_array_equal(x.data().asnumpy(), -1)


@pytest.mark.parametrize("kvstore", ["device", "local"])
@pytest.mark.parametrize("on_kv", [None, True, False])
def test_multi_context_sums_gradients(kvstore, on_kv):
    x = _param(CTXS)
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 0.5}, kvstore=kvstore,
                            update_on_kvstore=on_kv)
    _backward(x)
    trainer.step(1)
    assert trainer._kvstore.type == kvstore
    assert trainer._update_on_kvstore is (True if on_kv is None else on_kv)
    for ctx in CTXS:
        np.testing.assert_allclose(x.data(ctx).asnumpy(), -1.0)   # 0.5 * (1 + 1)


def test_allreduce_then_update_and_batch_size():
    x = _param(CTXS)
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0}, update_on_kvstore=False)
    _backward(x, scale=lambda i: i)
    assert (x.grad(CTXS[0]).asnumpy() != x.grad(CTXS[1]).asnumpy()).all()
    trainer.allreduce_grads()
    np.testing.assert_array_equal(x.grad(CTXS[0]).asnumpy(), x.grad(CTXS[1]).asnumpy())
    trainer.update(4)
    np.testing.assert_allclose(x.data(CTXS[1]).asnumpy(), -0.25)


def test_update_on_kvstore_forbids_manual_update():
    x = _param(CTXS)
    trainer = gluon.Trainer([x], "sgd", update_on_kvstore=True)
    _backward(x)
    with pytest.raises(AssertionError):
        trainer.allreduce_grads()
    with pytest.raises(AssertionError):
        trainer.update(1)


def test_stale_gradient():
    x = _param([mx.cpu(0)])
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0})
    _backward(x)
    trainer.step(1)
    with pytest.raises(UserWarning, match="has not been updated by backward"):
        trainer.step(1)
    trainer.step(1, ignore_stale_grad=True)   # skipped, no error
    np.testing.assert_array_equal(x.data().asnumpy(), -1)


def test_learning_rate_and_lr_mult():
    x = _param([mx.cpu(0)], lr_mult=0.5)
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0})
    assert trainer.learning_rate == 1.0
    trainer.set_learning_rate(0.2)
    assert trainer.learning_rate == 0.2 and trainer.optimizer is trainer._optimizer
    _backward(x)
    trainer.step(1)
    np.testing.assert_allclose(x.data().asnumpy(), -0.1)


@pytest.mark.parametrize("on_kv", [True, False])
def test_save_load_states(tmp_path, on_kv):
    x = _param(CTXS)
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0, "momentum": 0.5},
                            update_on_kvstore=on_kv)
    _backward(x)
    trainer.step(1)
    fname = str(tmp_path / "trainer.states")
    trainer.save_states(fname)
    updater = trainer._kvstore._updater if on_kv else trainer._updaters[0]
    before = {k: v.asnumpy().copy() for k, v in updater.states.items()}
    trainer.load_states(fname)
    updater = trainer._kvstore._updater if on_kv else trainer._updaters[0]
    assert set(updater.states) == set(before)
    for k, v in updater.states.items():
        np.testing.assert_array_equal(v.asnumpy(), before[k])
    assert trainer._optimizer is updater.optimizer
    assert trainer._optimizer.param_dict[0] is x


def test_params_order_and_errors():
    params = gluon.ParameterDict()
    b, a = params.get("b", shape=(2,)), params.get("a", shape=(2,))
    params.initialize(ctx=mx.cpu(0))
    trainer = gluon.Trainer(params, "sgd")
    assert [p.name for p in trainer._params] == ["a", "b"]
    assert a._trainer is trainer and b._trainer is trainer
    with pytest.raises(ValueError):
        gluon.Trainer(a, "sgd")
    with pytest.raises(ValueError):
        gluon.Trainer([a, "b"], "sgd")
    with pytest.raises(AssertionError):
        gluon.Trainer([a], mx.optimizer.SGD(), {"learning_rate": 1})


def test_teststore_falls_back_to_local_updates():
    x = _param(CTXS)
    kv = mx.kv.create("teststore")
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0}, kvstore=kv)
    _backward(x)
    trainer.step(1)
    assert trainer._update_on_kvstore is False
    np.testing.assert_array_equal(x.data(CTXS[1]).asnumpy(), -2)
    with pytest.raises(ValueError):
        gluon.Trainer([x], "sgd", kvstore=kv, update_on_kvstore=True)._init_kvstore()


def test_sparse_weight_is_updated_on_kvstore():
    x = gluon.Parameter("x", shape=(4, 1), stype="row_sparse", grad_stype="row_sparse")
    x.initialize(ctx=CTXS, init="zeros")
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 0.1})
    rows = mx.nd.arange(0, 4)
    with autograd.record():
        for w in x.list_row_sparse_data(rows):
            (w + 1).backward()
    trainer.step(1)
    assert trainer._update_on_kvstore is True
    np.testing.assert_allclose(x.row_sparse_data(rows).asnumpy(), -0.2)
    with pytest.raises(ValueError):
        y = gluon.Parameter("y", shape=(4, 1), stype="row_sparse")
        y.initialize(ctx=CTXS)
        gluon.Trainer([y], "sgd", update_on_kvstore=False)._init_kvstore()
