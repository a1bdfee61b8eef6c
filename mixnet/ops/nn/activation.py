"""Activation, LeakyReLU (leaky, prelu, elu, selu, gelu, rrelu) and SoftmaxActivation.

Activation reuses the kernels and gradient rules of the elementwise ops it names (relu,
sigmoid, tanh, softsign), so its gradients are differentiable again. LeakyReLU has a fused
``_backward_LeakyReLU`` (gradients for data, and for prelu's gamma).
"""
import math

from .. import elemwise_math as special
from ..infer import ShapeError
from ..param import Choice, Float, Param
from ..reduce import fmt_shape
from ..registry import get, op
from .norms import fill_param_shapes

__all__ = []

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946


# --- Activation -------------------------------------------------------------------------------
class ActivationParam(Param):
    act_type = Choice(("relu", "sigmoid", "softrelu", "softsign", "tanh"),
                      doc="Activation function to be applied.")


@op("Activation", params=ActivationParam, inplace=((0, 0),))
def activation(xp, params, data):
    """Applies an activation function element-wise to the input."""
    if params.act_type == "softrelu":
        # log(1 + exp(x)) without overflow for large x
        return xp.logaddexp(data, data.dtype.type(0))
    return get(params.act_type).forward(xp, None, data)


@activation.gradient
def _(F, node, ograds):
    if node.params.act_type == "softrelu":
        return [F.elemwise_mul(ograds[0], F.sigmoid(node.inputs[0]))]
    return get(node.params.act_type).grad(F, node, ograds)


# --- LeakyReLU --------------------------------------------------------------------------------
class LeakyReLUParam(Param):
    act_type = Choice(("elu", "gelu", "leaky", "prelu", "rrelu", "selu"), "leaky",
                      "Activation function to be applied.")
    slope = Float(0.25, "Init slope for the activation. (For leaky and elu only)")
    lower_bound = Float(0.125, "Lower bound of random slope. (For rrelu only)")
    upper_bound = Float(0.334, "Upper bound of random slope. (For rrelu only)")


def _lr_inputs(p):
    return ("data", "gamma") if p.act_type == "prelu" else ("data",)


def _lr_outputs(p):
    return 2 if p.act_type == "rrelu" else 1


def _lr_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None] * _lr_outputs(params)
    if params.act_type == "prelu":
        gamma = in_shapes[1]
        # gamma is one slope per channel (axis 1), or a single slope broadcast to all
        if gamma is None or tuple(gamma) != (1,):
            if len(data) < 2:
                raise ShapeError(f"prelu needs data with a channel axis, got "
                                 f"{fmt_shape(data)}")
            fill_param_shapes(in_shapes, (1,), (data[1],))
    return [tuple(data)] * _lr_outputs(params)


def _lr_type(params, in_types):
    dtype = in_types[0]
    for i in range(1, len(in_types)):
        in_types[i] = in_types[i] or dtype
    return [dtype] * _lr_outputs(params)


def _gamma_view(gamma, ndim):
    return gamma.reshape([-1 if d == 1 else 1 for d in range(ndim)]) if gamma.size > 1 \
        else gamma.reshape((1,) * ndim)


def _rrelu_slopes(xp, params, data, rng, is_train):
    if not is_train:
        mid = (params.lower_bound + params.upper_bound) / 2
        return xp.full(data.shape, mid, dtype=data.dtype)
    return rng.uniform(params.lower_bound, params.upper_bound, size=data.shape)


@op("LeakyReLU", inputs=("data", "gamma"), list_inputs=_lr_inputs, params=LeakyReLUParam,
    input_attrs={"gamma": {"__init__": '["Constant", {"value": 0.25}]'}},
    num_outputs=_lr_outputs, output_names=lambda p: ("output", "mask")[:_lr_outputs(p)],
    infer_shape=_lr_shape, infer_type=_lr_type, random=True, train=True)
def leaky_relu(xp, params, data, gamma=None, rng=None, is_train=False):
    """Applies Leaky rectified linear unit activation element-wise to the input."""
    kind = params.act_type
    neg = data < 0
    if kind == "leaky":
        return xp.where(neg, data * params.slope, data)
    if kind == "prelu":
        return xp.where(neg, data * _gamma_view(gamma, data.ndim), data)
    if kind == "elu":
        return xp.where(neg, params.slope * xp.expm1(xp.minimum(data, 0)), data)
    if kind == "selu":
        return _SELU_LAMBDA * xp.where(neg, _SELU_ALPHA * xp.expm1(xp.minimum(data, 0)), data)
    if kind == "gelu":
        return 0.5 * data * (1 + special.erf(xp, data / math.sqrt(2)))
    slopes = _rrelu_slopes(xp, params, data, rng, is_train)
    return xp.where(neg, data * slopes, data), slopes


@leaky_relu.gradient
def _(F, node, ograds):
    p = node.params
    extra = {"prelu": node.inputs[1:], "rrelu": [node.output(1)]}.get(p.act_type, [])
    grads = F._backward_LeakyReLU(ograds[0], node.inputs[0], node.output(0), *extra,
                                  act_type=p.act_type, slope=p.slope)
    if p.act_type == "prelu":
        return list(grads)
    return [grads]


def _bw_lr_inputs(p):
    if p.act_type in ("prelu", "rrelu"):
        return ("ograd", "data", "output", "gamma")
    return ("ograd", "data", "output")


@op("_backward_LeakyReLU", inputs=("ograd", "data", "output", "gamma"),
    list_inputs=_bw_lr_inputs, params=LeakyReLUParam, grad=None,
    num_outputs=lambda p: 2 if p.act_type == "prelu" else 1,
    infer_shape=lambda p, s: [s[1], s[3]] if p.act_type == "prelu" else [s[1]],
    infer_type=lambda p, t: [t[1], t[3]] if p.act_type == "prelu" else [t[1]])
def _backward_leaky_relu(xp, params, ograd, data, output, gamma=None):
    """Gradient of LeakyReLU w.r.t. data (and gamma for prelu; ``gamma`` is rrelu's mask)."""
    kind = params.act_type
    pos = data > 0
    if kind == "leaky":
        return ograd * xp.where(pos, 1, params.slope).astype(ograd.dtype)
    if kind == "elu":
        return ograd * xp.where(pos, 1, output + params.slope)
    if kind == "selu":
        # NOTE: the true derivative; MXNet 1.9.1 returns lambda * (y + alpha) for x < 0,
        # which is lambda times too large in its output term.
        return ograd * xp.where(pos, _SELU_LAMBDA, output + _SELU_LAMBDA * _SELU_ALPHA)
    if kind == "gelu":
        cdf = 0.5 * (1 + special.erf(xp, data / math.sqrt(2)))
        return ograd * (cdf + data * xp.exp(-0.5 * data * data) / math.sqrt(2 * math.pi))
    if kind == "rrelu":
        return ograd * xp.where(pos, 1, gamma)
    dx = ograd * xp.where(pos, 1, _gamma_view(gamma, data.ndim))
    dslope = xp.where(pos, 0, ograd * data)
    if gamma.size > 1:
        dgamma = dslope.sum(axis=tuple(d for d in range(data.ndim) if d != 1))
    else:
        dgamma = dslope.sum().reshape(gamma.shape)
    return dx, dgamma


# --- SoftmaxActivation ------------------------------------------------------------------------
class SoftmaxActivationParam(Param):
    mode = Choice(("channel", "instance"), "instance",
                  "Specifies how to compute the softmax. If set to ``instance``, it computes "
                  "softmax for each instance. If set to ``channel``, it computes cross channel "
                  "softmax for each position of each instance.")


def _softmax_axis(params):
    # NOTE: MXNet's kernel flattens the data to 2-D over its *last* axis (FlatTo2D), so
    # 'instance' is a softmax over the last axis, not over all non-batch axes.
    return 1 if params.mode == "channel" else -1


@op("SoftmaxActivation", params=SoftmaxActivationParam)
def softmax_activation(xp, params, data):
    """Applies softmax activation to input. This is intended for internal layers."""
    axis = _softmax_axis(params)
    z = xp.exp(data - data.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


@softmax_activation.gradient
def _(F, node, ograds):
    return [F._backward_softmax(ograds[0], node.output(0), axis=_softmax_axis(node.params))]
