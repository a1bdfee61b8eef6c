"""gluon.nn layers against NumPy references, and gluon.utils helpers."""
import warnings

import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd, gluon
from mixnet import initializer as init
from mixnet.gluon import nn


def _forward_backward(layer, x):
    x = x.copy()
    x.attach_grad()
    with autograd.record():
        out = layer(x)
    out.backward()
    return out.asnumpy(), x.grad.asnumpy()


def _check_layer(layer, shape):
    """Imperative and hybridized runs agree on outputs and input gradients."""
    layer.initialize()
    x = mx.nd.random.uniform(shape=shape)
    out1, grad1 = _forward_backward(layer, x)
    layer.hybridize()
    out2, grad2 = _forward_backward(layer, x)
    np.testing.assert_allclose(out1, out2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad1, grad2, rtol=1e-5, atol=1e-6)
    return out1


def test_dense_matches_numpy():
    layer = nn.Dense(3, in_units=4, activation="tanh")
    layer.initialize(init.Xavier())
    x = np.random.uniform(size=(2, 4)).astype(np.float32)
    w, b = layer.weight.data().asnumpy(), layer.bias.data().asnumpy()
    np.testing.assert_allclose(layer(mx.nd.array(x)).asnumpy(), np.tanh(x @ w.T + b),
                               rtol=1e-5)
    assert repr(layer) == "Dense(4 -> 3, Activation(tanh))"
    flat = nn.Dense(3, flatten=False, use_bias=False)
    flat.initialize()
    assert flat(mx.nd.ones((2, 5, 4))).shape == (2, 5, 3) and flat.bias is None


def test_autograd_through_dense_stack():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(5, activation="relu"), nn.Dense(1))
    net.initialize(init.One())
    x = mx.nd.ones((2, 3))
    with autograd.record():
        loss = net(x).sum()
    loss.backward()
    # weights 1, biases 0 (Dense bias_initializer wins over the global init):
    # h = relu(3) per unit, so d(sum out)/dw1 = 3 per sample
    np.testing.assert_allclose(net[1].weight.grad().asnumpy(), np.full((1, 5), 6.0))
    np.testing.assert_allclose(net[0].weight.grad().asnumpy(), np.full((5, 3), 2.0))


@pytest.mark.parametrize("layer,shape", [
    (lambda: nn.Conv1D(4, 3, in_channels=2), (1, 2, 8)),
    (lambda: nn.Conv2D(4, (3, 2), strides=2, padding=1, groups=2, in_channels=2),
     (1, 2, 7, 7)),
    (lambda: nn.Conv3D(2, 2, in_channels=2, activation="relu"), (1, 2, 4, 4, 4)),
    (lambda: nn.Conv2DTranspose(3, (3, 2), strides=2, output_padding=1, in_channels=2),
     (1, 2, 4, 4)),
    (lambda: nn.MaxPool2D(3, 2), (1, 2, 7, 7)),
    (lambda: nn.AvgPool2D(count_include_pad=False, padding=1), (1, 2, 6, 6)),
    (lambda: nn.GlobalAvgPool1D(), (1, 2, 5)),
    (lambda: nn.MaxPool1D(layout="NWC"), (1, 6, 2)),
    (lambda: nn.BatchNorm(in_channels=3), (2, 3, 4, 4)),
    (lambda: nn.InstanceNorm(in_channels=3), (2, 3, 4, 4)),
    (lambda: nn.LayerNorm(in_channels=4), (2, 3, 4)),
    (lambda: nn.GroupNorm(num_groups=2), (2, 4, 3, 3)),
    (lambda: nn.ReflectionPad2D(1), (1, 2, 4, 4)),
    (lambda: nn.PReLU(), (2, 3)),
])
def test_layer_hybrid_equals_imperative(layer, shape):
    _check_layer(layer(), shape)


def test_conv_and_pool_shapes():
    conv = nn.Conv2D(8, 3, padding=1)
    conv.initialize()
    assert conv(mx.nd.ones((2, 3, 5, 5))).shape == (2, 8, 5, 5)
    assert conv.weight.shape == (8, 3, 3, 3)
    pool = nn.MaxPool2D(3, ceil_mode=True)
    assert pool(mx.nd.zeros((2, 2, 10, 10))).shape == (2, 2, 4, 4)
    assert nn.MaxPool2D(3)(mx.nd.zeros((2, 2, 10, 10))).shape == (2, 2, 3, 3)
    assert repr(conv).startswith("Conv2D(3 -> 8, kernel_size=(3, 3)")


def test_activations_match_numpy():
    x = np.array([-0.5, -0.1, 0.1, 2.0], dtype=np.float32)
    xs = mx.nd.array(x)
    np.testing.assert_allclose(nn.Activation("relu")(xs).asnumpy(), np.maximum(x, 0))
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(xs).asnumpy(), np.where(x > 0, x, 0.1 * x),
                               rtol=1e-6)
    np.testing.assert_allclose(nn.ELU()(xs).asnumpy(), np.where(x > 0, x, np.expm1(x)),
                               rtol=1e-5)
    scale, alpha = 1.0507009873554805, 1.6732632423543772
    np.testing.assert_allclose(nn.SELU()(xs).asnumpy(),
                               scale * np.where(x > 0, x, alpha * np.expm1(x)), rtol=1e-5)
    np.testing.assert_allclose(nn.Swish()(xs).asnumpy(), x / (1 + np.exp(-x)), rtol=1e-5)
    assert nn.GELU()(xs).shape == (4,)
    with pytest.raises(AssertionError):
        nn.LeakyReLU(-1)


def test_dropout_modes():
    x = mx.nd.ones((100, 100))
    layer = nn.Dropout(0.5)
    np.testing.assert_array_equal(layer(x).asnumpy(), x.asnumpy())   # predict mode
    with autograd.train_mode():
        y = layer(x).asnumpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.3 < (y == 0).mean() < 0.7
    with autograd.train_mode():
        y = nn.Dropout(0.5, axes=(1,))(x).asnumpy()
    assert (y == y[:, :1]).all()


def test_embedding_gradient():
    layer = nn.Embedding(10, 4)
    layer.initialize()
    x = mx.nd.array([3, 4, 2, 0, 1])
    with autograd.record():
        y = layer(x)
    y.backward()
    grad = layer.weight.grad().asnumpy()
    assert (grad[:5] == 1).all() and (grad[5:] == 0).all()
    assert repr(layer) == "Embedding(10 -> 4, float32)"


def test_layernorm_shape_error():
    for hybridize in (False, True):
        layer = nn.LayerNorm(in_channels=10)
        layer.initialize()
        if hybridize:
            layer.hybridize()
        with pytest.raises(mx.MXNetError):
            layer(mx.nd.ones((2, 11))).wait_to_read()


def test_flatten_lambda_and_sequential_indexing():
    assert nn.Flatten()(mx.nd.zeros((3, 4, 5))).shape == (3, 20)
    assert nn.Flatten()(mx.nd.zeros((3,))).shape == (3, 1)
    x = mx.nd.random.uniform(shape=(2, 3))
    a = nn.HybridLambda("tanh")(x).asnumpy()
    b = nn.Lambda(lambda v: mx.nd.tanh(v))(x).asnumpy()
    c = nn.HybridLambda(lambda F, v: F.tanh(v))(x).asnumpy()
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(a, c)
    for seq in (nn.Sequential(), nn.HybridSequential()):
        layers = [nn.Dense(2) for _ in range(3)]
        seq.add(*layers)
        assert seq[1] is layers[1] and len(seq) == 3
        part = seq[1:]
        assert isinstance(part, type(seq)) and part[0] is layers[1]


def test_sequential_hybridize_warns():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        seq = nn.Sequential()
        seq.add(nn.Dense(2))
        seq.hybridize()
    assert len(w) == 1 and "HybridSequential" in str(w[0].message)


def test_split_data_and_load():
    x = mx.nd.random.uniform(shape=(12, 5, 3))
    parts = gluon.utils.split_data(x, 3, batch_axis=1, even_split=False)
    assert [p.shape for p in parts] == [(12, 2, 3), (12, 2, 3), (12, 1, 3)]
    np.testing.assert_array_equal(mx.nd.concat(*parts, dim=1).asnumpy(), x.asnumpy())
    with pytest.raises(ValueError, match="evenly split"):
        gluon.utils.split_data(x, 5)
    loaded = gluon.utils.split_and_load(x, [mx.cpu(0), mx.cpu(1)])
    assert [p.context for p in loaded] == [mx.cpu(0), mx.cpu(1)]


def test_clip_global_norm():
    x1, x2 = mx.nd.ones((3, 3)), mx.nd.ones((4, 4))
    norm = gluon.utils.clip_global_norm([x1, x2], 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(x1.asnumpy(), np.ones((3, 3)) / 5, rtol=1e-6)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        gluon.utils.clip_global_norm([mx.nd.array([1.0, float("nan")])], 1.0)
    assert len(w) == 1


def test_check_sha1(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    assert gluon.utils.check_sha1(str(path), "a9993e364706816aba3e25717850c26c9cd0d89d")
