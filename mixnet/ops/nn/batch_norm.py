"""BatchNorm (and its legacy twin BatchNorm_v1) with the fused ``_backward_BatchNorm``.

Inputs are data, gamma, beta and the auxiliary states moving_mean, moving_var (last).
Outputs are (output, mean, var) where, as in MXNet 1.9.1, ``var`` is the *inverse std*
1/sqrt(var + eps) of the statistics used. In training (``is_train`` and not
``use_global_stats``) batch statistics are used and the moving statistics are updated in
place: ``moving = moving * momentum + batch * (1 - momentum)`` (biased batch variance).
NOTE: MXNet's CPU kernel does this update in the backward pass and cuDNN in the forward;
we do it in the forward, so a training forward without backward also updates them.
"""
import numpy as np

from ..infer import ShapeError, normalize_axis
from ..param import Bool, Float, Int, Param
from ..registry import op
from .norms import acc_type, fill_param_shapes, normalize_grad, param_view

__all__ = ["BatchNormParam"]


class BatchNormV1Param(Param):
    eps = Float(1e-3, "Epsilon to prevent div 0")
    momentum = Float(0.9, "Momentum for moving average")
    fix_gamma = Bool(True, "Fix gamma while training")
    use_global_stats = Bool(False, "Whether use global moving statistics instead of local "
                            "batch-norm. This will force change batch-norm into a scale "
                            "shift operator.")
    output_mean_var = Bool(False, "Output the mean and inverse std ")


class BatchNormParam(BatchNormV1Param):
    axis = Int(1, "Specify which shape axis the channel is specified")
    cudnn_off = Bool(False, "Do not select CUDNN operator, if available")
    min_calib_range = Float(None, "The minimum scalar value in the form of float32 obtained "
                            "through calibration.")
    max_calib_range = Float(None, "The maximum scalar value in the form of float32 obtained "
                            "through calibration.")


def _axis(params, ndim):
    return normalize_axis(getattr(params, "axis", 1), ndim)


def _bn_shape(params, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None, None, None]
    if len(data) == 0:
        raise ShapeError("BatchNorm needs data with at least one dimension")
    channels = (data[_axis(params, len(data))],)
    fill_param_shapes(in_shapes, range(1, 5), channels)
    return [tuple(data), channels, channels]


def _bn_type(params, in_types):
    data = in_types[0]
    if data is None:
        return [None, None, None]
    # float16 data keeps float32 parameters and statistics (MXNet's BatchNormType).
    ptype = np.dtype(np.float32) if np.dtype(data) == np.float16 else np.dtype(data)
    for i in range(1, len(in_types)):
        in_types[i] = in_types[i] or ptype
    return [data, ptype, ptype]


def _outputs(params):
    return 3 if params.output_mean_var else 1


def _bn_forward(xp, params, data, gamma, beta, moving_mean, moving_var, is_train):
    axis = _axis(params, data.ndim)
    axes = tuple(d for d in range(data.ndim) if d != axis)
    x = data.astype(acc_type(data.dtype), copy=False)
    if is_train and not params.use_global_stats:
        mean = x.mean(axis=axes)
        var = ((x - mean.reshape(param_view(x.ndim, axis))) ** 2).mean(axis=axes)
        m = params.momentum
        moving_mean[...] = moving_mean * m + mean * (1 - m)
        moving_var[...] = moving_var * m + var * (1 - m)
    else:
        mean, var = moving_mean, moving_var
    invstd = 1 / xp.sqrt(var + params.eps)
    scale = invstd if params.fix_gamma else gamma * invstd
    view = param_view(x.ndim, axis)
    out = (x - mean.reshape(view)) * scale.reshape(view) + beta.reshape(view)
    return out, mean, invstd


def batch_norm_op(name, params):
    return op(name, inputs=("data", "gamma", "beta", "moving_mean", "moving_var"),
              params=params, aux=2, mutate=(3, 4), train=True, num_outputs=3,
              num_visible_outputs=_outputs, output_names=("output", "mean", "var"),
              infer_shape=_bn_shape, infer_type=_bn_type,
              input_attrs={"moving_mean": {"__init__": '["zero", {}]'},
                           "moving_var": {"__init__": '["one", {}]'}})


@batch_norm_op("BatchNorm", BatchNormParam)
def batch_norm(xp, params, data, gamma, beta, moving_mean, moving_var, is_train=False):
    """Batch normalization."""
    return _bn_forward(xp, params, data, gamma, beta, moving_mean, moving_var, is_train)


@batch_norm_op("BatchNorm_v1", BatchNormV1Param)
def batch_norm_v1(xp, params, data, gamma, beta, moving_mean, moving_var, is_train=False):
    """Batch normalization (legacy version: the channel axis is always 1)."""
    return _bn_forward(xp, params, data, gamma, beta, moving_mean, moving_var, is_train)


def _backward_params(p):
    kept = ("eps", "fix_gamma", "use_global_stats", "axis")
    return {k: getattr(p, k) for k in kept if hasattr(p, k)}


@batch_norm.gradient
def _(F, node, ograds):
    data, gamma = node.inputs[:2]
    dx, dgamma, dbeta = F._backward_BatchNorm(ograds[0], data, gamma, node.output(1),
                                              node.output(2), **_backward_params(node.params))
    return [dx, dgamma, dbeta, None, None]


batch_norm_v1.gradient(batch_norm.grad)


def _bw_shape(params, in_shapes):
    return [in_shapes[1], in_shapes[2], in_shapes[2]]


@op("_backward_BatchNorm", inputs=("ograd", "data", "gamma", "mean", "invstd"),
    params=BatchNormParam, num_outputs=3, grad=None, infer_shape=_bw_shape,
    infer_type=lambda p, t: [t[1], t[2], t[2]])
def _backward_batch_norm(xp, params, ograd, data, gamma, mean, invstd):
    """Gradient of BatchNorm w.r.t. data, gamma and beta (gamma's is 0 with fix_gamma).

    As MXNet, the batch formula (mean and std depend on data) is used unless
    use_global_stats, whatever mode the forward ran in.
    """
    axis = _axis(params, data.ndim)
    axes = tuple(d for d in range(data.ndim) if d != axis)
    view = param_view(data.ndim, axis)
    gamma_b = xp.ones_like(gamma) if params.fix_gamma else gamma
    dx, xhat = normalize_grad(xp, ograd, data, mean.reshape(view), 1 / invstd.reshape(view),
                              gamma_b.reshape(view), axes,
                              batch_stats=not params.use_global_stats)
    og = ograd.astype(xhat.dtype, copy=False)
    dgamma = xp.zeros_like(gamma) if params.fix_gamma else (og * xhat).sum(axis=axes)
    return dx, dgamma, og.sum(axis=axes)
