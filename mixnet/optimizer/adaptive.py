"""Optimizers with per-coordinate adaptive step sizes: Adam, Adamax, Nadam, AdaGrad,
RMSProp, AdaDelta, Ftrl, FTML.

Layer 9.
"""
import math

from .. import ndarray as nd
from .optimizer import Optimizer, register, check_arrays, clipped

__all__ = ["Adam", "Adamax", "Nadam", "AdaGrad", "RMSProp", "AdaDelta", "Ftrl", "FTML"]


def _zeros_like(weight, keep_dtype=True, keep_stype=False):
    """A zero state array for ``weight`` (MXNet states differ in which of dtype/stype
    they copy: float32 is nd.zeros' default)."""
    kwargs = {}
    if keep_dtype:
        kwargs['dtype'] = weight.dtype
    if keep_stype:
        kwargs['stype'] = weight.stype
    return nd.zeros(weight.shape, weight.context, **kwargs)


def _fused_kwargs(opt, clip_name='clip_gradient', **extra):
    """rescale_grad, the extra hyper-parameters and clip (when set) for a fused op."""
    kwargs = dict(extra, rescale_grad=opt.rescale_grad)
    if opt.clip_gradient:
        kwargs[clip_name] = opt.clip_gradient
    return kwargs


def _step_values(opt, index, weight, grad):
    """Count the update of ``index``; return (lr, wd, t) after checking the arrays."""
    check_arrays(type(opt).__name__, weight, grad)
    opt._update_count(index)
    return opt._get_lr(index), opt._get_wd(index), opt._index_update_count[index]


def _decayed_grad(opt, grad, weight, wd):
    """``rescale_grad * grad + wd * weight``, clipped (plain nd ops)."""
    grad = grad * opt.rescale_grad + wd * weight
    if opt.clip_gradient is not None:
        grad = nd.clip(grad, -opt.clip_gradient, opt.clip_gradient)
    return grad


@register
class Adam(Optimizer):
    """The Adam optimizer (Kingma & Ba, http://arxiv.org/abs/1412.6980), through
    ``adam_update`` with the bias correction folded into the learning rate::

        rescaled_grad = clip(grad * rescale_grad + wd * weight, clip_gradient)
        m = beta1 * m + (1 - beta1) * rescaled_grad
        v = beta2 * v + (1 - beta2) * (rescaled_grad**2)
        lr = learning_rate * sqrt(1 - beta2**t) / (1 - beta1**t)
        w = w - lr * m / (sqrt(v) + epsilon)

    Parameters
    ----------
    beta1, beta2 : float, optional
        Exponential decay rates of the first and second moment estimates.
    epsilon : float, optional
        Small value to avoid division by 0.
    lazy_update : bool, optional
        Update only the rows of a row_sparse gradient (default True).
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 lazy_update=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    def create_state(self, index, weight):
        stype = weight.stype if self.lazy_update else 'default'
        return (nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=stype),
                nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=stype))

    def update(self, index, weight, grad, state):
        lr, wd, t = _step_values(self, index, weight, grad)
        lr *= math.sqrt(1. - self.beta2 ** t) / (1. - self.beta1 ** t)
        kwargs = _fused_kwargs(self, beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon)
        mean, var = state
        nd.adam_update(weight, grad, mean, var, out=weight, lazy_update=self.lazy_update,
                       lr=lr, wd=wd, **kwargs)


@register
class Adamax(Optimizer):
    """AdaMax, Adam with the infinity norm (http://arxiv.org/abs/1412.6980 section 7)::

        grad = clip(grad * rescale_grad + wd * weight, clip_gradient)
        m = beta1 * m + (1 - beta1) * grad
        u = maximum(beta2 * u, abs(grad))
        weight -= lr / (1 - beta1**t) * m / u
    """

    def __init__(self, learning_rate=0.002, beta1=0.9, beta2=0.999, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))  # (mean, infinity norm)

    def update(self, index, weight, grad, state):
        lr, wd, t = _step_values(self, index, weight, grad)
        lr /= (1. - self.beta1 ** t)
        grad = _decayed_grad(self, grad, weight, wd)
        m_t, u_t = state
        m_t[:] *= self.beta1
        m_t[:] += (1. - self.beta1) * grad
        u_t[:] = nd.maximum(self.beta2 * u_t, nd.abs(grad))
        weight[:] -= lr * m_t / u_t


@register
class Nadam(Optimizer):
    """Nesterov Adam (http://cs229.stanford.edu/proj2015/054_report.pdf).

    Parameters
    ----------
    beta1, beta2 : float, optional
        Exponential decay rates of the first and second moment estimates.
    epsilon : float, optional
        Small value to avoid division by 0.
    schedule_decay : float, optional
        Exponential decay rate of the momentum schedule.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 schedule_decay=0.004, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))  # (mean, variance)

    def update(self, index, weight, grad, state):
        lr, wd, t = _step_values(self, index, weight, grad)
        grad = _decayed_grad(self, grad, weight, wd)
        # warming momentum schedule
        momentum_t = self.beta1 * (1. - 0.5 * (pow(0.96, t * self.schedule_decay)))
        momentum_t_1 = self.beta1 * (1. - 0.5 * (pow(0.96, (t + 1) * self.schedule_decay)))
        self.m_schedule = self.m_schedule * momentum_t
        m_schedule_next = self.m_schedule * momentum_t_1
        m_t, v_t = state
        m_t[:] *= self.beta1
        m_t[:] += (1. - self.beta1) * grad
        v_t[:] *= self.beta2
        v_t[:] += (1. - self.beta2) * grad * grad
        grad_prime = grad / (1. - self.m_schedule)
        m_t_prime = m_t / (1. - m_schedule_next)
        v_t_prime = v_t / (1. - pow(self.beta2, t))
        m_t_bar = (1. - momentum_t) * grad_prime + momentum_t_1 * m_t_prime
        weight[:] -= lr * m_t_bar / (nd.sqrt(v_t_prime) + self.epsilon)


@register
class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al., http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf)::

        grad = clip(grad * rescale_grad, clip_gradient)
        history += square(grad)
        div = grad / sqrt(history + float_stable_eps)
        weight += (div + weight * wd) * -lr

    Parameters
    ----------
    eps : float, optional
        Added to the history inside the square root (avoids division by 0).
    """

    def __init__(self, eps=1e-7, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        return _zeros_like(weight, keep_dtype=False, keep_stype=True)  # history

    def update(self, index, weight, grad, state):
        lr, wd, _ = _step_values(self, index, weight, grad)
        if grad.stype == 'row_sparse':
            kwargs = _fused_kwargs(self, epsilon=self.float_stable_eps)
            nd.sparse.adagrad_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
            return
        grad = clipped(self, grad)
        state[:] += nd.square(grad)
        div = grad / nd.sqrt(state + self.float_stable_eps)
        weight[:] += (div + weight * wd) * -lr


@register
class RMSProp(Optimizer):
    """RMSProp: Tieleman & Hinton's (``rmsprop_update``), or with ``centered=True``
    Graves' (http://arxiv.org/pdf/1308.0850v5.pdf eq. 38-45, ``rmspropalex_update``).

    Parameters
    ----------
    gamma1 : float, optional
        Decay factor of the moving averages of the (squared) gradient.
    gamma2 : float, optional
        Momentum factor (centered only).
    epsilon : float, optional
        Small value to avoid division by 0.
    centered : bool, optional
        Use Graves' version.
    clip_weights : float, optional
        Clip weights into ``[-clip_weights, clip_weights]``.
    """

    def __init__(self, learning_rate=0.001, gamma1=0.9, gamma2=0.9,
                 epsilon=1e-8, centered=False, clip_weights=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index, weight):
        count = 3 if self.centered else 1  # (n, g, delta) or (n,)
        return tuple(_zeros_like(weight, keep_dtype=False, keep_stype=True)
                     for _ in range(count))

    def update(self, index, weight, grad, state):
        lr, wd, _ = _step_values(self, index, weight, grad)
        kwargs = _fused_kwargs(self, gamma1=self.gamma1, epsilon=self.epsilon)
        if self.clip_weights:
            kwargs['clip_weights'] = self.clip_weights
        if not self.centered:
            (n,) = state
            nd.rmsprop_update(weight, grad, n, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            n, g, delta = state
            nd.rmspropalex_update(weight, grad, n, g, delta, out=weight, lr=lr, wd=wd,
                                  gamma2=self.gamma2, **kwargs)


@register
class AdaDelta(Optimizer):
    """AdaDelta (Zeiler, https://arxiv.org/abs/1212.5701)::

        grad = clip(grad * rescale_grad, clip_gradient)
        acc_grad = rho * acc_grad + (1. - rho) * grad * grad
        delta = sqrt(acc_delta + epsilon) / sqrt(acc_grad + epsilon) * grad
        acc_delta = rho * acc_delta + (1. - rho) * delta * delta
        weight -= (delta + wd * weight)

    Parameters
    ----------
    rho : float
        Decay rate for both squared gradients and delta.
    epsilon : float
        Small value to avoid division by 0.
    """

    def __init__(self, rho=0.90, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return (_zeros_like(weight, keep_dtype=False),   # accumulated g
                _zeros_like(weight, keep_dtype=False))   # accumulated delta

    def update(self, index, weight, grad, state):
        check_arrays("AdaDelta", weight, grad)
        wd = self._get_wd(index)
        self._update_count(index)
        # NOTE: MXNet scales the caller's gradient in place (``grad *= rescale_grad``).
        grad *= self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        acc_g, acc_delta = state
        acc_g[:] *= self.rho
        acc_g[:] += (1. - self.rho) * grad * grad
        current_delta = nd.sqrt(acc_delta + self.epsilon) / nd.sqrt(acc_g + self.epsilon) * grad
        acc_delta[:] *= self.rho
        acc_delta[:] += (1. - self.rho) * current_delta * current_delta
        weight[:] -= current_delta + wd * weight


@register
class Ftrl(Optimizer):
    """FTRL-proximal (McMahan et al., "Ad Click Prediction"), through ``ftrl_update``::

        rescaled_grad = clip(grad * rescale_grad, clip_gradient)
        z += rescaled_grad - (sqrt(n + rescaled_grad**2) - sqrt(n)) * weight / learning_rate
        n += rescaled_grad**2
        w = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / learning_rate + wd) * (abs(z) > lamda1)

    Parameters
    ----------
    lamda1 : float, optional
        L1 regularization coefficient.
    learning_rate : float, optional
        The initial learning rate.
    beta : float, optional
        Per-coordinate learning rate correlation parameter.
    """

    def __init__(self, lamda1=0.01, learning_rate=0.1, beta=1, **kwargs):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index, weight):
        return (_zeros_like(weight, keep_dtype=False, keep_stype=True),   # z
                _zeros_like(weight, keep_dtype=False, keep_stype=True))   # n

    def update(self, index, weight, grad, state):
        lr, wd, _ = _step_values(self, index, weight, grad)
        kwargs = _fused_kwargs(self, lamda1=self.lamda1, beta=self.beta)
        z, n = state
        nd.ftrl_update(weight, grad, z, n, out=weight, lr=lr, wd=wd, **kwargs)


@register
class FTML(Optimizer):
    """FTML, Follow the Moving Leader (Zheng & Kwok, ICML 2017), through ``ftml_update``::

        rescaled_grad = clip(grad * rescale_grad + wd * weight, clip_gradient)
        v = beta2 * v + (1 - beta2) * square(rescaled_grad)
        d_t = (1 - power(beta1, t)) / lr * square_root(v / (1 - power(beta2, t))) + epsilon)
        z = beta1 * z + (1 - beta1) * rescaled_grad - (d_t - beta1 * d_(t-1)) * weight
        weight = - z / d_t

    Parameters
    ----------
    beta1 : float, optional
        0 < beta1 < 1, generally close to 0.5.
    beta2 : float, optional
        0 < beta2 < 1, generally close to 1.
    epsilon : float, optional
        Small value to avoid division by 0.
    """

    def __init__(self, beta1=0.6, beta2=0.999, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return tuple(_zeros_like(weight) for _ in range(3))  # (d, v, z)

    def update(self, index, weight, grad, state):
        lr, wd, t = _step_values(self, index, weight, grad)
        kwargs = _fused_kwargs(self, 'clip_grad', beta1=self.beta1, beta2=self.beta2,
                               epsilon=self.epsilon, t=t)
        prev_d, prev_v, prev_z = state
        nd.ftml_update(weight, grad, prev_d, prev_v, prev_z, out=weight, lr=lr, wd=wd, **kwargs)
