"""Loss-output heads. Their gradients are MXNet's loss gradients, not derivatives of the
forward, so the harness checks forwards and the backward ops' formulas, and the
gradients are compared with values from MXNet 1.9.1 (autograd on mx.nd)."""

import math

import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample

X = np.array([[0.1, 0.43, 0.21, 0.09], [-0.15, 0.29, -0.12, 0.78], [0.93, -0.23, 0.58, 0.06]])


def _labels(*values):
    return np.array(values, dtype=np.float32)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def softmax_output_ref(x, label, multi_output=False, preserve_shape=False, **_):
    if multi_output:
        return _softmax(x, 1)
    rows = math.prod(x.shape[:-1]) if preserve_shape else x.shape[0]
    return _softmax(x.reshape(rows, -1), 1).reshape(x.shape)


def bw_softmax_output_ref(
    out,
    label,
    grad_scale=1.0,
    ignore_label=-1.0,
    multi_output=False,
    use_ignore=False,
    preserve_shape=False,
    normalization="null",
    out_grad=False,
    smooth_alpha=0.0,
):
    """A row-by-row loop over MXNet's SoftmaxGrad."""
    if multi_output:
        k = out.shape[1]
        prob = np.moveaxis(out.reshape(out.shape[0], k, -1), 1, 2).reshape(-1, k)
        lab = label.reshape(-1)
    else:
        rows = math.prod(out.shape[:-1]) if preserve_shape else out.shape[0]
        prob, lab = out.reshape(rows, -1), label.reshape(-1)[:rows]
        k = prob.shape[1]
    grad = prob.copy()
    for r, y in enumerate(lab.astype(int)):
        if use_ignore and y == int(ignore_label):
            grad[r] = 0
            continue
        if smooth_alpha and not multi_output:
            grad[r] -= smooth_alpha / (k - 1)
            if 0 <= y < k:
                grad[r, y] -= 1 - smooth_alpha - smooth_alpha / (k - 1)
        elif 0 <= y < k:
            grad[r, y] -= 1
    norm = {
        "null": math.prod(out.shape[2:]) if multi_output else 1,
        "batch": label.size,
        "valid": max(1, int((label.astype(int) != int(ignore_label)).sum())),
    }[normalization]
    if multi_output:
        grad = np.moveaxis(grad.reshape(out.shape[0], -1, k), 2, 1)
    grad = grad.reshape(out.shape) * grad_scale / norm
    return grad * out if out_grad else grad


def _per_sample(label):
    return label.size // label.shape[0]


def bw_regression_ref(sign=False):
    def ref(out, label, grad_scale=1.0):
        diff = out - label.reshape(out.shape)
        if sign:
            diff = np.where(diff > 0, 1.0, -1.0)
        # the second output is the label's gradient: zeros, as MXNet writes
        return diff * grad_scale / _per_sample(label), np.zeros_like(label)

    return ref


def bw_svm_ref(out, label, margin=1.0, regularization_coefficient=1.0, use_linear=False):
    src = out.reshape(-1, out.shape[-1])
    grad = np.zeros_like(src)
    for r, y in enumerate(label.reshape(-1).astype(int)):
        for j, v in enumerate(src[r]):
            if j == y:
                grad[r, j] = -float(margin > v) * (1.0 if use_linear else 2 * (margin - v))
            else:
                grad[r, j] = float(margin > -v) * (1.0 if use_linear else 2 * (margin + v))
    return grad.reshape(out.shape) * regularization_coefficient


def bw_make_loss_ref(out, grad_scale=1.0, valid_thresh=0.0, normalization="null"):
    norm = {
        "null": 1,
        "batch": math.prod(out.shape[:-1]),
        "valid": max(1, int((out > valid_thresh).sum())),
    }[normalization]
    return np.full(out.shape, grad_scale / norm)


def _identity(x, *_, **__):
    return x


def _sigmoid(x, *_, **__):
    return 1 / (1 + np.exp(-x))


L3 = _labels(0, 3, 1)
L_OOB = _labels(2, -1, 9)
L_MULTI = _labels([0, 2, 1, 1], [2, 2, 0, 1])
L_SPATIAL = L_MULTI.reshape(2, 2, 2)
POS = {"low": 0.0, "high": 1.0}

SAMPLES = [
    Sample("SoftmaxOutput", [(3, 4), L3], ref=softmax_output_ref, grad=False),
    Sample("Softmax", [(3, 4), L3], {"grad_scale": 2.0}, ref=softmax_output_ref, grad=False),
    Sample(
        "SoftmaxOutput",
        [(3, 2, 2), _labels([0, 1], [1, 0], [0, 0])],
        {"preserve_shape": True},
        ref=softmax_output_ref,
        grad=False,
    ),
    Sample(
        "SoftmaxOutput",
        [(3, 2, 2), _labels([0, 1], [1, 0], [0, 0])],
        ref=softmax_output_ref,
        grad=False,
        id="SoftmaxOutput-flattens-rows",
    ),
    Sample(
        "SoftmaxOutput",
        [(2, 3, 2, 2), L_MULTI],
        {"multi_output": True},
        ref=softmax_output_ref,
        grad=False,
    ),
    Sample("_backward_SoftmaxOutput", [(3, 4), L3], ref=bw_softmax_output_ref, **POS),
    Sample(
        "_backward_SoftmaxOutput",
        [(3, 4), L_OOB],
        {"smooth_alpha": 0.2, "normalization": "valid", "ignore_label": 2},
        ref=bw_softmax_output_ref,
        **POS,
    ),
    Sample(
        "_backward_SoftmaxOutput",
        [(3, 4), L_OOB],
        {"use_ignore": True, "ignore_label": 2, "grad_scale": 3.0, "out_grad": True},
        ref=bw_softmax_output_ref,
        **POS,
    ),
    Sample(
        "_backward_SoftmaxOutput",
        [(3, 2, 2), _labels([0, 1], [1, 0], [0, 0])],
        {"normalization": "batch"},
        ref=bw_softmax_output_ref,
        **POS,
    ),
    Sample(
        "_backward_SoftmaxOutput",
        [(3, 2, 2), _labels([0, 1], [1, 0], [0, 0])],
        {"preserve_shape": True, "normalization": "batch"},
        ref=bw_softmax_output_ref,
        **POS,
    ),
    Sample(
        "_backward_SoftmaxOutput",
        [(2, 3, 2, 2), L_SPATIAL],
        {
            "multi_output": True,
            "use_ignore": True,
            "ignore_label": 1,
            "normalization": "valid",
            "smooth_alpha": 0.3,
        },
        ref=bw_softmax_output_ref,
        **POS,
    ),
    Sample(
        "_backward_SoftmaxOutput",
        [(2, 3, 2, 2), L_MULTI.reshape(2, 1, 2, 2)],
        {"multi_output": True, "normalization": "batch"},
        ref=bw_softmax_output_ref,
        **POS,
    ),
    Sample("LinearRegressionOutput", [(3, 4), (3, 4)], ref=_identity, grad=False),
    Sample("LinearRegressionOutput", [(3, 1), (3,)], ref=_identity, grad=False),
    Sample("LogisticRegressionOutput", [(3, 2, 2), (3, 4)], ref=_sigmoid, grad=False),
    Sample("MAERegressionOutput", [(3, 4), (3, 4)], ref=_identity, grad=False),
    Sample(
        "_backward_linear_reg_out", [(3, 4), (3, 4)], {"grad_scale": 2.0}, ref=bw_regression_ref()
    ),
    Sample("_backward_linear_reg_out", [(3, 1), (3,)], ref=bw_regression_ref()),
    Sample("_backward_logistic_reg_out", [(3, 2, 2), (3, 4)], ref=bw_regression_ref()),
    Sample(
        "_backward_mae_reg_out",
        [(3, 4), (3, 4)],
        {"grad_scale": 0.5},
        ref=bw_regression_ref(sign=True),
    ),
    Sample("SVMOutput", [(3, 4), L3], ref=_identity, grad=False),
    Sample("_backward_SVMOutput", [(3, 4), L_OOB], ref=bw_svm_ref, low=-3, high=3),
    Sample(
        "_backward_SVMOutput",
        [(3, 2, 4), _labels([0, 1], [3, 0], [2, 2])],
        {"margin": 0.5, "regularization_coefficient": 2.0},
        ref=bw_svm_ref,
        low=-3,
        high=3,
    ),
    Sample(
        "_backward_SVMOutput",
        [(3, 4), L3],
        {"use_linear": True, "margin": 2.0},
        ref=bw_svm_ref,
        low=-3,
        high=3,
    ),
    Sample("MakeLoss", [(3, 4)], {"grad_scale": 2.0}, ref=_identity, grad=False),
    Sample(
        "_backward_MakeLoss",
        [(3, 4)],
        {"normalization": "valid", "valid_thresh": 0.1},
        ref=bw_make_loss_ref,
    ),
    Sample(
        "_backward_MakeLoss",
        [(3, 2, 2)],
        {"normalization": "batch", "grad_scale": 3.0},
        ref=bw_make_loss_ref,
    ),
    Sample("make_loss", [(3, 4)], ref=_identity, grad=False),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


# Gradients of the first input from MXNet 1.9.1 (autograd on mx.nd; head gradient 7, which
# these ops ignore), one row per index of the first axis.
# fmt: off
MXNET_GRADS = [
    ("SoftmaxOutput", [X, [0, 3, 1]], {},
     [[-0.77764, 0.30929, 0.24821, 0.22014],
      [0.16346, 0.25381, 0.16844, -0.58571],
      [0.41032, -0.87137, 0.28915, 0.1719]]),
    ("SoftmaxOutput", [X, [0, 3, 1]],
     {"use_ignore": True, "ignore_label": 3, "normalization": "valid", "grad_scale": 2.0},
     [[-0.77764, 0.30929, 0.24821, 0.22014],
      [0.0, 0.0, 0.0, 0.0],
      [0.41032, -0.87137, 0.28915, 0.1719]]),
    ("SoftmaxOutput", [X, [0, 3, 7]], {"smooth_alpha": 0.3, "normalization": "batch"},
     [[-0.15921, 0.06976, 0.0494, 0.04005],
      [0.02115, 0.05127, 0.02281, -0.09524],
      [0.10344, 0.00954, 0.06305, 0.02397]]),
    ("SoftmaxOutput", [X, [0, 3, 1]], {"out_grad": True},
     [[-0.17291, 0.09566, 0.06161, 0.04846],
      [0.02672, 0.06442, 0.02837, -0.24265],
      [0.16836, -0.11208, 0.08361, 0.02955]]),
    ("SoftmaxOutput", [X.reshape(2, 3, 2), [[0, 2], [1, 1]]], {"multi_output": True},
     [[-0.32729, 0.19371, 0.19279, 0.13788, 0.1345, -0.33159],
      [0.08516, 0.27013, -0.25665, -0.40161, 0.17149, 0.13149]]),
    ("SoftmaxOutput", [X.reshape(2, 3, 2), [[0, 2], [1, 1]]],
     {"multi_output": True, "normalization": "valid", "use_ignore": True, "ignore_label": 2},
     [[-0.2182, 0.0, 0.12853, 0.0, 0.08967, 0.0],
      [0.05677, 0.18009, -0.1711, -0.26774, 0.11433, 0.08766]]),
    ("SoftmaxOutput", [X.reshape(3, 2, 2), [[0, 1], [1, 0], [0, 0]]],
     {"preserve_shape": True, "normalization": "batch"},
     [[-0.09696, 0.09696, 0.08833, -0.08833],
      [0.06529, -0.06529, -0.11849, 0.11849],
      [-0.03978, 0.03978, -0.06214, 0.06214]]),
    ("SoftmaxOutput", [X.reshape(3, 2, 2), [[0, 3], [1, 0], [0, 0]]],
     {"normalization": "valid", "ignore_label": 0},
     [[-0.38882, 0.15464, 0.12411, 0.11007],
      [0.08173, 0.1269, 0.08422, -0.29285],
      [0.20516, -0.43569, 0.14457, 0.08595]]),
    ("LinearRegressionOutput", [X, X[::-1]], {"grad_scale": 2.0},
     [[-0.415, 0.33, -0.185, 0.015],
      [0.0, 0.0, 0.0, 0.0],
      [0.415, -0.33, 0.185, -0.015]]),
    ("LogisticRegressionOutput", [X, X[::-1]], {},
     [[-0.10126, 0.20897, -0.00692, 0.11562],
      [0.15314, 0.0705, 0.14751, -0.02358],
      [0.15427, 0.00319, 0.10777, 0.10625]]),
    ("MAERegressionOutput", [X, X[:, ::-1]], {"grad_scale": 0.5},
     [[0.125, 0.125, -0.125, -0.125],
      [-0.125, 0.125, -0.125, 0.125],
      [0.125, -0.125, 0.125, -0.125]]),
    ("LinearRegressionOutput", [[[0.5], [-1.0]], [2.0, 1.0]], {},
     [[-1.5],
      [-2.0]]),
    ("SVMOutput", [X * 3, [0, 3, 1]], {"margin": 1.5, "regularization_coefficient": 0.5},
     [[-1.2, 2.79, 2.13, 1.77],
      [1.05, 2.37, 1.14, -0.0],
      [4.29, -2.19, 3.24, 1.68]]),
    ("SVMOutput", [X * 3, [0, 3, 1]], {"use_linear": True, "margin": 2.0},
     [[-1.0, 1.0, 1.0, 1.0],
      [1.0, 1.0, 1.0, -0.0],
      [1.0, -1.0, 1.0, 1.0]]),
    ("MakeLoss", [X], {"normalization": "valid", "valid_thresh": 0.2, "grad_scale": 3.0},
     [[0.5, 0.5, 0.5, 0.5],
      [0.5, 0.5, 0.5, 0.5],
      [0.5, 0.5, 0.5, 0.5]]),
    ("MakeLoss", [X.reshape(3, 2, 2)], {"normalization": "batch"},
     [[0.16667, 0.16667, 0.16667, 0.16667],
      [0.16667, 0.16667, 0.16667, 0.16667],
      [0.16667, 0.16667, 0.16667, 0.16667]]),
    ("make_loss", [X], {},
     [[1.0, 1.0, 1.0, 1.0],
      [1.0, 1.0, 1.0, 1.0],
      [1.0, 1.0, 1.0, 1.0]]),
]
# fmt: on


@pytest.mark.parametrize(
    "op, inputs, params, expected",
    MXNET_GRADS,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(MXNET_GRADS)],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_matches_mxnet(op, inputs, params, expected, dtype):
    arrays = [mx.nd.array(np.asarray(x, dtype=dtype), dtype=dtype) for x in inputs]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd, op)(*arrays, **params)
    out.backward(mx.nd.ones(out.shape, dtype=dtype) * 7)
    assert arrays[0].grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(arrays[0].grad.asnumpy(), np.reshape(expected, arrays[0].shape),
                               atol=2e-5)
    for label in arrays[1:]:  # labels get no gradient
        assert not label.grad.asnumpy().any()


def test_symbol_infers_label_shapes():
    data = mx.sym.var("data")
    cases = [
        (mx.sym.SoftmaxOutput(data, name="so"), (2, 3, 4), (2, 3)),
        (mx.sym.SoftmaxOutput(data, name="so", multi_output=True), (2, 3, 4, 5), (2, 20)),
        (mx.sym.SoftmaxOutput(data, name="so", preserve_shape=True), (2, 3, 4), (2, 3)),
        (mx.sym.SVMOutput(data, name="so"), (5, 3), (5,)),
        (mx.sym.LinearRegressionOutput(data, name="so"), (3, 4), (3, 4)),
        (mx.sym.LogisticRegressionOutput(data, name="so"), (3, 1), (3,)),
        (mx.sym.MAERegressionOutput(data, name="so"), (3, 4, 5), (3, 4, 5)),
    ]
    for sym, shape, label in cases:
        assert sym.list_arguments() == ["data", "so_label"]
        args, outs, _ = sym.infer_shape(data=shape)
        assert args == [shape, label] and outs == [shape]


def test_symbol_names_and_training_step():
    data = mx.sym.var("data")
    assert '"op": "SoftmaxOutput"' in mx.sym.Softmax(data, name="s").tojson()
    assert mx.sym.make_loss(data, name="ml").list_outputs() == ["ml_loss"]
    assert mx.sym.MakeLoss(data, name="ml").list_outputs() == ["ml_output"]
    exe = mx.sym.SoftmaxOutput(data, name="so").simple_bind(mx.cpu(), data=(3, 4))
    exe.arg_dict["data"][:] = mx.nd.array(X)
    exe.arg_dict["so_label"][:] = mx.nd.array([0, 3, 1])
    exe.forward(is_train=True)
    exe.backward()
    np.testing.assert_allclose(exe.grad_dict["data"].asnumpy(), MXNET_GRADS[0][3], atol=2e-5)


def test_float16_forward():
    out = mx.nd.SoftmaxOutput(
        mx.nd.array(X, dtype="float16"), mx.nd.array([0, 1, 2], dtype="float16")
    )
    assert out.dtype == np.float16
    np.testing.assert_allclose(out.asnumpy(), softmax_output_ref(X, None), atol=1e-3)


def _nd(*shape, dtype="float32"):
    return mx.nd.ones(shape, dtype=dtype)


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda: mx.nd.SoftmaxOutput(_nd(3, 2, 2), _nd(3)),
            ["SoftmaxOutput", "Provided = [3], inferred shape=[3,2]"],
        ),
        (
            lambda: mx.nd.SoftmaxOutput(_nd(3, 4), _nd(4)),
            ["SoftmaxOutput", "Provided = [4], inferred shape=[3]", "(3, 4)"],
        ),
        (
            lambda: mx.nd.SoftmaxOutput(_nd(2, 3, 2, 2), _nd(2, 4, 1), multi_output=True),
            ["SoftmaxOutput", "Expecting [2,4] or [2,2,2]. But got [2,4,1]"],
        ),
        (
            lambda: mx.nd.SoftmaxOutput(_nd(3, 4), _nd(3, dtype="int32")),
            ["SoftmaxOutput", "uniform type", "int32", "label"],
        ),
        (
            lambda: mx.nd.SoftmaxOutput(_nd(3, 4, dtype="int32"), _nd(3, dtype="int32")),
            ["SoftmaxOutput", "floating point", "int32"],
        ),
        (
            lambda: mx.nd.SoftmaxOutput(_nd(3, 4), _nd(3), normalization="mean"),
            ["SoftmaxOutput", "normalization", "mean"],
        ),
        (
            lambda: mx.nd.LinearRegressionOutput(_nd(3, 4), _nd(3, 1)),
            ["LinearRegressionOutput", "Provided=[3,1], inferred shape=[3,4]"],
        ),
        (
            lambda: mx.nd.MAERegressionOutput(_nd(3, 4), _nd(4, 3)),
            ["MAERegressionOutput", "Provided=[4,3], inferred shape=[3,4]"],
        ),
        (
            lambda: mx.nd.LogisticRegressionOutput(_nd(3, 4), _nd(3, 4, dtype="float64")),
            ["LogisticRegressionOutput", "float64"],
        ),
        (
            lambda: mx.nd.SVMOutput(_nd(3, 2, 2), _nd(3)),
            ["SVMOutput", "Provided = [3], inferred shape=[3,2]"],
        ),
        (lambda: mx.nd.MakeLoss(_nd(2, dtype="int32")), ["MakeLoss", "floating point", "int32"]),
        (lambda: mx.nd.MakeLoss(_nd(2), scale=2), ["MakeLoss", "scale"]),
    ],
)
def test_errors_name_the_op_and_values(call, words):
    with pytest.raises(mx.base.MXNetError) as info:
        call()
    for word in words:
        assert word in str(info.value)
