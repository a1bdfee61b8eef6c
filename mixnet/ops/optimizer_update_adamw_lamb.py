"""AdamW and LAMB updates (MXNet's ``_adamw_update``, ``lamb_update_phase1/2`` and their
multi-precision forms); same protocol as optimizer_update.py, whose helpers they share.
"""
import numpy as np

from .infer import ShapeError, merge_shape, same_shape
from .optimizer_update import (BETA1, BETA2, CLIP, EPSILON, LR, RESCALE, WD, moments,
                               mp_type, rescaled_grad, update_op)
from .param import Bool, Float, Int, Param

# --- AdamW (rescale_grad is an array: a non-finite value skips the step) -----------------

class AdamWParam(Param):
    lr = LR
    beta1 = BETA1
    beta2 = BETA2
    epsilon = EPSILON
    wd = WD
    eta = Float(doc="Learning rate schedule multiplier")
    clip_gradient = CLIP


def _adamw_shape(params, in_shapes):
    scale = in_shapes[-1]
    if scale is not None and tuple(scale) != (1,):
        raise ShapeError(f"rescale_grad must be a 1-element array, got shape {scale}")
    in_shapes[-1] = (1,)
    rest = in_shapes[:-1]
    out = same_shape(params, rest)
    in_shapes[:-1] = rest
    return out


def _adamw_type(n_plain):
    base = mp_type(n_plain)

    def rule(params, in_types):
        rest = in_types[:-1]
        out = base(params, rest)
        in_types[:-1] = rest
        return out
    return rule


def _adamw(xp, p, weight, grad, mean, var, scale, write_grad=False):
    """AdamW on float arrays; returns the new weight, or None to skip the step."""
    # NOTE: MXNet reads the scale on the host and leaves weight and states unchanged when
    # it is 0, inf or nan (an AMP overflow), so this device sync is MXNet's behaviour too.
    s = float(scale.reshape(-1)[0])
    if not np.isfinite(s) or s == 0:
        return None
    g = grad * s
    if p.clip_gradient >= 0:
        g = xp.clip(g, -p.clip_gradient, p.clip_gradient)
    if write_grad:
        # NOTE: MXNet 1.9.1's single-precision kernel rescales and clips grad in place.
        grad[...] = g
    moments(xp, p, g, mean, var)
    return weight - p.eta * (p.lr * mean / (xp.sqrt(var) + p.epsilon) + p.wd * weight)


@update_op("_adamw_update", ("weight", "grad", "mean", "var", "rescale_grad"), AdamWParam,
           (1, 2, 3), infer_shape=_adamw_shape, infer_type=_adamw_type(4))
def _adamw_update(xp, params, weight, grad, mean, var, rescale_grad):
    """Update function for AdamW optimizer."""
    new = _adamw(xp, params, weight, grad, mean, var, rescale_grad, write_grad=True)
    return weight.copy() if new is None else new


@update_op("_mp_adamw_update", ("weight", "grad", "mean", "var", "weight32", "rescale_grad"),
           AdamWParam, (2, 3, 4), infer_shape=_adamw_shape, infer_type=_adamw_type(2))
def _mp_adamw_update(xp, params, weight, grad, mean, var, weight32, rescale_grad):
    """Update function for multi-precision AdamW optimizer."""
    new = _adamw(xp, params, weight32, grad.astype(np.float32), mean, var, rescale_grad)
    if new is None:
        return weight.copy()
    weight32[...] = new
    return new


# --- LAMB --------------------------------------------------------------------------------

class LambPhase1Param(Param):
    beta1 = BETA1
    beta2 = BETA2
    epsilon = Float(1e-6, "A small constant for numerical stability.")
    t = Int(doc="Index update count.")
    bias_correction = Bool(True, "Whether to use bias correction.")
    wd = Float(doc="Weight decay augments the objective function with a regularization term "
                   "that penalizes large weights. The penalty scales with the square of the "
                   "magnitude of each weight.")
    rescale_grad = RESCALE
    clip_gradient = CLIP


class LambPhase2Param(Param):
    lr = LR
    lower_bound = Float(-1.0, "Lower limit of norm of weight. If lower_bound <= 0, Lower "
                              "limit is not set")
    upper_bound = Float(-1.0, "Upper limit of norm of weight. If upper_bound <= 0, Upper "
                              "limit is not set")


def _lamb_direction(xp, p, weight, grad, mean, var):
    moments(xp, p, rescaled_grad(xp, grad, p), mean, var)
    m, v = mean, var
    if p.bias_correction:
        m = mean / (1 - p.beta1 ** p.t)
        v = var / (1 - p.beta2 ** p.t)
    return m / (xp.sqrt(v) + p.epsilon) + p.wd * weight


def _lamb_step(xp, p, weight, g, r1, r2):
    r1 = r1.reshape(-1)[0]
    r2 = r2.reshape(-1)[0]
    if p.lower_bound >= 0:
        r1 = xp.maximum(r1, p.lower_bound)
    if p.upper_bound >= 0:
        r1 = xp.minimum(r1, p.upper_bound)
    # The trust ratio r1/r2 falls back to 1 when either norm is 0 (kept on device).
    ok = (r1 != 0) & (r2 != 0)
    ratio = xp.where(ok, r1 / xp.where(ok, r2, 1), 1)
    return weight - p.lr * ratio * g


def _lamb2_shape(params, in_shapes):
    for i in (2, 3):
        if in_shapes[i] is not None and tuple(in_shapes[i]) != (1,):
            raise ShapeError(f"r{i - 1} must be a 1-element array (a norm), got shape "
                             f"{in_shapes[i]}")
        in_shapes[i] = (1,)
    shape = merge_shape(in_shapes[0], in_shapes[1], "weight and g shapes")
    in_shapes[0] = in_shapes[1] = shape
    if len(in_shapes) > 4:
        in_shapes[4] = merge_shape(shape, in_shapes[4], "weight and weight32 shapes")
    return [shape]


def _lamb2_type(params, in_types):
    return [in_types[0]]


@update_op("lamb_update_phase1", ("weight", "grad", "mean", "var"), LambPhase1Param, (2, 3))
def lamb_update_phase1(xp, params, weight, grad, mean, var):
    """Phase I of lamb update it performs the following operations and returns g:."""
    return _lamb_direction(xp, params, weight, grad, mean, var)


@update_op("lamb_update_phase2", ("weight", "g", "r1", "r2"), LambPhase2Param, (),
           infer_shape=_lamb2_shape, infer_type=_lamb2_type)
def lamb_update_phase2(xp, params, weight, g, r1, r2):
    """Phase II of lamb update it performs the following operations and updates grad."""
    return _lamb_step(xp, params, weight, g, r1, r2)


@update_op("mp_lamb_update_phase1", ("weight", "grad", "mean", "var", "weight32"),
           LambPhase1Param, (2, 3), mp=3, infer_type=lambda p, t: [np.dtype(np.float32)])
def mp_lamb_update_phase1(xp, params, weight, grad, mean, var, weight32):
    """Mixed Precision version of Phase I of lamb update"""
    return _lamb_direction(xp, params, weight32, grad.astype(np.float32), mean, var)


@update_op("mp_lamb_update_phase2", ("weight", "g", "r1", "r2", "weight32"), LambPhase2Param,
           (), infer_shape=_lamb2_shape, infer_type=_lamb2_type)
def mp_lamb_update_phase2(xp, params, weight, g, r1, r2, weight32):
    """Mixed Precision version Phase II of lamb update"""
    # NOTE: MXNet 1.9.1 reads weight32 but does not write it back (its kernel takes it
    # const); the caller refreshes the master copy.
    return _lamb_step(xp, params, weight32, g, r1, r2)
