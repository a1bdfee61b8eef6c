"""mx.operator.CustomOp / CustomOpProp / register and the Custom op (nd, autograd, sym,
executors, Module.fit)."""
import numpy as np
import pytest

import mixnet as mx
import mixnet.operator  # noqa: F401  (until mixnet/__init__ imports it)

op = mx.operator


class Sqr(op.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * in_data[0])

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], 2 * in_data[0] * out_grad[0])


@op.register("test_sqr")
class SqrProp(op.CustomOpProp):
    created = []

    def __init__(self, scale="1"):
        super().__init__(need_top_grad=True)
        SqrProp.created.append(scale)

    def create_operator(self, ctx, in_shapes, in_dtypes):
        return Sqr()


class Softmax(op.CustomOp):
    """MXNet's guide example: a softmax loss layer (ignores the top gradient)."""

    def forward(self, is_train, req, in_data, out_data, aux):
        x = in_data[0].asnumpy()
        y = np.exp(x - x.max(axis=1).reshape((x.shape[0], 1)))
        y /= y.sum(axis=1).reshape((x.shape[0], 1))
        self.assign(out_data[0], req[0], mx.nd.array(y))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        label = in_data[1].asnumpy().ravel().astype(np.int64)
        y = out_data[0].asnumpy()
        y[np.arange(label.shape[0]), label] -= 1.0
        self.assign(in_grad[0], req[0], mx.nd.array(y))


@op.register("test_softmax")
class SoftmaxProp(op.CustomOpProp):
    def __init__(self):
        super().__init__(need_top_grad=False)

    def list_arguments(self):
        return ["data", "label"]

    def infer_shape(self, in_shape):
        data_shape = in_shape[0]
        return [data_shape, (data_shape[0],)], [data_shape], []

    def create_operator(self, ctx, in_shapes, in_dtypes):
        return Softmax()


class Counter(op.CustomOp):
    """Adds its aux state to the data; counts forward calls in training."""

    def forward(self, is_train, req, in_data, out_data, aux):
        if is_train:
            aux[0][:] = aux[0] + 1
        self.assign(out_data[0], req[0], in_data[0] + aux[0])
        self.assign(out_data[1], req[1], in_data[0] * 3)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], out_grad[0] + 3 * out_grad[1])


@op.register("test_counter")
class CounterProp(op.CustomOpProp):
    def list_outputs(self):
        return ["sum", "triple"]

    def list_auxiliary_states(self):
        return ["count"]

    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0], in_shape[0]], [in_shape[0]]

    def create_operator(self, ctx, in_shapes, in_dtypes):
        return Counter()


def test_nd_forward_and_autograd():
    x = mx.nd.array([[1, -2, 3], [0.5, 4, -1]])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Custom(x, op_type="test_sqr", scale=2)
        z = (y * mx.nd.array([[1, 2, 3], [4, 5, 6]])).sum()
    z.backward()
    xn = x.asnumpy()
    np.testing.assert_allclose(y.asnumpy(), xn * xn)
    np.testing.assert_allclose(x.grad.asnumpy(), 2 * xn * np.array([[1, 2, 3], [4, 5, 6]]))
    assert SqrProp.created[-1] == "2"      # kwargs reach the prop as strings
    assert y.dtype == np.float32 and y.shape == (2, 3)


def test_nd_keyword_input_and_float64():
    x = mx.nd.array([1.0, 2.0], dtype="float64")
    y = mx.nd.Custom(data=x, op_type="test_sqr")
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.asnumpy(), [1, 4])


def test_sym_simple_bind_forward_backward():
    data = mx.sym.var("data")
    sym = mx.sym.Custom(data, op_type="test_sqr", name="sq")
    assert sym.list_arguments() == ["data"]
    assert sym.list_outputs() == ["sq_output"]
    arg_shapes, out_shapes, aux_shapes = sym.infer_shape(data=(2, 3))
    assert out_shapes == [(2, 3)] and aux_shapes == []
    ex = sym.simple_bind(mx.cpu(), data=(2, 3))
    xn = np.random.uniform(-1, 1, (2, 3)).astype(np.float32)
    ex.forward(is_train=True, data=mx.nd.array(xn))
    np.testing.assert_allclose(ex.outputs[0].asnumpy(), xn * xn, rtol=1e-6)
    head = np.random.uniform(-1, 1, (2, 3)).astype(np.float32)
    ex.backward(mx.nd.array(head))
    np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(), 2 * xn * head, rtol=1e-6)


def test_sym_inside_larger_graph_and_json_round_trip():
    data = mx.sym.var("data")
    net = mx.sym.Custom(data * 2, op_type="test_sqr", scale=7, name="c") + 1
    js = net.tojson()
    assert '"op_type": "test_sqr"' in js and '"scale": "7"' in js
    back = mx.sym.load_json(js)
    assert back.tojson() == js
    assert back.attr_dict()["c"] == {"op_type": "test_sqr", "scale": "7"}
    ex = back.bind(mx.cpu(), {"data": mx.nd.array([1, 2])},
                   args_grad={"data": mx.nd.zeros((2,))})
    ex.forward(is_train=True)
    np.testing.assert_allclose(ex.outputs[0].asnumpy(), [5, 17])
    ex.backward(mx.nd.ones((2,)))
    np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(), [8, 16])   # 8x


def test_loss_op_module_fit():
    rng = np.random.RandomState(0)
    n = 200
    x = rng.normal(size=(n, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32)
    x[y == 1] += 1.0
    x[y == 0] -= 1.0
    it = mx.io.NDArrayIter(x, y, batch_size=20, shuffle=True, label_name="softmax_label")
    data = mx.sym.var("data")
    fc = mx.sym.FullyConnected(data, num_hidden=2, name="fc")
    net = mx.sym.Custom(fc, op_type="test_softmax", name="softmax")
    assert net.list_arguments() == ["data", "fc_weight", "fc_bias", "softmax_label"]
    mod = mx.mod.Module(net, data_names=["data"], label_names=["softmax_label"])
    mod.fit(it, num_epoch=5, optimizer="sgd",
            optimizer_params={"learning_rate": 0.05}, initializer=mx.init.Xavier())
    it.reset()
    acc = dict(mod.score(it, "acc"))["accuracy"]
    assert acc > 0.9, acc


def test_aux_states_and_multiple_outputs():
    data = mx.sym.var("data")
    sym = mx.sym.Custom(data, op_type="test_counter", name="cnt")
    assert sym.list_auxiliary_states() == ["cnt_count"]
    assert sym.list_outputs() == ["cnt_sum", "cnt_triple"]
    ex = sym.simple_bind(mx.cpu(), data=(3,))
    ex.aux_dict["cnt_count"][:] = 10
    ex.forward(is_train=True, data=mx.nd.array([1, 2, 3]))
    np.testing.assert_allclose(ex.outputs[0].asnumpy(), [12, 13, 14])
    np.testing.assert_allclose(ex.outputs[1].asnumpy(), [3, 6, 9])
    np.testing.assert_allclose(ex.aux_dict["cnt_count"].asnumpy(), [11, 11, 11])
    ex.backward([mx.nd.ones((3,)), mx.nd.ones((3,))])
    np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(), [4, 4, 4])
    ex.forward(is_train=False)
    np.testing.assert_allclose(ex.aux_dict["cnt_count"].asnumpy(), [11, 11, 11])
    # imperatively: the aux NDArray is updated in place
    count = mx.nd.zeros((3,))
    with mx.autograd.train_mode():
        s, t = mx.nd.Custom(mx.nd.array([1, 2, 3]), count, op_type="test_counter")
    np.testing.assert_allclose(count.asnumpy(), [1, 1, 1])
    np.testing.assert_allclose(s.asnumpy(), [2, 3, 4])


def test_assign_req():
    o = op.CustomOp()
    dst = mx.nd.ones((2,))
    o.assign(dst, "null", mx.nd.array([5, 5]))
    np.testing.assert_allclose(dst.asnumpy(), [1, 1])
    o.assign(dst, "add", mx.nd.array([5, 5]))
    np.testing.assert_allclose(dst.asnumpy(), [6, 6])
    o.assign(dst, "inplace", mx.nd.array([2, 3]))
    np.testing.assert_allclose(dst.asnumpy(), [2, 3])
    o.assign(dst, "write", mx.nd.array([4, 5]))
    np.testing.assert_allclose(dst.asnumpy(), [4, 5])


def test_prop_defaults():
    p = op.CustomOpProp()
    assert p.list_arguments() == ["data"] and p.list_outputs() == ["output"]
    assert p.list_auxiliary_states() == []
    assert p.infer_shape([[2, 3]]) == ([[2, 3]], ([2, 3],), ())
    assert p.declare_backward_dependency([0], [1], [2]) == [0, 1, 2]
    assert op.CustomOpProp(need_top_grad=False).declare_backward_dependency([0], [1], [2]) \
        == [1, 2]
    assert p.infer_storage_type(["default"]) == (["default"], ["default"], [])
    assert "Custom" in op.get_all_registered_operators()


def test_errors():
    x = mx.nd.ones((2,))
    with pytest.raises(mx.base.MXNetError, match="no_such_op"):
        mx.nd.Custom(x, op_type="no_such_op")
    with pytest.raises(mx.base.MXNetError, match="no_such_op"):
        mx.sym.Custom(mx.sym.var("a"), op_type="no_such_op")
    with pytest.raises(mx.base.MXNetError, match="op_type"):
        mx.nd.Custom(x)
    with pytest.raises(mx.base.MXNetError, match="test_softmax"):
        mx.nd.Custom(x, op_type="test_softmax")     # needs data and label
