"""Symbol: composition, naming, attributes, inference, JSON round trips and errors."""
import json

import numpy as np
import pytest

import mixnet as mx
from mixnet.base import MXNetError


def _mlp():
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.FullyConnected(net, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def test_arguments_outputs_and_auto_names():
    net = _mlp()
    assert net.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc2_weight",
                                    "fc2_bias", "softmax_label"]
    assert net.list_outputs() == ["softmax_output"]
    with mx.name.NameManager():
        a = mx.sym.var("a")
        assert (a + 1).name == "_plusscalar0" and (a * a).name == "_mul0"
    bn = mx.sym.BatchNorm(mx.sym.var("x"), name="bn")
    assert bn.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]


def test_infer_shape_fills_weights_and_reports_partial():
    net = _mlp()
    args, outs, aux = net.infer_shape(data=(4, 5))
    assert dict(zip(net.list_arguments(), args))["fc1_weight"] == (8, 5)
    assert outs == [(4, 3)]
    assert net.infer_shape() == (None, None, None)
    partial = net.infer_shape_partial()[0]
    assert partial[1] == ()


def test_infer_type_and_errors_name_the_node():
    x = mx.sym.var("x")
    y = mx.sym.elemwise_add(x, mx.sym.var("y"), name="add1")
    assert y.infer_type(x="float16")[1] == [np.float16]
    with pytest.raises(MXNetError) as info:
        y.infer_shape(x=(2, 3), y=(4, 5))
    assert "add1" in str(info.value) and "(2, 3)" in str(info.value)
    with pytest.raises(MXNetError, match="not found"):
        y.infer_shape(z=(1,))


def test_json_round_trip_and_format():
    net = _mlp()
    text = net.tojson()
    data = json.loads(text)
    assert data["attrs"]["mxnet_version"] == ["int", 10901]
    assert data["nodes"][2]["name"] == "fc1_bias"
    again = mx.sym.load_json(text)
    assert again.tojson() == text
    assert again.infer_shape(data=(2, 5))[1] == [(2, 3)]


def test_legacy_json_upgrade():
    old = {"nodes": [
        {"op": "null", "param": {}, "name": "data", "inputs": [], "backward_source_id": -1,
         "attr": {"ctx_group": "stage1", "lr_mult": "0.2"}},
        {"op": "null", "param": {}, "name": "fc_weight", "inputs": [], "backward_source_id": -1},
        {"op": "null", "param": {}, "name": "fc_bias", "inputs": [], "backward_source_id": -1},
        {"op": "FullyConnected", "param": {"num_hidden": "4", "no_bias": "False"},
         "name": "fc", "inputs": [[0, 0], [1, 0], [2, 0]], "backward_source_id": -1,
         "attr": {"fc_weight_lr_mult": "1.5"}}],
        "arg_nodes": [0, 1, 2], "heads": [[3, 0]]}
    sym = mx.sym.load_json(json.dumps(old))
    assert sym.get_internals()["data"].attr("__ctx_group__") == "stage1"
    assert sym.get_internals()["data"].attr("lr_mult") == "0.2"
    assert sym.infer_shape(data=(2, 3))[1] == [(2, 4)]


def test_corrupt_json_raises_clear_error():
    with pytest.raises(MXNetError, match="corrupt or truncated"):
        mx.sym.load_json(_mlp().tojson()[:-40])
    bad = json.loads(_mlp().tojson())
    bad["nodes"][3]["op"] = "NoSuchOp"
    with pytest.raises(MXNetError, match="NoSuchOp"):
        mx.sym.load_json(json.dumps(bad))


def test_compose_and_group_and_children():
    net = mx.sym.FullyConnected(name="fc3", num_hidden=4)
    data = mx.sym.var("x")
    composed = net(fc3_data=data)
    assert composed.list_arguments()[0] == "x"
    group = mx.sym.Group([composed, data])
    assert len(group) == 2 and group[1].name == "x"
    assert composed.get_children().list_outputs() == ["x", "fc3_weight", "fc3_bias"]


def test_attributes_scopes_and_hidden_keys():
    with mx.AttrScope(ctx_group="dev1"):
        v = mx.sym.var("v", lr_mult=2)
    assert v.attr("ctx_group") == "dev1" and v.attr("__lr_mult__") == "2"
    fc = mx.sym.FullyConnected(v, num_hidden=2, name="fc", wd_mult=0)
    assert fc.attr("num_hidden") == "2" and fc.list_attr()["wd_mult"] == "0"
    assert fc.get_internals()["fc_weight"].attr("__wd_mult__") == "0"


def test_symbol_is_not_bool_and_overloads():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    with pytest.raises(MXNetError):
        bool(a)
    out = ((a + b) * 2 - 1) / b
    ex = out.bind(mx.cpu(), {"a": mx.nd.array([1.0]), "b": mx.nd.array([2.0])})
    assert ex.forward()[0].asscalar() == pytest.approx(2.5)


def test_get_symbol_from_autograd():
    x = mx.nd.ones((2,))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.exp(x) * x
    assert len(mx.autograd.get_symbol(y).list_arguments()) == 1
