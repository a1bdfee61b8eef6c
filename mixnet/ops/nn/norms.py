"""Instance, layer and group normalization, L2Normalization and LRN, with fused backward ops,
plus the normalization helpers that BatchNorm shares.

The normalizing ops keep hidden outputs (mean and std) for their backward op, as MXNet
does; the backward ops are not differentiable again (``grad=None``, as in MXNet).
"""
import numpy as np

from ..infer import ShapeError, normalize_axis
from ..param import REQUIRED, Bool, Choice, Float, Int, Param
from ..reduce import fmt_shape
from ..registry import op

__all__ = ["acc_type", "fill_param_shapes", "normalize", "normalize_grad", "param_view"]


# --- helpers shared with batch_norm.py --------------------------------------------------
def acc_type(dtype):
    """Accumulation dtype: float32 at least (float16 data is normalized in float32)."""
    return np.result_type(dtype, np.float32)


def param_view(ndim, axis):
    """Reshape target that lines a per-channel vector up with ``axis`` of the data."""
    return [-1 if d == axis else 1 for d in range(ndim)]


def normalize(xp, x, axes, eps):
    """(x - mean) / std over ``axes`` (kept); returns (xhat, mean, std) in float32+."""
    x = x.astype(acc_type(x.dtype), copy=False)
    mean = x.mean(axis=axes, keepdims=True)
    std = xp.sqrt(((x - mean) ** 2).mean(axis=axes, keepdims=True) + eps)
    return (x - mean) / std, mean, std


def normalize_grad(xp, ograd, x, mean, std, gamma_b, axes, batch_stats=True):
    """dx of ``gamma * (x - mean) / std`` and ``xhat`` for the gamma gradient.

    ``batch_stats``: mean and std were computed from x over ``axes`` (else constants).
    """
    acc = acc_type(x.dtype)
    x, ograd = x.astype(acc, copy=False), ograd.astype(acc, copy=False)
    xhat = (x - mean) / std
    dxhat = ograd * gamma_b
    if not batch_stats:
        return dxhat / std, xhat
    dx = dxhat - dxhat.mean(axis=axes, keepdims=True) \
        - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)
    return dx / std, xhat


def fill_param_shapes(in_shapes, indices, shape):
    """Set the unknown parameter inputs at ``indices`` to ``shape``; check the known ones."""
    for i in indices:
        if i >= len(in_shapes):
            continue
        given = in_shapes[i]
        if given is None or (len(given) == len(shape) and 0 in given):
            in_shapes[i] = tuple(shape)
        elif tuple(given) != tuple(shape):
            raise ShapeError(f"Shape inconsistent, Provided = {fmt_shape(given)}, "
                             f"inferred shape={fmt_shape(shape)}")


def _hidden(params):
    return 3 if params.output_mean_var else 1


# --- InstanceNorm --------------------------------------------------------------------------
class InstanceNormParam(Param):
    eps = Float(1e-3, "An `epsilon` parameter to prevent division by 0.")


def _instance_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None, None, None]
    if len(data) < 2:
        raise ShapeError(f"InstanceNorm needs data of the form [batch, channel, ...], got "
                         f"{fmt_shape(data)}")
    fill_param_shapes(in_shapes, (1, 2), (data[1],))
    return [tuple(data), tuple(data[:2]), tuple(data[:2])]


def _all_same_type(params, in_types):
    dtype = next((t for t in in_types if t is not None), None)
    for i in range(len(in_types)):
        in_types[i] = in_types[i] or dtype
    return [dtype] * 3


def _instance_axes(ndim):
    return tuple(range(2, ndim))


@op("InstanceNorm", inputs=("data", "gamma", "beta"), params=InstanceNormParam,
    num_outputs=3, num_visible_outputs=1, output_names=("output", "mean", "var"),
    infer_shape=_instance_shape, infer_type=_all_same_type)
def instance_norm(xp, params, data, gamma, beta):
    """Applies instance normalization to the n-dimensional input array."""
    xhat, mean, std = normalize(xp, data, _instance_axes(data.ndim), params.eps)
    view = param_view(data.ndim, 1)
    out = xhat * gamma.reshape(view) + beta.reshape(view)
    return out, mean.reshape(data.shape[:2]), std.reshape(data.shape[:2])


@instance_norm.gradient
def _(F, node, ograds):
    data, gamma, _ = node.inputs
    dx, dgamma, dbeta = F._backward_InstanceNorm(ograds[0], data, gamma, node.output(1),
                                                 node.output(2), eps=node.params.eps)
    return [dx, dgamma, dbeta]


def _norm_backward_shape(params, in_shapes):
    return [in_shapes[1], in_shapes[2], in_shapes[2]]


def _norm_backward_type(params, in_types):
    return [in_types[1], in_types[2], in_types[2]]


def norm_backward_op(name, params, inputs=("ograd", "data", "gamma", "mean", "std")):
    return op(name, inputs=inputs, params=params, num_outputs=3, grad=None,
              infer_shape=_norm_backward_shape, infer_type=_norm_backward_type)


@norm_backward_op("_backward_InstanceNorm", InstanceNormParam)
def _backward_instance_norm(xp, params, ograd, data, gamma, mean, std):
    """Gradient of InstanceNorm w.r.t. data, gamma and beta."""
    axes, kept = _instance_axes(data.ndim), data.shape[:2] + (1,) * (data.ndim - 2)
    dx, xhat = normalize_grad(xp, ograd, data, mean.reshape(kept), std.reshape(kept),
                              gamma.reshape(param_view(data.ndim, 1)), axes)
    others = (0,) + axes
    return dx, (ograd * xhat).sum(axis=others), ograd.sum(axis=others)


# --- LayerNorm -----------------------------------------------------------------------------
class LayerNormParam(Param):
    axis = Int(-1, "The axis to perform layer normalization. Usually, this should be be axis "
               "of the channel dimension. Negative values means indexing from right to left.")
    eps = Float(1e-5, "An `epsilon` parameter to prevent division by 0.")
    output_mean_var = Bool(False, "Output the mean and std calculated along the given axis.")


def _layer_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None, None, None]
    axis = normalize_axis(params.axis, len(data))
    fill_param_shapes(in_shapes, (1, 2), (data[axis],))
    stats = tuple(1 if d == axis else n for d, n in enumerate(data))
    return [tuple(data), stats, stats]


@op("LayerNorm", inputs=("data", "gamma", "beta"), params=LayerNormParam, num_outputs=3,
    num_visible_outputs=_hidden, output_names=("output", "mean", "std"),
    infer_shape=_layer_shape, infer_type=_all_same_type)
def layer_norm(xp, params, data, gamma, beta):
    """Layer normalization: normalizes over one axis, then scales and shifts."""
    axis = params.axis % data.ndim
    xhat, mean, std = normalize(xp, data, (axis,), params.eps)
    view = param_view(data.ndim, axis)
    return xhat * gamma.reshape(view) + beta.reshape(view), mean, std


@layer_norm.gradient
def _(F, node, ograds):
    data, gamma, _ = node.inputs
    p = node.params
    return list(F._backward_LayerNorm(ograds[0], data, gamma, node.output(1), node.output(2),
                                      axis=p.axis, eps=p.eps))


@norm_backward_op("_backward_LayerNorm", LayerNormParam)
def _backward_layer_norm(xp, params, ograd, data, gamma, mean, std):
    """Gradient of LayerNorm w.r.t. data, gamma and beta."""
    axis = params.axis % data.ndim
    dx, xhat = normalize_grad(xp, ograd, data, mean, std,
                              gamma.reshape(param_view(data.ndim, axis)), (axis,))
    others = tuple(d for d in range(data.ndim) if d != axis)
    return dx, (ograd * xhat).sum(axis=others), ograd.sum(axis=others)


# --- GroupNorm -----------------------------------------------------------------------------
class GroupNormParam(Param):
    num_groups = Int(1, "Total number of groups.")
    eps = Float(1e-5, "An `epsilon` parameter to prevent division by 0.")
    output_mean_var = Bool(False, "Output the mean and std calculated along the given axis.")


def _group_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None, None, None]
    if len(data) < 2:
        raise ShapeError(f"GroupNorm needs data of the form [batch, channel, ...], got "
                         f"{fmt_shape(data)}")
    if data[1] and data[1] % params.num_groups:
        raise ShapeError(f"number of channels {data[1]} must be divisible by num_groups="
                         f"{params.num_groups}")
    # NOTE: MXNet 1.9.1's gamma and beta are per group, not per channel.
    fill_param_shapes(in_shapes, (1, 2), (params.num_groups,))
    stats = (data[0], params.num_groups)
    return [tuple(data), stats, stats]


def _grouped(data, groups):
    return data.reshape(data.shape[0], groups, -1)


@op("GroupNorm", inputs=("data", "gamma", "beta"), params=GroupNormParam, num_outputs=3,
    num_visible_outputs=_hidden, output_names=("output", "mean", "std"),
    infer_shape=_group_shape, infer_type=_all_same_type)
def group_norm(xp, params, data, gamma, beta):
    """Group normalization: normalizes each group of channels, then scales and shifts."""
    xhat, mean, std = normalize(xp, _grouped(data, params.num_groups), (2,), params.eps)
    out = xhat * gamma.reshape(1, -1, 1) + beta.reshape(1, -1, 1)
    return out.reshape(data.shape), mean[..., 0], std[..., 0]


@group_norm.gradient
def _(F, node, ograds):
    data, gamma, _ = node.inputs
    p = node.params
    return list(F._backward_GroupNorm(ograds[0], data, gamma, node.output(1), node.output(2),
                                      num_groups=p.num_groups, eps=p.eps))


@norm_backward_op("_backward_GroupNorm", GroupNormParam)
def _backward_group_norm(xp, params, ograd, data, gamma, mean, std):
    """Gradient of GroupNorm w.r.t. data, gamma and beta."""
    groups = params.num_groups
    g = _grouped(ograd, groups)
    dx, xhat = normalize_grad(xp, g, _grouped(data, groups), mean[..., None],
                              std[..., None], gamma.reshape(1, -1, 1), (2,))
    return dx.reshape(data.shape), (g * xhat).sum(axis=(0, 2)), g.sum(axis=(0, 2))


# --- L2Normalization -----------------------------------------------------------------------
class L2NormalizationParam(Param):
    eps = Float(1e-10, "A small constant for numerical stability.")
    mode = Choice(("channel", "instance", "spatial"), "instance",
                  "Specify the dimension along which to compute L2 norm.")


def _l2_axes(mode, ndim):
    return {"instance": tuple(range(1, ndim)), "channel": (1,),
            "spatial": tuple(range(2, ndim))}[mode]


def _l2_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None, None]
    if params.mode != "instance" and len(data) < 3:
        raise ShapeError(f"At lease 3 dimensions required in {params.mode} mode, got "
                         f"{fmt_shape(data)}")
    axes = _l2_axes(params.mode, len(data))
    return [tuple(data), tuple(1 if d in axes else n for d, n in enumerate(data))]


@op("L2Normalization", params=L2NormalizationParam, num_outputs=2, num_visible_outputs=1,
    output_names=("output", "norm"), infer_shape=_l2_shape,
    infer_type=lambda p, t: [t[0], t[0]])
def l2_normalization(xp, params, data):
    """Normalize the input array using the L2 norm."""
    axes = _l2_axes(params.mode, data.ndim)
    norm = xp.sqrt((data * data).sum(axis=axes, keepdims=True) + params.eps)
    return data / norm, norm


@l2_normalization.gradient
def _(F, node, ograds):
    return [F._backward_L2Normalization(ograds[0], node.output(0), node.output(1),
                                        mode=node.params.mode)]


@op("_backward_L2Normalization", inputs=("ograd", "output", "norm"),
    params=L2NormalizationParam, grad=None, infer_shape=lambda p, s: [s[1]],
    infer_type=lambda p, t: [t[1]])
def _backward_l2_normalization(xp, params, ograd, output, norm):
    """Gradient of L2Normalization: (g - y * sum(g * y)) / norm."""
    axes = _l2_axes(params.mode, output.ndim)
    return (ograd - output * (ograd * output).sum(axis=axes, keepdims=True)) / norm


# --- LRN -------------------------------------------------------------------------------------
class LRNParam(Param):
    alpha = Float(1e-4, "The variance scaling parameter alpha in the LRN expression.")
    beta = Float(0.75, "The power parameter beta in the LRN expression.")
    knorm = Float(2.0, "The parameter k in the LRN expression.")
    nsize = Int(REQUIRED, "normalization window width in elements.")


def _lrn_shape(params, in_shapes):
    data = in_shapes[0]
    if params.nsize % 2 != 1 or params.nsize < 1:
        raise ShapeError(f"LRN only supports odd values for nsize, got {params.nsize}")
    if data is None:
        return [None, None]
    if len(data) < 2:
        raise ShapeError(f"LRN needs data of the form [batch, channel, ...], got "
                         f"{fmt_shape(data)}")
    return [tuple(data), tuple(data)]


def _channel_window_sum(xp, x, nsize):
    """Sum over a window of ``nsize`` channels (axis 1) centred on each channel."""
    half = nsize // 2
    pad = [(0, 0)] * x.ndim
    pad[1] = (half + 1, half)
    c = xp.cumsum(xp.pad(x, pad), axis=1)
    return c[:, nsize:] - c[:, :-nsize]


@op("LRN", params=LRNParam, num_outputs=2, num_visible_outputs=1,
    output_names=("output", "tmp_norm"), infer_shape=_lrn_shape,
    infer_type=lambda p, t: [t[0], t[0]])
def lrn(xp, params, data):
    """Applies local response normalization to the input."""
    scale = params.knorm + params.alpha / params.nsize * \
        _channel_window_sum(xp, data * data, params.nsize)
    return data * scale ** -params.beta, scale


@lrn.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_LRN(ograds[0], node.inputs[0], node.output(1), alpha=p.alpha,
                            beta=p.beta, knorm=p.knorm, nsize=p.nsize)]


@op("_backward_LRN", inputs=("ograd", "data", "tmp_norm"), params=LRNParam, grad=None,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[1]])
def _backward_lrn(xp, params, ograd, data, scale):
    """Gradient of LRN w.r.t. its data (the window is symmetric, so it is its own adjoint)."""
    b = params.beta
    inner = _channel_window_sum(xp, ograd * data * scale ** (-b - 1), params.nsize)
    return ograd * scale ** -b - (2 * params.alpha * b / params.nsize) * data * inner

