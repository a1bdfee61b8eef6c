"""Executor: forward/backward vs autograd, grad_req, aux updates, reshape, errors."""
import numpy as np
import pytest

import mixnet as mx
from mixnet.base import MXNetError


def _net():
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(data, num_hidden=6, name="fc1")
    net = mx.sym.BatchNorm(net, name="bn", fix_gamma=False)
    net = mx.sym.Activation(net, act_type="tanh")
    return mx.sym.FullyConnected(net, num_hidden=2, name="fc2")


def _fill(exe, seed=0):
    rng = np.random.RandomState(seed)
    for name, arr in exe.arg_dict.items():
        arr[:] = rng.uniform(-1, 1, arr.shape)
    return {k: v.asnumpy() for k, v in exe.arg_dict.items()}


def test_backward_matches_autograd():
    exe = _net().simple_bind(mx.cpu(), data=(4, 3))
    values = _fill(exe)
    out = exe.forward(is_train=True)[0].asnumpy()
    head = np.random.RandomState(1).rand(*out.shape).astype(np.float32)
    exe.backward(mx.nd.array(head))
    nds = {k: mx.nd.array(v) for k, v in values.items()}
    for v in nds.values():
        v.attach_grad()
    with mx.autograd.record():
        x = mx.nd.FullyConnected(nds["data"], nds["fc1_weight"], nds["fc1_bias"], num_hidden=6)
        x = mx.nd.BatchNorm(x, nds["bn_gamma"], nds["bn_beta"], mx.nd.zeros(6), mx.nd.ones(6),
                            fix_gamma=False)
        x = mx.nd.Activation(x, act_type="tanh")
        y = mx.nd.FullyConnected(x, nds["fc2_weight"], nds["fc2_bias"], num_hidden=2)
    y.backward(mx.nd.array(head))
    np.testing.assert_allclose(out, y.asnumpy(), rtol=1e-5, atol=1e-6)
    for k in nds:
        np.testing.assert_allclose(exe.grad_dict[k].asnumpy(), nds[k].grad.asnumpy(),
                                   rtol=1e-4, atol=1e-5, err_msg=k)


def test_grad_req_add_and_null_and_aux_update():
    exe = _net().simple_bind(mx.cpu(), data=(4, 3),
                             grad_req={"fc1_weight": "add", "fc2_weight": "write"})
    _fill(exe)
    exe.grad_dict["fc1_weight"][:] = 0
    for _ in range(2):
        exe.forward(is_train=True)
        exe.backward(mx.nd.ones((4, 2)))
    once = mx.nd.zeros((6, 3))
    exe2 = _net().simple_bind(mx.cpu(), data=(4, 3), grad_req={"fc1_weight": "write"})
    for k, v in exe.arg_dict.items():
        v.copyto(exe2.arg_dict[k])
    exe2.forward(is_train=True)
    exe2.backward(mx.nd.ones((4, 2)))
    once = exe2.grad_dict["fc1_weight"].asnumpy()
    np.testing.assert_allclose(exe.grad_dict["fc1_weight"].asnumpy(), 2 * once, rtol=1e-5)
    assert exe.grad_dict["data"] is None
    assert not np.allclose(exe.aux_dict["bn_moving_mean"].asnumpy(), 0)


def test_outputs_are_stable_arrays_and_reshape_shares_memory():
    exe = _net().simple_bind(mx.cpu(), data=(4, 3), grad_req="null")
    _fill(exe)
    out = exe.outputs[0]
    exe.forward()
    assert exe.outputs[0] is out
    small = exe.reshape(data=(2, 3))
    small.forward()
    np.testing.assert_allclose(small.outputs[0].asnumpy(), exe.outputs[0].asnumpy()[:2],
                               rtol=1e-6)
    assert small.arg_dict["fc1_weight"] is exe.arg_dict["fc1_weight"]
    with pytest.raises(MXNetError, match="allow_up_sizing"):
        exe.reshape(data=(8, 3))


def test_bind_shape_mismatch_names_argument():
    net = _net()
    args = {n: mx.nd.zeros(s) for n, s in zip(net.list_arguments(),
                                               net.infer_shape(data=(4, 3))[0])}
    args["fc1_weight"] = mx.nd.zeros((5, 3))
    with pytest.raises(MXNetError) as info:
        net.bind(mx.cpu(), args, aux_states=[mx.nd.zeros(6), mx.nd.ones(6)])
    assert "fc1" in str(info.value)


def test_errors_in_forward_surface_at_sync():
    x = mx.sym.var("x")
    y = mx.sym.dot(x, mx.sym.random.normal(0, -1, shape=(2, 2)))
    exe = y.bind(mx.cpu(), {"x": mx.nd.ones((2, 2))})
    exe.forward()
    with pytest.raises(MXNetError, match="positive"):
        exe.outputs[0].asnumpy()
    mx.nd.waitall()


def test_memory_plan_sharing_and_mirroring(monkeypatch):
    data = mx.sym.var("data")
    net = data
    for i in range(6):
        net = mx.sym.FullyConnected(net, num_hidden=64, name=f"fc{i}")
        net = mx.sym.Activation(net, act_type="relu")
    exe = net.simple_bind(mx.cpu(), data=(32, 64))
    plan = exe.memory_plan()
    assert plan["shared_bytes"] < plan["naive_bytes"]
    monkeypatch.setenv("MXNET_BACKWARD_DO_MIRROR", "1")
    mirrored = net.simple_bind(mx.cpu(), data=(32, 64))
    assert any(n.name.endswith("_mirror") for n in mirrored._bwd_nodes)
    values = _fill(exe)
    for k, v in values.items():
        mirrored.arg_dict[k][:] = v
    for e in (exe, mirrored):
        e.forward(is_train=True)
        e.backward(mx.nd.ones((32, 64)))
    np.testing.assert_allclose(exe.grad_dict["fc0_weight"].asnumpy(),
                               mirrored.grad_dict["fc0_weight"].asnumpy(), rtol=1e-5)


def test_common_subexpressions_are_merged():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    exe = ((a + b) * (a + b)).simple_bind(mx.cpu(), a=(3,), b=(3,))
    internals = exe.get_optimized_symbol().get_internals().list_outputs()
    assert sum(name.startswith("_plus") for name in internals) == 1


def test_monitor_callback_sees_node_outputs():
    seen = []
    exe = _net().simple_bind(mx.cpu(), data=(4, 3), grad_req="null")
    exe.set_monitor_callback(lambda name, arr: seen.append(name))
    exe.forward()
    mx.nd.waitall()
    assert "fc1_output" in seen and "fc2_output" in seen
