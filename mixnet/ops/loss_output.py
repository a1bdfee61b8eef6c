"""Loss-output heads: SoftmaxOutput, the regression outputs, SVMOutput, MakeLoss, make_loss.

Their gradients follow MXNet, not calculus: each ignores the incoming output gradient and
returns the gradient of its loss (softmax - one_hot(label), out - label, ...) scaled by
``grad_scale`` and a normalizer, computed by a ``_backward_*`` op from the forward output
and the label. Labels get no gradient. The backward ops declare ``grad=None``: MXNet has
no second-order gradient for these heads either.
"""
import dataclasses
import math

import numpy as np

from .infer import InferTypeError, ShapeError, known
from .param import Bool, Choice, Float, Param
from .reduce import fmt_shape
from .registry import op

__all__ = ["MakeLossParam", "RegressionOutputParam", "SVMOutputParam", "SoftmaxOutputParam"]


def _fields(params):
    """A params record as keyword arguments (to build its backward op through ``F``)."""
    return {f.name: getattr(params, f.name) for f in dataclasses.fields(params)}


def _float_type(params, in_types):
    """Data must be floating point; the label takes the data's dtype (uniform types)."""
    data = in_types[0]
    if data is not None and np.dtype(data).kind != "f":
        raise InferTypeError(f"This operation only support floating point types, not {data}")
    for i in range(1, len(in_types)):
        given = in_types[i]
        if data is not None and given is not None and np.dtype(given) != np.dtype(data):
            raise InferTypeError(f"This layer requires uniform type. Expected '{data}' v.s. "
                                 f"given '{given}' at 'label'")
        in_types[i] = data if given is None else given
    return [data]


def _assign_label(in_shapes, expected, message):
    """Set an unknown label shape to ``expected``; raise ``message`` when it differs."""
    label = in_shapes[1]
    if label is None or not known(label):
        in_shapes[1] = tuple(expected)
    elif tuple(label) != tuple(expected):
        raise ShapeError(message(label, expected))


def _inconsistent(label, expected):
    return f"Shape inconsistent, Provided = {fmt_shape(label)}, inferred shape=" \
           f"{fmt_shape(expected)}"


def _label_like_rows(params, in_shapes):
    """The label of SoftmaxOutput (without multi_output) and SVMOutput: data.shape[:-1]."""
    data = in_shapes[0]
    if data is None:
        return [None]
    if len(data) < 2:
        raise ShapeError(f"data must have at least 2 dimensions, got {fmt_shape(data)}")
    _assign_label(in_shapes, data[:-1], _inconsistent)
    return [tuple(data)]


# --- SoftmaxOutput ---------------------------------------------------------------------------
class SoftmaxOutputParam(Param):
    grad_scale = Float(1.0, "Scales the gradient by a float factor.")
    ignore_label = Float(-1.0, "The instances whose `labels` == `ignore_label` will be ignored "
                         "during backward, if `use_ignore` is set to ``true``).")
    multi_output = Bool(False, "If set to ``true``, the softmax function will be computed "
                        "along axis ``1``. This is applied when the shape of input array "
                        "differs from the shape of label array.")
    use_ignore = Bool(False, "If set to ``true``, the `ignore_label` value will not "
                      "contribute to the backward gradient.")
    preserve_shape = Bool(False, "If set to ``true``, the softmax function will be computed "
                          "along the last axis (``-1``).")
    normalization = Choice(("batch", "null", "valid"), "null", "Normalizes the gradient.")
    out_grad = Bool(False, "Multiplies gradient with output gradient element-wise.")
    smooth_alpha = Float(0.0, "Constant for computing a label smoothed version of "
                         "cross-entropy for the backwards pass.")


def _softmax_output_shape(params, in_shapes):
    data = in_shapes[0]
    if not params.multi_output:
        return _label_like_rows(params, in_shapes)
    if data is None:
        return [None]
    if len(data) < 2:
        raise ShapeError(f"multi_output needs data of at least 2 dimensions, got "
                         f"{fmt_shape(data)}")
    flat = (data[0], math.prod(data[2:]))
    spatial = (data[0],) + tuple(data[2:])
    keepdim = (data[0], 1) + tuple(data[2:])
    label = in_shapes[1]
    if label is None or not known(label):
        in_shapes[1] = flat
    elif tuple(label) not in (flat, spatial, keepdim):
        raise ShapeError(f"Expecting {fmt_shape(flat)} or {fmt_shape(spatial)}. But got "
                         f"{fmt_shape(label)}")
    return [tuple(data)]


def _rows(params, shape):
    """(rows, classes) of the 2-D view SoftmaxOutput works on (without multi_output)."""
    if params.preserve_shape:
        return math.prod(shape[:-1]), shape[-1]
    # MXNet flattens everything after the batch axis into the class axis.
    return shape[0], math.prod(shape[1:])


@op("SoftmaxOutput", inputs=("data", "label"), params=SoftmaxOutputParam, aliases=("Softmax",),
    infer_shape=_softmax_output_shape, infer_type=_float_type)
def softmax_output(xp, params, data, label):
    """Computes the gradient of cross entropy loss with respect to softmax output."""
    x = data.astype(np.result_type(data.dtype, np.float32))
    if not params.multi_output:
        x = x.reshape(_rows(params, data.shape))
    e = xp.exp(x - x.max(axis=1, keepdims=True))   # classes lie on axis 1 either way
    return (e / e.sum(axis=1, keepdims=True)).reshape(data.shape)


@softmax_output.gradient
def _(F, node, ograds):
    out, label = node.output(0), node.inputs[1]
    return [F._backward_SoftmaxOutput(out, label, **_fields(node.params)), None]


def _class_rows(params, out, label):
    """Probabilities as (rows, classes) and the label of each row."""
    if params.multi_output:
        n, k = out.shape[:2]
        prob = out.reshape(n, k, -1).transpose(0, 2, 1).reshape(-1, k)
        return prob, label.reshape(-1)
    rows, k = _rows(params, out.shape)
    # MXNet reads the first `rows` labels of the flattened label.
    return out.reshape(rows, k), label.reshape(-1)[:rows]


def _softmax_normalizer(params, out, label):
    if params.normalization == "valid":
        valid = int((label.astype(np.int64) != int(params.ignore_label)).sum())
        return max(valid, 1)
    if params.normalization == "batch":
        return label.size
    # null: multi_output still averages over the spatial positions.
    return math.prod(out.shape[2:]) if params.multi_output else 1


@op("_backward_SoftmaxOutput", inputs=("output", "label"), params=SoftmaxOutputParam,
    grad=None, infer_shape=lambda p, s: [s[0]], infer_type=lambda p, t: [t[0]])
def _backward_softmax_output(xp, params, out, label):
    """Gradient of SoftmaxOutput: (softmax - one_hot(label)) * grad_scale / normalizer."""
    prob, rows = _class_rows(params, out, label)
    k = prob.shape[1]
    idx = rows.astype(np.int64)   # C truncation, as MXNet's static_cast<int>
    target = (xp.arange(k)[None, :] == idx[:, None]).astype(prob.dtype)
    if params.smooth_alpha and not params.multi_output:   # MXNet smooths 2-D rows only
        a = params.smooth_alpha
        target = target * (1 - a) + (1 - target) * (a / (k - 1))
    grad = prob - target
    if params.use_ignore:
        grad = grad * (idx != int(params.ignore_label))[:, None]
    grad = grad * (params.grad_scale / _softmax_normalizer(params, out, label))
    if params.multi_output:
        n, k = out.shape[:2]
        grad = grad.reshape(n, -1, k).transpose(0, 2, 1)
    grad = grad.reshape(out.shape)
    # NOTE: MXNet 1.9.1 multiplies by its *output* here (it passes the output as out_grad).
    return grad * out if params.out_grad else grad


# --- regression outputs ----------------------------------------------------------------------
class RegressionOutputParam(Param):
    grad_scale = Float(1.0, "Scale the gradient by a float factor")


def _regression_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None]
    label = in_shapes[1]
    if label is None or not known(label):
        # a (batch, 1) output takes a 1-D label by default, as MXNet
        in_shapes[1] = (data[0],) if len(data) == 2 and data[1] == 1 else tuple(data)
    elif known(data) and (label[0] != data[0] or math.prod(label) != math.prod(data)):
        raise ShapeError(f"Shape inconsistent, Provided={fmt_shape(label)}, inferred shape="
                         f"{fmt_shape(data)}")
    return [tuple(data)]


def _regression_type(params, in_types):
    data = in_types[0] if in_types[0] is not None else in_types[1]
    for i, t in enumerate(in_types):
        if t is not None and data is not None and np.dtype(t) != np.dtype(data):
            raise InferTypeError(f"Incompatible attr at {i}-th input: expected {data}, got {t}")
        in_types[i] = data
    return [data]


def _regression_ops(name, backward_name, forward, grad_of, summary, backward_summary):
    """Register a regression output ``name`` and its backward op ``backward_name``."""
    def fwd(xp, params, data, label):
        return forward(xp, data)

    def bwd(xp, params, out, label, req=(True, True)):
        num_output = label.size // label.shape[0] if label.ndim else 1
        diff = out - label.reshape(out.shape).astype(out.dtype)
        grad = grad_of(xp, diff) * out.dtype.type(params.grad_scale / num_output)
        # MXNet's backward also writes the label's (zero) gradient
        return grad, (xp.zeros_like(label) if req[1] else None)

    fwd.__doc__, bwd.__doc__ = summary, backward_summary
    rec = op(name, inputs=("data", "label"), params=RegressionOutputParam,
             infer_shape=_regression_shape, infer_type=_regression_type)(fwd)
    back = op(backward_name, inputs=("output", "label"), params=RegressionOutputParam,
              grad=None, num_outputs=2, output_req=True,
              infer_shape=lambda p, s: [s[0], s[1]], infer_type=lambda p, t: [t[0], t[1]])(bwd)

    @rec.gradient
    def _(F, node, ograds):
        grad, label_grad = getattr(F, backward_name)(node.output(0), node.inputs[1],
                                                     grad_scale=node.params.grad_scale)
        return [grad, label_grad]
    return rec, back


_regression_ops("LinearRegressionOutput", "_backward_linear_reg_out", lambda xp, x: x,
                lambda xp, d: d,
                "Computes and optimizes for squared loss during backward propagation.",
                "Gradient of LinearRegressionOutput: (out - label) * grad_scale / num_output.")
_regression_ops("LogisticRegressionOutput", "_backward_logistic_reg_out",
                lambda xp, x: 1 / (1 + xp.exp(-x)), lambda xp, d: d,
                "Applies a logistic function to the input.",
                "Gradient of LogisticRegressionOutput: (out - label) * grad_scale / "
                "num_output.")
# MXNet's minus_sign: 1 when out > label, else -1 (so -1 at equality).
_regression_ops("MAERegressionOutput", "_backward_mae_reg_out", lambda xp, x: x,
                lambda xp, d: xp.where(d > 0, 1, -1).astype(d.dtype),
                "Computes mean absolute error of the input.",
                "Gradient of MAERegressionOutput: sign(out - label) * grad_scale / "
                "num_output.")


# --- SVMOutput -------------------------------------------------------------------------------
class SVMOutputParam(Param):
    margin = Float(1.0, "The loss function penalizes outputs that lie outside this margin. "
                   "Default margin is 1.")
    regularization_coefficient = Float(1.0, "Regularization parameter for the SVM. This "
                                       "balances the tradeoff between coefficient size and "
                                       "error.")
    use_linear = Bool(False, "Whether to use L1-SVM objective. L2-SVM objective is used by "
                      "default.")


@op("SVMOutput", inputs=("data", "label"), params=SVMOutputParam,
    infer_shape=_label_like_rows, infer_type=_float_type)
def svm_output(xp, params, data, label):
    """Computes support vector machine based transformation of the input."""
    return data


@svm_output.gradient
def _(F, node, ograds):
    return [F._backward_SVMOutput(node.output(0), node.inputs[1], **_fields(node.params)),
            None]


@op("_backward_SVMOutput", inputs=("output", "label"), params=SVMOutputParam, grad=None,
    infer_shape=lambda p, s: [s[0]], infer_type=lambda p, t: [t[0]])
def _backward_svm_output(xp, params, out, label):
    """Gradient of SVMOutput: the (L1 or L2) hinge loss gradient per class score."""
    k = out.shape[-1]
    src = out.reshape(-1, k)
    hit = xp.arange(k)[None, :] == label.reshape(-1).astype(np.int64)[:, None]
    m, c = out.dtype.type(params.margin), out.dtype.type(params.regularization_coefficient)
    # the true class is pushed above +margin, the others below -margin
    own = xp.where(m > src, (m - src) * 2, 0)
    other = xp.where(m > -src, (m + src) * 2, 0)
    if params.use_linear:
        own, other = (m > src).astype(src.dtype), (m > -src).astype(src.dtype)
    return (xp.where(hit, -own, other) * c).reshape(out.shape)


# --- MakeLoss / make_loss --------------------------------------------------------------------
class MakeLossParam(Param):
    grad_scale = Float(1.0, "Gradient scale as a supplement to unary and binary operators")
    valid_thresh = Float(0.0, "clip each element in the array to 0 when it is less than "
                         "``valid_thresh``. This is used when ``normalization`` is set to "
                         "``'valid'``.")
    normalization = Choice(("batch", "null", "valid"), "null",
                           "If this is set to null, the output gradient will not be "
                           "normalized. If this is set to batch, the output gradient will be "
                           "divided by the batch size. If this is set to valid, the output "
                           "gradient will be divided by the number of valid input elements.")


@op("MakeLoss", params=MakeLossParam, infer_type=_float_type)
def make_loss_op(xp, params, data):
    """Make your own loss function in network construction."""
    return data


@make_loss_op.gradient
def _(F, node, ograds):
    return [F._backward_MakeLoss(node.output(0), **_fields(node.params))]


@op("_backward_MakeLoss", inputs=("output",), params=MakeLossParam, grad=None)
def _backward_make_loss(xp, params, out):
    """Gradient of MakeLoss: grad_scale / normalizer everywhere."""
    norm = 1
    if params.normalization == "valid":
        norm = max(int((out > params.valid_thresh).sum()), 1)
    elif params.normalization == "batch":
        # MXNet flattens to 2-D over the last axis: the "batch" is every other axis.
        norm = math.prod(out.shape[:-1])
    return xp.full(out.shape, params.grad_scale / norm, dtype=out.dtype)


@op("make_loss", output_names=("loss",))
def make_loss(xp, params, data):
    """Make your own loss function in network construction."""
    return data


@make_loss.gradient
def _(F, node, ograds):
    return [F.ones_like(node.inputs[0])]
