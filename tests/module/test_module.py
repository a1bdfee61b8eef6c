"""The Module API (Module, BucketingModule, SequentialModule, PythonLossModule and the
executor group behind them), checked against MXNet 1.9.1's behaviour."""
import logging

import numpy as np
import pytest

import mixnet as mx
import mixnet.initializer as init
import mixnet.io
import mixnet.metric
import mixnet.optimizer
from mixnet.kvstore import training
from mixnet.module import (
    BaseModule,
    BucketingModule,
    Module,
    PythonLossModule,
    SequentialModule,
)
from mixnet.module.executor_group import DataParallelExecutorGroup, _split_input_slice
from mixnet.test_utils import same_array

TWO = [mx.cpu(0), mx.cpu(1)]


def mlp(num_hidden=8, num_classes=2):
    data = mx.sym.Variable("data")
    h = mx.sym.FullyConnected(data, name="fc1", num_hidden=num_hidden)
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.FullyConnected(h, name="fc2", num_hidden=num_classes)
    return mx.sym.SoftmaxOutput(h, name="softmax")


def separable(n=200, dim=5, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, dim).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float32)
    return x, y


def fixed_params(sym, data_shape, seed=1):
    rng = np.random.RandomState(seed)
    arg_shapes, _, _ = sym.infer_shape(data=data_shape)
    return {n: mx.nd.array(rng.uniform(-0.5, 0.5, s)) for n, s in
            zip(sym.list_arguments(), arg_shapes) if n not in ("data", "softmax_label")}


def one_batch(x, y):
    return mx.io.DataBatch(data=[mx.nd.array(x)], label=[mx.nd.array(y)])


# --- bind / init / forward / backward / update ----------------------------------------
def test_forward_backward_update_matches_sgd():
    x = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    y = np.array([[0.5], [1.0]], np.float32)
    data = mx.sym.Variable("data")
    out = mx.sym.LinearRegressionOutput(mx.sym.FullyConnected(data, num_hidden=1, name="fc"),
                                        name="lro")
    mod = Module(out, label_names=["lro_label"])
    mod.bind(data_shapes=[("data", (2, 2))], label_shapes=[("lro_label", (2, 1))])
    w0, b0 = np.array([[0.1, -0.2]], np.float32), np.array([0.3], np.float32)
    mod.init_params(arg_params={"fc_weight": mx.nd.array(w0), "fc_bias": mx.nd.array(b0)})
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1})
    mod.forward(one_batch(x, y), is_train=True)
    pred = x @ w0.T + b0
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), pred, rtol=1e-6)
    mod.backward()
    mod.update()
    grad = pred - y                        # LinearRegressionOutput's gradient
    rescale = 1.0 / 2                      # Module sets rescale_grad = 1 / batch_size
    arg, _ = mod.get_params()
    np.testing.assert_allclose(arg["fc_weight"].asnumpy(),
                               w0 - 0.1 * rescale * grad.T @ x, rtol=1e-5)
    np.testing.assert_allclose(arg["fc_bias"].asnumpy(), b0 - 0.1 * rescale * grad.sum(0),
                               rtol=1e-5)


def test_state_flags_and_shapes():
    mod = Module(mlp(), context=mx.cpu())
    assert (mod.binded, mod.params_initialized, mod.optimizer_initialized) == \
        (False, False, False)
    assert mod.data_names == ["data"] and mod.output_names == ["softmax_output"]
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    assert mod.binded and mod.for_training
    assert mod.data_shapes[0].shape == (4, 5) and mod.label_shapes[0].name == "softmax_label"
    assert mod.output_shapes == [("softmax_output", (4, 2))]
    mod.init_params()
    arg, aux = mod.get_params()
    assert sorted(arg) == ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"] and aux == {}
    assert all(a.context == mx.cpu() for a in arg.values())


def test_init_params_twice_warns_and_force_init():
    mod = Module(mlp())
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    mod.init_params(initializer=init.One())
    with pytest.warns(UserWarning, match="already initialized"):
        mod.init_params(initializer=init.Zero())
    assert mod.get_params()[0]["fc1_weight"].asnumpy().min() == 1
    mod.init_params(initializer=init.Zero(), force_init=True)
    assert np.all(mod.get_params()[0]["fc1_weight"].asnumpy() == 0)


def test_variable_init_attribute_is_used():
    data = mx.sym.Variable("data")
    a = mx.sym.Variable("a", shape=(1,), init=init.One())
    mod = Module(mx.sym.broadcast_mul(data, a), label_names=None)
    mod.bind(data_shapes=[("data", (3,))])
    mod.init_params(initializer=init.Zero())
    assert mod.get_params()[0]["a"].asnumpy().tolist() == [1.0]


def test_fit_reaches_high_accuracy():
    x, y = separable()
    train = mx.io.NDArrayIter(x, y, batch_size=20, shuffle=True)
    mod = Module(mlp(16))
    seen = []
    mod.fit(train, num_epoch=8, optimizer_params={"learning_rate": 0.5},
            initializer=init.Xavier(), eval_metric="acc",
            batch_end_callback=lambda p: seen.append(p.nbatch),
            epoch_end_callback=lambda epoch, sym, arg, aux: seen.append(("end", epoch)))
    assert seen.count(("end", 7)) == 1 and seen[:10] == list(range(10))
    (name, acc), = mod.score(mx.io.NDArrayIter(x, y, batch_size=20), "acc")
    assert name == "accuracy" and acc > 0.95


def test_fit_with_eval_data_and_validation_metric(caplog):
    x, y = separable()
    train = mx.io.NDArrayIter(x[:160], y[:160], batch_size=20)
    val = mx.io.NDArrayIter(x[160:], y[160:], batch_size=20)
    mod = Module(mlp(16))
    with caplog.at_level(logging.INFO):
        mod.fit(train, eval_data=val, num_epoch=2, validation_metric="ce",
                optimizer_params={"learning_rate": 0.5})
    assert "Epoch[1] Validation-cross-entropy=" in caplog.text
    assert "Epoch[1] Train-accuracy=" in caplog.text


def test_predict_iter_predict_and_pad():
    x, y = separable(n=10)
    mod = Module(mlp())
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    mod.init_params(initializer=init.Xavier())
    it = mx.io.NDArrayIter(x, y, batch_size=4)        # last batch padded by 2
    pred = mod.predict(it)
    assert pred.shape == (10, 2)
    np.testing.assert_allclose(pred.asnumpy().sum(1), 1, rtol=1e-5)
    batches = list(mod.iter_predict(it))
    assert [out[0].shape[0] for out, _, _ in batches] == [4, 4, 2]
    assert mod.predict(it, merge_batches=False)[2][0].shape == (2, 2)
    assert mod.predict(it, always_output_list=True)[0].shape == (10, 2)
    with pytest.raises(ValueError, match="NDArray or DataIter"):
        mod.predict([1, 2])


def test_predict_ndarray_and_numpy():
    data = mx.sym.Variable("data")
    mod = Module(data * 2, label_names=None)
    mod.bind(data_shapes=[("data", (1, 10))])
    mod.init_params()
    assert mod.predict(mx.nd.ones((1, 10))).asnumpy().tolist() == [[2.0] * 10]
    assert mod.predict(np.ones((3, 5))).shape == (3, 5)   # reshapes to the new input


# --- data parallelism -------------------------------------------------------------------
def test_split_input_slice():
    assert _split_input_slice(10, [1, 1]) == [slice(0, 5), slice(5, 10)]
    assert _split_input_slice(7, [1, 2]) == [slice(0, 2), slice(2, 7)]
    with pytest.raises(ValueError, match="empty"):
        _split_input_slice(1, [1, 1])


def _train_steps(context, steps=3, update_on_kvstore=True, monkeypatch=None, **kw):
    x, y = separable(n=8)
    sym = mlp()
    mod = Module(sym, context=context, **kw)
    mod.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    mod.init_params(arg_params=fixed_params(sym, (8, 5)))
    if monkeypatch is not None:
        monkeypatch.setattr(training, "_update_on_kvstore_default", lambda: update_on_kvstore)
    mod.init_optimizer(optimizer_params={"learning_rate": 0.5, "momentum": 0.9})
    for _ in range(steps):
        mod.forward_backward(one_batch(x, y))
        mod.update()
    return mod


@pytest.mark.parametrize("update_on_kvstore", [True, False])
def test_two_contexts_match_one(monkeypatch, update_on_kvstore):
    single = _train_steps(mx.cpu(0))
    multi = _train_steps(TWO, update_on_kvstore=update_on_kvstore, monkeypatch=monkeypatch)
    assert multi._kvstore is not None and multi._update_on_kvstore == update_on_kvstore
    assert single._kvstore is None
    a, b = single.get_params()[0], multi.get_params()[0]
    for name in a:
        np.testing.assert_allclose(a[name].asnumpy(), b[name].asnumpy(), rtol=1e-4, atol=1e-6)
    group = multi._exec_group
    assert [e.arg_dict["data"].shape for e in group.execs] == [(4, 5), (4, 5)]
    assert [w.context for w in group.param_arrays[0]] == TWO
    np.testing.assert_allclose(multi.get_outputs()[0].asnumpy(),
                               single.get_outputs()[0].asnumpy(), rtol=1e-4, atol=1e-6)


def test_work_load_list_and_merge():
    mod = Module(mlp(), context=TWO, work_load_list=[1, 3])
    mod.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    mod.init_params()
    x, y = separable(n=8)
    mod.forward(one_batch(x, y), is_train=False)
    per_dev = mod.get_outputs(merge_multi_context=False)[0]
    assert [o.shape for o in per_dev] == [(2, 2), (6, 2)]
    assert mod.get_outputs()[0].shape == (8, 2)
    with pytest.raises(ValueError, match="work_load_list"):
        Module(mlp(), context=TWO, work_load_list=[1])


def test_layout_gives_the_batch_axis():
    dshape = (3, 8, 7)
    data = mx.sym.Variable("data")
    sym = mx.sym.Activation(data, act_type="relu", attr={"__layout__": "TNC"})
    mod = Module(sym, ("data",), None, context=TWO)
    mod.bind(data_shapes=[mx.io.DataDesc("data", dshape, layout="TNC")])
    mod.init_params()
    mod.forward(mx.io.DataBatch(data=[mx.nd.ones(dshape)], label=None))
    mod.backward([mx.nd.ones(dshape)])
    assert mod.get_outputs()[0].shape == dshape
    assert [x.shape for x in mod.get_outputs(merge_multi_context=False)[0]] == [(3, 4, 7)] * 2


def test_dtype_float16():
    dshape = (3, 8, 7)
    mod = Module(mx.sym.Activation(mx.sym.Variable("data"), act_type="relu"), ("data",), None,
                 context=TWO)
    mod.bind(data_shapes=[mx.io.DataDesc("data", dshape, np.float16)])
    mod.init_params()
    mod.forward(mx.io.DataBatch(data=[mx.nd.ones(dshape, dtype=np.float16)], label=None))
    mod.backward([mx.nd.ones(dshape, dtype=np.float16)])
    assert all(o.dtype == np.float16 for o in mod.get_outputs())


def test_input_grads_over_two_contexts():
    a, b, c = (mx.sym.Variable(n) for n in "abc")
    net = Module(a + 2 * b + 3 * c, data_names=["b", "c", "a"], label_names=None,
                 context=TWO)
    net.bind(data_shapes=[["b", (5, 5)], ["c", (5, 5)], ["a", (5, 5)]],
             inputs_need_grad=True)
    net.init_params()
    net.forward(mx.io.DataBatch(data=[mx.nd.ones((5, 5))] * 3))
    net.backward(out_grads=[mx.nd.ones((5, 5))])
    b_grad, c_grad, a_grad = (g.asnumpy() for g in net.get_input_grads())
    assert np.all(a_grad == 1) and np.all(b_grad == 2) and np.all(c_grad == 3)


def test_group2ctxs_places_arguments():
    with mx.AttrScope(ctx_group="dev1"):
        a = mx.sym.Variable("a") * 2
    with mx.AttrScope(ctx_group="dev2"):
        c = a + mx.sym.Variable("b")
    mod = Module(c, context=[mx.cpu(0)], data_names=["a", "b"], label_names=None,
                 group2ctxs={"dev1": mx.cpu(1), "dev2": mx.cpu(2)})
    mod.bind(data_shapes=[["a", (2, 5)], ["b", (2, 5)]], inputs_need_grad=True)
    mod.init_params()
    mod.forward(mx.io.DataBatch(data=[mx.nd.ones((2, 5))] * 2), is_train=True)
    mod.backward([mx.nd.ones((2, 5))])
    ga, gb = mod.get_input_grads()
    assert (ga.context, gb.context) == (mx.cpu(1), mx.cpu(2))
    assert np.all(ga.asnumpy() == 2) and np.all(gb.asnumpy() == 1)
    with pytest.raises(ValueError, match="1 or 2"):
        Module(c, context=TWO, data_names=["a", "b"], label_names=None,
               group2ctxs={"dev1": [mx.cpu(1)] * 3}).bind([["a", (2, 5)], ["b", (2, 5)]])


# --- reshape -------------------------------------------------------------------------------
def test_reshape_keeps_parameters():
    sym = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=20, name="fc")
    mod = Module(sym, ("data",), None, context=TWO)
    mod.bind(data_shapes=[("data", (7, 20))])
    mod.init_params()
    mod.init_optimizer(optimizer_params={"learning_rate": 1})
    for dshape, bias in [((7, 20), -1), ((14, 20), -3), ((7, 20), -4)]:
        mod.forward(mx.io.DataBatch(data=[mx.nd.ones(dshape)], label=None))
        mod.backward([mx.nd.ones(dshape)])
        mod.update()
        assert mod.get_outputs()[0].shape == (dshape[0], 20)
        # rescale_grad stays 1/7 (the bound batch size): the bias gradient is the batch size
        assert np.allclose(mod.get_params()[0]["fc_bias"].asnumpy(), bias)


def test_forward_with_other_batch_sizes_and_shapes():
    sym = mlp()
    mod = Module(sym)
    mod.bind(data_shapes=[("data", (10, 5))], label_shapes=[("softmax_label", (10,))])
    mod.init_params()
    mod.init_optimizer()
    for n in (3, 20, 10, 3):
        x, y = separable(n=n)
        mod.forward(one_batch(x, y))
        assert mod.get_outputs()[0].shape == (n, 2)
        mod.backward()
        mod.update()
    assert mod.data_shapes[0].shape == (3, 5)
    assert len(mod._exec_group._reshaped) == 3          # executors reused per shape


def test_force_rebind_for_prediction_keeps_updated_params():
    x, y = separable(n=10)
    mod = Module(mlp())
    mod.bind(data_shapes=[("data", (10, 5))], label_shapes=[("softmax_label", (10,))])
    mod.init_params()
    mod.init_optimizer(optimizer_params={"learning_rate": 1.0})
    mod.forward_backward(one_batch(x, y))
    mod.update()
    mod.forward(one_batch(x, y), is_train=False)
    trained = mod.get_outputs()[0].asnumpy()
    with pytest.warns(UserWarning, match="label_shapes don't match"):   # as in MXNet
        mod.bind(data_shapes=[("data", (10, 5))], for_training=False, force_rebind=True)
    assert not mod.for_training and mod.label_shapes is None
    assert np.allclose(mod.predict(mx.nd.array(x)).asnumpy(), trained, rtol=1e-5)


# --- parameters -------------------------------------------------------------------------------
def test_set_params_missing_and_extra():
    mod = Module(mlp(2), context=[mx.cpu()])
    mod.bind(data_shapes=[("data", (1, 5))], label_shapes=[("softmax_label", (1,))])
    full = fixed_params(mlp(2), (1, 5))
    missing = {k: v for k, v in full.items() if k != "fc2_bias"}
    extra = dict(full, fc3_weight=mx.nd.ones((2,)))
    mod.set_params(full, {})
    mod.set_params(missing, {}, allow_missing=True)
    with pytest.raises(RuntimeError, match="fc2_bias is not presented"):
        mod.set_params(missing, {}, allow_missing=False)
    mod.set_params(extra, {}, allow_missing=True, allow_extra=True)
    with pytest.raises(ValueError, match="fc3_weight"):
        mod.set_params(extra, {}, allow_missing=True, allow_extra=False)
    with pytest.raises(RuntimeError):
        mod.set_params({"fc3_weight": mx.nd.ones((2,))}, {})
    np.testing.assert_allclose(mod.get_params()[0]["fc1_weight"].asnumpy(),
                               full["fc1_weight"].asnumpy())


def test_fixed_params_are_not_updated():
    x, y = separable(n=8)
    sym = mlp()
    mod = Module(sym, fixed_param_names=["fc1_weight"])
    mod.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    params = fixed_params(sym, (8, 5))
    mod.init_params(arg_params=params)
    mod.init_optimizer(optimizer_params={"learning_rate": 1.0})
    mod.forward_backward(one_batch(x, y))
    mod.update()
    arg = mod.get_params()[0]
    assert np.array_equal(arg["fc1_weight"].asnumpy(), params["fc1_weight"].asnumpy())
    assert not np.array_equal(arg["fc2_weight"].asnumpy(), params["fc2_weight"].asnumpy())
    assert mod._exec_group.grad_req["fc1_weight"] == "null"


def test_batchnorm_aux_states_round_trip():
    data = mx.sym.Variable("data")
    sym = mx.sym.BatchNorm(mx.sym.FullyConnected(data, num_hidden=4, name="fc"), name="bn")
    mod = Module(mx.sym.SoftmaxOutput(sym, name="softmax"), context=TWO)
    mod.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    mod.init_params(initializer=init.Xavier(), aux_params={
        "bn_moving_mean": mx.nd.zeros((4,)), "bn_moving_var": mx.nd.ones((4,))})
    _, aux = mod.get_params()
    assert sorted(aux) == ["bn_moving_mean", "bn_moving_var"]
    assert np.all(aux["bn_moving_var"].asnumpy() == 1)
    mod.init_optimizer()
    x, y = separable(n=8)
    mod.forward_backward(one_batch(x, y))
    mod.update()
    # the per-device moving statistics are averaged into the CPU copy
    devs = [a.asnumpy() for a in mod._exec_group.aux_arrays[0]]
    np.testing.assert_allclose(mod.get_params()[1]["bn_moving_mean"].asnumpy(),
                               (devs[0] + devs[1]) / 2, rtol=1e-6)
    assert not np.all(devs[0] == 0)


@pytest.mark.xfail(reason="BatchNorm does not yet set __init__ on moving_mean/moving_var "
                          "(MXNet's FSetInputVarAttrOnCompose)", strict=False)
def test_batchnorm_aux_states_default_init():
    sym = mx.sym.BatchNorm(mx.sym.Variable("data"), name="bn")
    mod = Module(sym, label_names=None)
    mod.bind(data_shapes=[("data", (8, 5))])
    mod.init_params()
    assert np.all(mod.get_params()[1]["bn_moving_var"].asnumpy() == 1)


# --- checkpoints --------------------------------------------------------------------------------
@pytest.mark.parametrize("context", [mx.cpu(), TWO])
def test_checkpoint_round_trip(tmp_path, context):
    prefix = str(tmp_path / "net")
    mod = _train_steps(context, steps=2)
    mod.save_checkpoint(prefix, 3, save_optimizer_states=True)
    mod2 = Module.load(prefix, 3, load_optimizer_states=True, context=context)
    mod2.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    mod2.init_optimizer(optimizer_params={"learning_rate": 0.5, "momentum": 0.9})
    assert mod2._symbol.tojson() == mod._symbol.tojson()
    a, b = mod.get_params()[0], mod2.get_params()[0]
    assert set(a) == set(b)
    for k in a:
        assert np.array_equal(a[k].asnumpy(), b[k].asnumpy())
    updater = mod._kvstore._updater if mod._update_on_kvstore else mod._updater
    updater2 = mod2._kvstore._updater if mod2._update_on_kvstore else mod2._updater
    assert set(updater.states) == set(updater2.states)
    for k in updater.states:
        assert np.array_equal(updater.states[k].asnumpy(), updater2.states[k].asnumpy())
    # both continue training identically
    x, y = separable(n=8)
    for m in (mod, mod2):
        m.forward_backward(one_batch(x, y))
        m.update()
    for k in a:
        np.testing.assert_allclose(mod.get_params()[0][k].asnumpy(),
                                   mod2.get_params()[0][k].asnumpy(), rtol=1e-6)


def test_save_load_params(tmp_path):
    fname = str(tmp_path / "p.params")
    mod = _train_steps(mx.cpu(), steps=1)
    mod.save_params(fname)
    loaded = mx.nd.load(fname)
    assert sorted(loaded) == ["arg:fc1_bias", "arg:fc1_weight", "arg:fc2_bias", "arg:fc2_weight"]
    mod2 = Module(mlp())
    mod2.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    mod2.load_params(fname)
    for k, v in mod.get_params()[0].items():
        assert np.array_equal(v.asnumpy(), mod2.get_params()[0][k].asnumpy())


# --- optimizer --------------------------------------------------------------------------------
def test_init_optimizer_idx2name_and_rescale_grad():
    sym = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=20, name="fc")
    for optimizer in ("sgd", mx.optimizer.SGD(learning_rate=1, rescale_grad=1.0 / 8)):
        mod = Module(sym, ("data",), None)
        mod.bind(data_shapes=[("data", (8, 20))])
        mod.init_params()
        mod.init_optimizer(optimizer=optimizer)
        assert mod._optimizer.idx2name == dict(enumerate(mod._exec_group.param_names))
        assert mod._optimizer.rescale_grad == 1.0 / 8
    mod = Module(sym, ("data",), None)
    mod.bind(data_shapes=[("data", (8, 20))])
    mod.init_params()
    with pytest.warns(UserWarning, match="rescale_grad"):
        mod.init_optimizer(optimizer=mx.optimizer.SGD(learning_rate=1))
    with pytest.raises(TypeError, match="optimizer"):
        mod.init_optimizer(optimizer=3, force_init=True)


def test_update_without_parameters():
    mod = Module(mx.sym.Dropout(mx.sym.Variable("data"), 0.5), label_names=None)
    mod.bind(data_shapes=[("data", (10, 10))])
    mod.init_params()
    mod.init_optimizer()
    mod.forward_backward(mx.io.DataBatch([mx.nd.ones((10, 10))]))
    mod.update()
    assert mod.get_outputs()[0].shape == (10, 10)


# --- states ------------------------------------------------------------------------------------
def test_states():
    data, state = mx.sym.Variable("data"), mx.sym.Variable("state")
    mod = Module(data + state, label_names=None, state_names=["state"], context=TWO)
    mod.bind(data_shapes=[("data", (4, 3))], for_training=False)
    mod.init_params()
    batch = mx.io.DataBatch(data=[mx.nd.zeros((4, 3))], label=[])
    mod.set_states(value=1)
    mod.forward(batch)
    out = mod.get_outputs(merge_multi_context=False)
    assert np.all(mod.get_outputs()[0].asnumpy() == 1)
    mod.set_states(states=[[o * 5 for o in out[0]]])
    mod.forward(batch)
    assert np.all(mod.get_outputs()[0].asnumpy() == 5)
    assert [s.shape for s in mod.get_states(merge_multi_context=False)[0]] == [(2, 3)] * 2


# --- errors --------------------------------------------------------------------------------------
def test_wrong_data_names():
    sym = mlp()
    with pytest.raises(ValueError, match="data_names=\\['dat'\\].*'dat' is not found"):
        Module(sym, data_names=["dat"])
    with pytest.warns(UserWarning, match="label_names"):
        Module(sym, label_names=["lbl"])
    mod = Module(sym)
    with pytest.raises(ValueError, match="don't match names specified by data_names"):
        mod.bind(data_shapes=[("x", (4, 5))], label_shapes=[("softmax_label", (4,))])
    assert not mod.binded
    with pytest.raises(TypeError, match="tuple of ints"):
        mod.bind(data_shapes=[("data", mx.nd.array([10, 10]))])
    assert not mod.binded
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    assert mod.binded


def test_bind_twice_warns_and_checks():
    mod = Module(mlp())
    with pytest.raises(AssertionError):
        mod.init_params()                      # before bind
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    mod.bind(data_shapes=[("data", (8, 5))])   # ignored with a warning
    assert mod.data_shapes[0].shape == (4, 5)
    with pytest.raises(ValueError, match="inputs_need_grad"):
        Module(mlp()).bind([("data", (4, 5))], for_training=False, inputs_need_grad=True)


def test_base_module_fit_references_one_batch_at_a_time():
    current = {}

    class Batch:
        def __init__(self, i):
            self.i = i

        @property
        def label(self):
            assert current["i"] == self.i
            return None

    class Iter:
        provide_data = provide_label = None

        def __iter__(self):
            self.k = 0
            return self

        def __next__(self):
            if self.k == 3:
                raise StopIteration
            current["i"] = self.k
            self.k += 1
            return Batch(self.k - 1)

        def reset(self):
            pass

    mod = BaseModule()
    noop = lambda *a, **k: None   # noqa: E731
    for name in ("bind", "init_params", "init_optimizer", "forward", "backward", "update"):
        setattr(mod, name, noop)
    mod.update_metric = lambda metric, labels, pre_sliced=False: None
    mod.get_params = lambda: (None, None)
    mod.fit(Iter(), num_epoch=1)


# --- bucketing ---------------------------------------------------------------------------------
def _bucket_sym_gen(key):
    data = mx.sym.Variable("data")
    w, b = mx.sym.Variable("fc_weight"), mx.sym.Variable("fc_bias")
    h = data
    for i in range(key):           # the bucket key is the depth; weights are shared
        h = mx.sym.FullyConnected(h, weight=w, bias=b, num_hidden=5, name="fc%d" % i)
    return mx.sym.SoftmaxOutput(h, name="softmax"), ("data",), ("softmax_label",)


def test_bucketing_shares_parameters():
    mod = BucketingModule(_bucket_sym_gen, default_bucket_key=3, context=TWO)
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    mod.init_params(initializer=init.Xavier())
    mod.init_optimizer(optimizer_params={"learning_rate": 0.5})
    x, y = separable(n=4)
    y[:] = 1
    before = mod.get_params()[0]["fc_weight"].asnumpy().copy()
    for key in (1, 3, 1):
        batch = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)], bucket_key=key,
                                provide_data=[("data", (4, 5))],
                                provide_label=[("softmax_label", (4,))])
        mod.forward_backward(batch)
        mod.update()
        assert mod._curr_bucket_key == key
    assert sorted(mod._buckets) == [1, 3]
    small, big = mod._buckets[1]._exec_group, mod._buckets[3]._exec_group
    for i in range(2):
        assert same_array(small.execs[i].arg_dict["fc_weight"], big.execs[i].arg_dict["fc_weight"])
        assert same_array(small.execs[i].grad_dict["fc_weight"],
                          big.execs[i].grad_dict["fc_weight"])
    assert small.shared_data_arrays is big.shared_data_arrays
    assert mod._buckets[1]._optimizer is mod._buckets[3]._optimizer
    after = mod.get_params()[0]["fc_weight"].asnumpy()
    assert not np.allclose(before, after)
    assert mod.symbol.list_arguments() == _bucket_sym_gen(1)[0].list_arguments()


def test_bucketing_grad_req_add():
    def sym_gen(_):
        data = mx.sym.Variable("data")
        weight = mx.sym.Variable("a", shape=(1,), init=init.One())
        return mx.sym.make_loss(mx.sym.broadcast_mul(data, weight)), ("data",), None

    for req, expected in (("write", [2, 2]), ("add", [2, 4])):
        mod = BucketingModule(sym_gen=sym_gen, default_bucket_key=10)
        mod.bind(data_shapes=[["data", (2,)]], for_training=True, grad_req=req)
        mod.init_params()
        for key, want in zip((10, 5), expected):
            mod.forward_backward(mx.io.DataBatch(
                data=[mx.nd.ones((2,))], label=None, bucket_key=key,
                provide_data=[mx.io.DataDesc(name="data", shape=(2,), layout="N")]))
            assert mod._curr_module._exec_group.execs[0].grad_dict["a"].asscalar() == want
        assert mod._curr_module._grad_req == req


def test_bucketing_checkpoint(tmp_path):
    prefix = str(tmp_path / "bucket")
    mod = BucketingModule(_bucket_sym_gen, default_bucket_key=3)
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    mod.init_params(initializer=init.Xavier())
    mod.switch_bucket(2, [("data", (4, 5))], [("softmax_label", (4,))])
    mod.save_checkpoint(prefix, 1)
    mod2 = BucketingModule.load(prefix, 1, sym_gen=_bucket_sym_gen, default_bucket_key=3)
    assert sorted(mod2._buckets) == [2, 3]
    mod2.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    a, b = mod.get_params()[0], mod2.get_params()[0]
    assert all(np.array_equal(a[k].asnumpy(), b[k].asnumpy()) for k in a)


def test_executor_group_shares_with_a_bigger_group():
    sym3 = _bucket_sym_gen(3)[0]
    sym1 = _bucket_sym_gen(1)[0]
    params = ["fc_weight", "fc_bias"]
    g1 = DataParallelExecutorGroup(sym3, TWO, [1, 1], [("data", (4, 5))],
                                   [("softmax_label", (4,))], params, True, False)
    assert [sorted(d) for d in g1.shared_data_arrays] == [["data", "softmax_label"]] * 2
    g2 = DataParallelExecutorGroup(sym1, TWO, [1, 1], [("data", (2, 5))],
                                   [("softmax_label", (2,))], params, True, False,
                                   shared_group=g1)
    for i in range(2):
        # the smaller inputs are views into the first group's buffers
        assert same_array(g1.execs[i].arg_dict["data"].reshape(-1)[0:5],
                          g2.execs[i].arg_dict["data"].reshape(-1))
        assert same_array(g1.execs[i].arg_dict["fc_weight"], g2.execs[i].arg_dict["fc_weight"])
    assert g1.grad_req == g2.grad_req
    assert g1._total_exec_bytes >= 0


# --- sequential / python modules ---------------------------------------------------------------
def _two_modules():
    data = mx.sym.Variable("data")
    net1 = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"),
                             act_type="relu", name="relu1")
    m1 = Module(net1, label_names=None)
    data2 = mx.sym.Variable("data2")
    net2 = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data2, num_hidden=2, name="fc2"),
                                name="softmax")
    m2 = Module(net2, data_names=["data2"])
    return m1, m2


def test_sequential_module_matches_one_module():
    x, y = separable(n=8)
    m1, m2 = _two_modules()
    seq = SequentialModule().add(m1).add(m2, take_labels=True, auto_wiring=True)
    seq.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    params = fixed_params(mlp(), (8, 5))
    seq.init_params(arg_params=params)
    seq.init_optimizer(optimizer_params={"learning_rate": 0.5})
    whole = Module(mlp())
    whole.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    whole.init_params(arg_params=params)
    whole.init_optimizer(optimizer_params={"learning_rate": 0.5})
    for m in (seq, whole):
        for _ in range(2):
            m.forward_backward(one_batch(x, y))
            m.update()
    assert seq.output_shapes == [("softmax_output", (8, 2))]
    np.testing.assert_allclose(seq.get_outputs()[0].asnumpy(),
                               whole.get_outputs()[0].asnumpy(), rtol=1e-5)
    a, b = seq.get_params()[0], whole.get_params()[0]
    assert sorted(a) == sorted(b)
    for k in a:
        np.testing.assert_allclose(a[k].asnumpy(), b[k].asnumpy(), rtol=1e-5, atol=1e-7)
    metric = mx.metric.create("acc")
    seq.update_metric(metric, [mx.nd.array(y)])
    assert metric.num_inst == 8


def test_sequential_fit_and_errors():
    x, y = separable()
    m1, m2 = _two_modules()
    seq = SequentialModule().add(m1).add(m2, take_labels=True, auto_wiring=True)
    seq.fit(mx.io.NDArrayIter(x, y, batch_size=20), num_epoch=6,
            optimizer_params={"learning_rate": 0.5}, initializer=init.Xavier())
    assert seq.score(mx.io.NDArrayIter(x, y, batch_size=20), "acc")[0][1] > 0.9
    with pytest.raises(AssertionError, match="Unknown meta"):
        SequentialModule().add(m1, take_label=True)
    with pytest.raises(AssertionError, match="empty"):
        SequentialModule().bind([("data", (8, 5))])


def test_python_loss_module_in_sequence():
    x, y = separable(n=8)
    data = mx.sym.Variable("data")
    m1 = Module(mx.sym.FullyConnected(data, num_hidden=1, name="fc"), label_names=None)
    loss = PythonLossModule(data_names=["fc_output"], label_names=["softmax_label"],
                            grad_func=lambda scores, labels:
                            scores - labels.reshape(scores.shape))
    seq = SequentialModule().add(m1).add(loss, take_labels=True)
    seq.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    seq.init_params(initializer=init.Zero())
    seq.init_optimizer(optimizer_params={"learning_rate": 1.0})
    seq.forward_backward(one_batch(x, y))
    seq.update()
    bias = seq.get_params()[0]["fc_bias"].asnumpy()
    np.testing.assert_allclose(bias, [np.mean(y)], rtol=1e-5)   # - lr * mean(0 - y)
