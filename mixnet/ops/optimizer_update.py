"""Fused optimizer updates (``sgd_update``, ``adam_update``, ...): MXNet's FMutateInputs ops.

Each op returns the new weight (callers pass ``out=weight``) and writes the new optimizer
states into its state inputs in place (``mutate=``: the engine orders them as writes).
The multi-precision ``mp_*`` forms keep a float32 master copy ``weight32`` (also mutated)
and return it cast to the weight's dtype. The formulas follow MXNet 1.9.1's kernels
(optimizer_op-inl.h); none of these ops is differentiable.
"""
import numpy as np

from .elemwise_math import quiet
from .infer import InferTypeError, same_shape, same_type
from .param import Bool, Float, Int, Param
from .registry import op

__all__ = ["rescaled_grad", "update_op", "moments", "mp_type"]

# Shared parameter specs (MXNet declares the same fields, with the same docs, per op).
LR = Float(doc="Learning rate")
WD = Float(0.0, "Weight decay augments the objective function with a regularization term "
                "that penalizes large weights. The penalty scales with the square of the "
                "magnitude of each weight.")
RESCALE = Float(1.0, "Rescale gradient to grad = rescale_grad*grad.")
CLIP = Float(-1.0, "Clip gradient to the range of [-clip_gradient, clip_gradient] If "
                   "clip_gradient <= 0, gradient clipping is turned off. grad = "
                   "max(min(grad, clip_gradient), -clip_gradient).")
LAZY = Bool(True, "If true, lazy updates are applied if gradient's stype is row_sparse.")
MOMENTUM = Float(0.0, "The decay rate of momentum estimates at each epoch.")
BETA1 = Float(0.9, "The decay rate for the 1st moment estimates.")
BETA2 = Float(0.999, "The decay rate for the 2nd moment estimates.")
EPSILON = Float(1e-8, "A small constant for numerical stability.")
CLIP_WEIGHTS = Float(-1.0, "Clip weights to the range of [-clip_weights, clip_weights] If "
                           "clip_weights <= 0, weight clipping is turned off. weights = "
                           "max(min(weights, clip_weights), -clip_weights).")


def rescaled_grad(xp, grad, params, weight=None, wd_first=False):
    """``rescale_grad * grad``, clipped to ``clip_gradient`` when that is >= 0.

    ``wd_first``: add ``wd * weight`` before clipping (Adam, RMSProp, FTML in MXNet).
    """
    g = grad * params.rescale_grad
    if wd_first:
        g = g + params.wd * weight
    clip = getattr(params, "clip_gradient", getattr(params, "clip_grad", -1.0))
    if clip >= 0:
        g = xp.clip(g, -clip, clip)
    return g


def _clip_weights(xp, w, params):
    c = params.clip_weights
    return xp.clip(w, -c, c) if c >= 0 else w


def mp_type(n_plain):
    """Type rule: inputs before ``n_plain`` share the weight's dtype, the rest are float32."""
    def rule(params, in_types):
        out = same_type(params, in_types[:n_plain])
        for i in range(n_plain):
            in_types[i] = out[0]
        f32 = np.dtype(np.float32)
        for i in range(n_plain, len(in_types)):
            if in_types[i] is not None and in_types[i] != f32:
                raise InferTypeError(f"input {i} (a float32 master state) must be float32, "
                                     f"got {in_types[i]}")
            in_types[i] = f32
        return out
    return rule


def update_op(name, inputs, params, mutate, mp=0, **attrs):
    """Register an update op: states at ``mutate``; ``mp``: trailing float32 inputs."""
    attrs.setdefault("infer_shape", same_shape)
    attrs.setdefault("infer_type", mp_type(len(inputs) - mp) if mp else same_type)
    register = op(name, inputs=inputs, params=params, mutate=mutate, grad=None, **attrs)
    # MXNet computes sqrt of a negative state etc. silently as nan.
    return lambda forward: register(quiet(forward))


# --- SGD -----------------------------------------------------------------------------------

class SGDParam(Param):
    lr = LR
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP
    lazy_update = LAZY


class SGDMomParam(Param):
    lr = LR
    momentum = MOMENTUM
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP
    lazy_update = LAZY


def _sgd(xp, p, weight, grad):
    return (1 - p.lr * p.wd) * weight - p.lr * rescaled_grad(xp, grad, p)


def _sgd_mom(xp, p, weight, grad, mom):
    mom[...] = p.momentum * mom - p.lr * p.wd * weight - p.lr * rescaled_grad(xp, grad, p)
    return weight + mom


@update_op("sgd_update", ("weight", "grad"), SGDParam, (), aliases=("_sparse_sgd_update",))
def sgd_update(xp, params, weight, grad):
    """Update function for Stochastic Gradient Descent (SGD) optimizer."""
    return _sgd(xp, params, weight, grad)


@update_op("sgd_mom_update", ("weight", "grad", "mom"), SGDMomParam, (2,),
           aliases=("_sparse_sgd_mom_update",))
def sgd_mom_update(xp, params, weight, grad, mom):
    """Momentum update function for Stochastic Gradient Descent (SGD) optimizer."""
    return _sgd_mom(xp, params, weight, grad, mom)


@update_op("mp_sgd_update", ("weight", "grad", "weight32"), SGDParam, (2,), mp=1)
def mp_sgd_update(xp, params, weight, grad, weight32):
    """Updater function for multi-precision sgd optimizer"""
    weight32[...] = _sgd(xp, params, weight32, grad.astype(np.float32))
    return weight32


@update_op("mp_sgd_mom_update", ("weight", "grad", "mom", "weight32"), SGDMomParam, (2, 3),
           mp=2)
def mp_sgd_mom_update(xp, params, weight, grad, mom, weight32):
    """Updater function for multi-precision sgd optimizer"""
    weight32[...] = _sgd_mom(xp, params, weight32, grad.astype(np.float32), mom)
    return weight32


# --- NAG, signSGD, Signum ----------------------------------------------------------------

class NAGMomParam(Param):
    lr = LR
    momentum = MOMENTUM
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP


def _nag(xp, p, weight, grad, mom):
    g = rescaled_grad(xp, grad, p) + p.wd * weight
    mom[...] = p.momentum * mom - p.lr * g
    return weight + p.momentum * mom - p.lr * g


@update_op("nag_mom_update", ("weight", "grad", "mom"), NAGMomParam, (2,))
def nag_mom_update(xp, params, weight, grad, mom):
    """Update function for Nesterov Accelerated Gradient( NAG) optimizer."""
    return _nag(xp, params, weight, grad, mom)


@update_op("mp_nag_mom_update", ("weight", "grad", "mom", "weight32"), NAGMomParam, (2, 3),
           mp=2)
def mp_nag_mom_update(xp, params, weight, grad, mom, weight32):
    """Update function for multi-precision Nesterov Accelerated Gradient( NAG) optimizer."""
    weight32[...] = _nag(xp, params, weight32, grad.astype(np.float32), mom)
    return weight32


class SignSGDParam(Param):
    lr = LR
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP


class SignumParam(Param):
    lr = LR
    momentum = MOMENTUM
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP
    wd_lh = Float(0.0, "The amount of weight decay that does not go into gradient/momentum "
                       "calculationsotherwise do weight decay algorithmically only.")


@update_op("signsgd_update", ("weight", "grad"), SignSGDParam, ())
def signsgd_update(xp, params, weight, grad):
    """Update function for SignSGD optimizer."""
    # Only the sign of the gradient matters: rescaling and clipping cannot change it.
    return (1 - params.lr * params.wd) * weight - params.lr * xp.sign(grad)


@update_op("signum_update", ("weight", "grad", "mom"), SignumParam, (2,))
def signum_update(xp, params, weight, grad, mom):
    """SIGN momentUM (Signum) optimizer."""
    p = params
    mom[...] = p.momentum * mom - (1 - p.momentum) * (p.wd * weight + rescaled_grad(xp, grad, p))
    return (1 - p.lr * p.wd_lh) * weight + p.lr * xp.sign(mom)


# --- Adam, RMSProp, FTRL, FTML -----------------------------------------------------------

class AdamParam(Param):
    lr = LR
    beta1 = BETA1
    beta2 = BETA2
    epsilon = EPSILON
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP
    lazy_update = LAZY


def moments(xp, p, g, mean, var):
    """Adam's moving averages of the gradient and its square, updated in place."""
    mean[...] = p.beta1 * mean + (1 - p.beta1) * g
    var[...] = p.beta2 * var + (1 - p.beta2) * g * g


@update_op("adam_update", ("weight", "grad", "mean", "var"), AdamParam, (2, 3),
           aliases=("_sparse_adam_update",))
def adam_update(xp, params, weight, grad, mean, var):
    """Update function for Adam optimizer."""
    moments(xp, params, rescaled_grad(xp, grad, params, weight, wd_first=True), mean, var)
    return weight - params.lr * mean / (xp.sqrt(var) + params.epsilon)


class RMSPropParam(Param):
    lr = LR
    gamma1 = Float(0.95, "The decay rate of momentum estimates.")
    epsilon = EPSILON
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP
    clip_weights = CLIP_WEIGHTS


class RMSPropAlexParam(Param):
    lr = LR
    gamma1 = Float(0.95, "Decay rate.")
    gamma2 = Float(0.9, "Decay rate.")
    epsilon = EPSILON
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP
    clip_weights = CLIP_WEIGHTS


@update_op("rmsprop_update", ("weight", "grad", "n"), RMSPropParam, (2,))
def rmsprop_update(xp, params, weight, grad, n):
    """Update function for `RMSProp` optimizer."""
    p = params
    g = rescaled_grad(xp, grad, p, weight, wd_first=True)
    n[...] = (1 - p.gamma1) * g * g + p.gamma1 * n
    return _clip_weights(xp, weight - p.lr * g / xp.sqrt(n + p.epsilon), p)


@update_op("rmspropalex_update", ("weight", "grad", "n", "g", "delta"), RMSPropAlexParam,
           (2, 3, 4))
def rmspropalex_update(xp, params, weight, grad, n, g, delta):
    """Update function for RMSPropAlex optimizer."""
    p = params
    r = rescaled_grad(xp, grad, p, weight, wd_first=True)
    n[...] = (1 - p.gamma1) * r * r + p.gamma1 * n
    g[...] = (1 - p.gamma1) * r + p.gamma1 * g
    delta[...] = p.gamma2 * delta - p.lr * r / xp.sqrt(n - g * g + p.epsilon)
    return _clip_weights(xp, weight + delta, p)


class FtrlParam(Param):
    lr = LR
    lamda1 = Float(0.01, "The L1 regularization coefficient.")
    beta = Float(1.0, "Per-Coordinate Learning Rate beta.")
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP


@update_op("ftrl_update", ("weight", "grad", "z", "n"), FtrlParam, (2, 3),
           aliases=("_sparse_ftrl_update",))
def ftrl_update(xp, params, weight, grad, z, n):
    """Update function for Ftrl optimizer."""
    p = params
    g = rescaled_grad(xp, grad, p)
    z[...] = z + g - (xp.sqrt(n + g * g) - xp.sqrt(n)) * weight / p.lr
    n[...] = n + g * g
    shrunk = (xp.sign(z) * p.lamda1 - z) / ((p.beta + xp.sqrt(n)) / p.lr + p.wd)
    return shrunk * (xp.abs(z) > p.lamda1)


class FTMLParam(Param):
    lr = LR
    beta1 = Float(0.6, "Generally close to 0.5.")
    beta2 = Float(0.999, "Generally close to 1.")
    epsilon = Float(1e-8, "Epsilon to prevent div 0.")
    t = Int(doc="Number of update.")
    wd = WD
    rescale_grad = RESCALE
    clip_grad = CLIP


@update_op("ftml_update", ("weight", "grad", "d", "v", "z"), FTMLParam, (2, 3, 4))
def ftml_update(xp, params, weight, grad, d, v, z):
    """The FTML optimizer described in *FTML - Follow the Moving Leader in Deep Learning*."""
    p = params
    g = rescaled_grad(xp, grad, p, weight, wd_first=True)
    v[...] = p.beta2 * v + (1 - p.beta2) * g * g
    d_t = (1 - p.beta1 ** p.t) / p.lr * (xp.sqrt(v / (1 - p.beta2 ** p.t)) + p.epsilon)
    z[...] = p.beta1 * z + (1 - p.beta1) * g - (d_t - p.beta1 * d) * weight
    d[...] = d_t
    return -z / d_t

