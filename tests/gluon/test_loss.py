"""gluon.loss: each loss against a NumPy reference, imperative (F=nd) and hybridized
(F=sym) giving the same values, gradients, and the CTCLoss op behind CTCLoss."""
import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd, gluon

RNG = np.random.RandomState(0)


def _nd(a, dtype="float32"):
    return mx.nd.array(np.asarray(a), dtype=dtype)


def _both(loss, *args):
    """The loss imperatively and hybridized (symbolic graph); they must agree."""
    eager = loss(*args).asnumpy()
    loss.hybridize()
    hybrid = loss(*args).asnumpy()
    np.testing.assert_allclose(eager, hybrid, rtol=1e-5, atol=1e-6)
    return eager


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


PRED = RNG.uniform(-2, 2, (4, 3)).astype("float32")
LABEL = RNG.uniform(-2, 2, (4, 3)).astype("float32")
SIGN = np.sign(RNG.uniform(-1, 1, (4, 3))).astype("float32")
BINARY = (RNG.uniform(0, 1, (4, 3)) > 0.5).astype("float32")
HUBER = np.where(np.abs(LABEL - PRED) > 1, np.abs(LABEL - PRED) - 0.5,
                 0.5 * (LABEL - PRED) ** 2)

CASES = [
    ("L2Loss", {}, LABEL, 0.5 * (LABEL - PRED) ** 2),
    ("L1Loss", {}, LABEL, np.abs(LABEL - PRED)),
    ("HuberLoss", {}, LABEL, HUBER),
    ("HingeLoss", {}, SIGN, np.maximum(0, 1 - PRED * SIGN)),
    ("SquaredHingeLoss", {"margin": 2}, SIGN, np.maximum(0, 2 - PRED * SIGN) ** 2),
    ("LogisticLoss", {}, SIGN, np.log1p(np.exp(-PRED * SIGN))),
    ("LogisticLoss", {"label_format": "binary"}, BINARY,
     np.log1p(np.exp(-PRED * (2 * BINARY - 1)))),
    ("SigmoidBCELoss", {}, BINARY, -(BINARY * np.log(_sigmoid(PRED)) +
                                     (1 - BINARY) * np.log(1 - _sigmoid(PRED)))),
]


@pytest.mark.parametrize("name,kwargs,label,elementwise", CASES)
def test_pointwise_losses_match_numpy(name, kwargs, label, elementwise):
    loss = getattr(gluon.loss, name)(**kwargs)
    out = _both(loss, _nd(PRED), _nd(label))
    np.testing.assert_allclose(out, elementwise.mean(axis=1), rtol=1e-4, atol=1e-5)


def test_weight_and_sample_weight():
    out, label, w = _nd([1, 2, 3, 4]), _nd([1, 3, 5, 7]), _nd([0.5, 1, 0.5, 1])
    assert mx.nd.sum(gluon.loss.L1Loss()(out, label)).asscalar() == 6.
    assert mx.nd.sum(gluon.loss.L1Loss(weight=0.5)(out, label)).asscalar() == 3.
    assert mx.nd.sum(gluon.loss.L1Loss()(out, label, w)).asscalar() == 5.
    assert mx.nd.sum(gluon.loss.L2Loss(weight=0.25)(out, label)).asscalar() == 1.75
    assert mx.nd.sum(gluon.loss.L2Loss()(out, label, w)).asscalar() == 6


def test_softmax_ce_sparse_dense_and_logits():
    pred = RNG.randn(5, 4).astype("float32")
    label = np.array([0, 3, 1, 2, 3])
    logp = pred - np.log(np.exp(pred).sum(axis=1, keepdims=True))
    expected = -logp[np.arange(5), label]
    np.testing.assert_allclose(_both(gluon.loss.SoftmaxCELoss(), _nd(pred), _nd(label)),
                               expected, rtol=1e-5)
    onehot = np.eye(4)[label]
    dense = gluon.loss.SoftmaxCrossEntropyLoss(sparse_label=False)
    np.testing.assert_allclose(_both(dense, _nd(pred), _nd(onehot)), expected, rtol=1e-5)
    logits = gluon.loss.SoftmaxCELoss(from_logits=True)
    np.testing.assert_allclose(_both(logits, _nd(logp), _nd(label)), expected, rtol=1e-5)
    weighted = gluon.loss.SoftmaxCELoss()(_nd(pred), _nd(label), _nd(np.full((5, 1), 0.5)))
    np.testing.assert_allclose(weighted.asnumpy(), expected * 0.5, rtol=1e-5)


def test_bce_from_sigmoid_and_pos_weight():
    prob = RNG.uniform(0.1, 0.9, (6, 5)).astype("float32")
    logit = np.log(prob / (1 - prob))
    label = (RNG.uniform(0, 1, (6, 5)) > 0.5).astype("float32")
    pos_w = RNG.uniform(0, 3, (1, 5)).astype("float32")
    expected = (-label * np.log(prob) * pos_w - (1 - label) * np.log(1 - prob)).mean(axis=1)
    from_logit = gluon.loss.SigmoidBinaryCrossEntropyLoss()
    got = from_logit(_nd(logit), _nd(label), None, _nd(pos_w)).asnumpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    from_sig = gluon.loss.SigmoidBCELoss(from_sigmoid=True)
    got = from_sig(_nd(prob), _nd(label), None, _nd(pos_w)).asnumpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4)


def test_kl_triplet_poisson_cosine():
    logp = np.log(np.full((3, 4), 0.25, dtype="float32"))
    label = RNG.dirichlet(np.ones(4), 3).astype("float32")
    kl = (label * (np.log(label + 1e-12) - logp)).sum(axis=1)
    np.testing.assert_allclose(_both(gluon.loss.KLDivLoss(), _nd(logp), _nd(label)), kl,
                               rtol=1e-5)
    a, p, n = (RNG.randn(3, 4).astype("float32") for _ in range(3))
    trip = np.maximum(0, ((p - a) ** 2 - (n - a) ** 2).sum(axis=1) + 1)
    np.testing.assert_allclose(_both(gluon.loss.TripletLoss(), _nd(a), _nd(p), _nd(n)), trip,
                               rtol=1e-5, atol=1e-6)
    rate, target = RNG.uniform(0.5, 2, (3, 4)), RNG.uniform(0, 3, (3, 4))
    pois = gluon.loss.PoissonNLLLoss()(_nd(rate), _nd(target)).asnumpy()
    np.testing.assert_allclose(pois, [np.mean(np.exp(rate) - target * rate)], rtol=1e-5)
    label = _nd([1, -1, 1])
    cos = gluon.loss.CosineEmbeddingLoss()(_nd(a), _nd(p), label).asnumpy()
    sim = (a * p).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(p, axis=1)
    expected = np.where(label.asnumpy() == 1, 1 - sim, np.maximum(0, sim))[:, None]
    np.testing.assert_allclose(cos, expected, rtol=1e-5, atol=1e-6)


def test_sdml_loss_prefers_aligned_pairs():
    x = RNG.randn(4, 3).astype("float32")
    aligned = gluon.loss.SDMLLoss()(_nd(x), _nd(x)).asnumpy()
    shuffled = gluon.loss.SDMLLoss()(_nd(x), _nd(x[::-1].copy())).asnumpy()
    assert aligned.shape == (4,) and aligned.sum() < shuffled.sum()


def test_loss_gradient_and_repr():
    pred = _nd(PRED)
    pred.attach_grad()
    with autograd.record():
        out = gluon.loss.L2Loss()(pred, _nd(LABEL))
    out.backward()
    np.testing.assert_allclose(pred.grad.asnumpy(), (PRED - LABEL) / 3, rtol=1e-5)
    assert repr(gluon.loss.L1Loss()) == "L1Loss(batch_axis=0, w=None)"
    with pytest.raises(ValueError):
        gluon.loss.LogisticLoss(label_format="other")


# --- CTC: values from MXNet 1.9.1 ------------------------------------------------------------
CTC_EXPECTED = np.array([18.82820702, 16.50581741])


def test_ctc_loss_layouts_and_lengths():
    labels = _nd([[1, 0, -1, -1], [2, 1, 1, -1]])
    np.testing.assert_allclose(_both(gluon.loss.CTCLoss(), mx.nd.ones((2, 20, 4)), labels),
                               CTC_EXPECTED, rtol=1e-5)
    tnc = gluon.loss.CTCLoss(layout="TNC", label_layout="TN")
    np.testing.assert_allclose(_both(tnc, mx.nd.ones((20, 2, 4)), labels.T), CTC_EXPECTED,
                               rtol=1e-5)
    loss = gluon.loss.CTCLoss()
    got = loss(mx.nd.ones((2, 25, 4)), _nd([[2, 1, 3, 3], [3, 2, 2, 3]]), _nd([20, 20]),
               _nd([2, 3]))
    np.testing.assert_allclose(got.asnumpy(), CTC_EXPECTED, rtol=1e-5)
    got = loss(mx.nd.ones((2, 20, 4)), _nd([[2, 1, 2, 2], [3, 2, 2, 2]]), None, _nd([2, 3]))
    np.testing.assert_allclose(got.asnumpy(), CTC_EXPECTED, rtol=1e-5)


def test_ctc_op_matches_mxnet_and_edge_cases():
    data = np.random.RandomState(0).randn(6, 2, 4)
    x = _nd(data)
    x.attach_grad()
    with autograd.record():
        y = mx.nd.CTCLoss(x, _nd([[1, 2, 0, 0], [3, 3, 2, 0]]), _nd([5, 6]),
                          use_data_lengths=True)
    y.backward(_nd([1, 2]))
    np.testing.assert_allclose(y.asnumpy(), [3.803867, 8.342826], rtol=1e-5)
    # rows of MXNet 1.9.1's gradient
    np.testing.assert_allclose(x.grad.asnumpy()[0, 0], [-0.39041305, -0.23167294, 0.13723415,
                                                         0.484852], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(x.grad.asnumpy()[5, 1], [-0.0800688, 0.3480752, -1.4417844,
                                                         1.1737785], rtol=1e-4, atol=1e-6)
    assert (x.grad.asnumpy()[5, 0] == 0).all()   # past sample 0's length
    # infeasible (needs 5 frames) and empty labels give 0, as in MXNet
    assert mx.nd.CTCLoss(mx.nd.ones((3, 1, 4)), _nd([[1, 1, 1]])).asnumpy()[0] == 0
    assert mx.nd.CTCLoss(mx.nd.ones((3, 1, 4)), _nd([[0, 0, 0]])).asnumpy()[0] == 0
    # 'a' in 3 frames of 4 equiprobable classes: 6 of the 64 paths
    one = mx.nd.CTCLoss(mx.nd.ones((3, 1, 4)), _nd([[1, 2, 0]]), _nd([1]),
                        use_label_lengths=True)
    np.testing.assert_allclose(one.asnumpy(), [np.log(64 / 6)], rtol=1e-5)


def test_ctc_gradient_is_numeric_gradient():
    data = np.random.RandomState(1).randn(5, 2, 3)
    label = _nd([[1, 0], [1, 1]])

    def value(d):
        return mx.nd.CTCLoss(_nd(d, "float64"), label, blank_label="last").asnumpy().sum()

    x = _nd(data, "float64")
    x.attach_grad()
    with autograd.record():
        y = mx.nd.CTCLoss(x, label, blank_label="last")
    y.backward()
    numeric = np.zeros_like(data)
    for idx in np.ndindex(*data.shape):
        up, down = data.copy(), data.copy()
        up[idx] += 1e-5
        down[idx] -= 1e-5
        numeric[idx] = (value(up) - value(down)) / 2e-5
    np.testing.assert_allclose(x.grad.asnumpy(), numeric, rtol=1e-4, atol=1e-6)


def test_ctc_symbol():
    data, label = mx.sym.Variable("data"), mx.sym.Variable("label")
    sym = mx.sym.CTCLoss(data, label, name="ctc")
    assert sym.list_arguments() == ["data", "label"]
    assert len(sym.list_outputs()) == 1
    _, out_shapes, _ = sym.infer_shape(data=(20, 2, 4), label=(2, 4))
    assert out_shapes == [(2,)]
    with_len = mx.sym.CTCLoss(data, label, use_label_lengths=True, name="c")
    assert with_len.list_arguments() == ["data", "label", "c_label_lengths"]
    with pytest.raises(mx.base.MXNetError):
        mx.nd.CTCLoss(mx.nd.ones((2, 4)), _nd([[1]]))
