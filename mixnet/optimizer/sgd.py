"""Stochastic-gradient optimizers: SGD (and ccSGD), NAG, Signum, DCASGD, SGLD.

Layer 9.
"""
import math

import numpy

from .. import ndarray as nd
from .. import random
from .optimizer import (Optimizer, register, aggregation_size, warn_float16, as_lists,
                        check_arrays, clipped)

__all__ = ["SGD", "ccSGD", "NAG", "Signum", "DCASGD", "SGLD", "MasterCopyLast",
           "momentum_kwargs", "sgd_step"]


class MasterCopyLast(object):
    """Mixin: with ``multi_precision``, float16 weights get the state
    ``(state, weight32)`` (the order the ``mp_*_update`` ops take), not the base
    class's ``(weight32, state)``."""

    def create_state_multi_precision(self, index, weight):
        if self.multi_precision and weight.dtype == numpy.float16:
            weight_master_copy = weight.astype(numpy.float32)
            return (self.create_state(index, weight_master_copy), weight_master_copy)
        if weight.dtype == numpy.float16 and not self.multi_precision:
            warn_float16(type(self).__name__ + " ")
        return self.create_state(index, weight)


def momentum_kwargs(opt, momentum):
    """The fused ops' optional kwargs: rescale_grad, momentum (> 0), clip_gradient."""
    kwargs = {'rescale_grad': opt.rescale_grad}
    if momentum > 0:
        kwargs['momentum'] = momentum
    if opt.clip_gradient:
        kwargs['clip_gradient'] = opt.clip_gradient
    return kwargs


def sgd_step(weight, grad, state, lr, wd, multi_precision, lazy_update, kwargs):
    """One (momentum) SGD step through the fused ops; ``state`` is the momentum (or
    None), or ``(momentum, weight32)`` when ``multi_precision``."""
    if not multi_precision:
        if state is not None:
            nd.sgd_mom_update(weight, grad, state, out=weight, lazy_update=lazy_update,
                              lr=lr, wd=wd, **kwargs)
        else:
            nd.sgd_update(weight, grad, out=weight, lazy_update=lazy_update,
                          lr=lr, wd=wd, **kwargs)
    elif state[0] is not None:
        nd.mp_sgd_mom_update(weight, grad, state[0], state[1], out=weight,
                             lr=lr, wd=wd, **kwargs)
    else:
        nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)


def _is_mp(opt, index, weight):
    first = weight if not isinstance(index, (tuple, list)) else weight[0]
    return opt.multi_precision and first.dtype == numpy.float16


@register
class SGD(MasterCopyLast, Optimizer):
    """The SGD optimizer with momentum and weight decay.

    Standard updates (``sgd_update`` / ``sgd_mom_update``)::

        rescaled_grad = lr * (rescale_grad * clip(grad, clip_gradient) + wd * weight)
        state = momentum * state + rescaled_grad
        weight = weight - state

    With a ``row_sparse`` gradient and ``lazy_update``, only the rows in the gradient
    are updated. Several weights may be updated in one call (aggregated updates, up to
    MXNET_OPTIMIZER_AGGREGATION_SIZE, default 4).

    Parameters
    ----------
    momentum : float, optional
        The momentum value.
    lazy_update : bool, optional
        Apply lazy updates for row_sparse weights and gradients (default True).
    multi_precision : bool, optional
        Update a float32 master copy of float16 weights.
    """

    def __init__(self, momentum=0.0, lazy_update=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = aggregation_size(4)

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        stype = weight.stype if self.lazy_update else 'default'
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=stype)

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        indices, weights, grads, states = as_lists(indices, weights, grads, states)
        for weight, grad in zip(weights, grads):
            check_arrays(type(self).__name__, weight, grad)
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        kwargs = momentum_kwargs(self, self.momentum)
        for weight, grad, state, lr, wd in zip(weights, grads, states, lrs, wds):
            sgd_step(weight, grad, state, lr, wd, multi_precision, self.lazy_update, kwargs)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state,
                          multi_precision=_is_mp(self, index, weight))


@register
class ccSGD(SGD):  # noqa: N801 (MXNet's name)
    """[DEPRECATED] Same as `SGD`. Left here for backward compatibility."""


@register
class NAG(MasterCopyLast, Optimizer):
    """Nesterov accelerated gradient (``nag_mom_update``)::

        state = momentum * state + grad + wd * weight
        weight = weight - (lr * (grad + momentum * state))

    Parameters
    ----------
    momentum : float, optional
        The momentum value.
    multi_precision : bool, optional
        Update a float32 master copy of float16 weights.
    """

    def __init__(self, momentum=0.0, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        check_arrays("NAG", weight, grad)
        self._update_count(index)
        lr = self._get_lr(index)
        wd = self._get_wd(index)
        kwargs = momentum_kwargs(self, self.momentum)
        if not multi_precision:
            if state is not None:
                nd.nag_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
            else:
                nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
        elif state[0] is not None:
            nd.mp_nag_mom_update(weight, grad, state[0], state[1], out=weight,
                                 lr=lr, wd=wd, **kwargs)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        use_mp = self.multi_precision and weight.dtype == numpy.float16 \
            and isinstance(state, (tuple, list))
        self._update_impl(index, weight, grad, state, multi_precision=use_mp)


@register
class Signum(Optimizer):
    r"""The Signum optimizer: SGD on the sign of the momentum (``signum_update``), or of
    the gradient when ``momentum`` is 0 (``signsgd_update``)::

        rescaled_grad = rescale_grad * clip(grad, clip_gradient) + wd * weight
        state = momentum * state + (1-momentum)*rescaled_grad
        weight = (1 - lr * wd_lh) * weight - lr * sign(state)

    Bernstein et al., signSGD (https://arxiv.org/abs/1802.04434).

    Parameters
    ----------
    momentum : float, optional
        The momentum value.
    wd_lh : float, optional
        Decoupled weight decay (https://arxiv.org/abs/1711.05101).
    """

    def __init__(self, learning_rate=0.01, momentum=0.9, wd_lh=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=weight.stype)

    def update(self, index, weight, grad, state):
        check_arrays("Signum", weight, grad)
        self._update_count(index)
        lr = self._get_lr(index)
        wd = self._get_wd(index)
        kwargs = momentum_kwargs(self, self.momentum)
        if self.wd_lh:
            kwargs['wd_lh'] = self.wd_lh
        if state is not None:
            nd.signum_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            # NOTE: signsgd_update has no wd_lh (MXNet passes it and fails); it decays
            # the weight by (1 - lr * wd), so the decoupled decay folds into wd.
            wd += kwargs.pop('wd_lh', 0.0)
            nd.signsgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)


@register
class DCASGD(Optimizer):
    """Delay-compensated asynchronous SGD (Zheng et al., https://arxiv.org/abs/1609.08326).

    Parameters
    ----------
    momentum : float, optional
        The momentum value.
    lamda : float, optional
        Scale of the delay compensation.
    """

    def __init__(self, momentum=0.0, lamda=0.04, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous = {}
        self.lamda = lamda

    def create_state(self, index, weight):
        mom = None if self.momentum == 0.0 else \
            nd.zeros(weight.shape, weight.context, dtype=weight.dtype)
        return (mom, weight.copy())  # (momentum, previous weight)

    def update(self, index, weight, grad, state):
        check_arrays("DCASGD", weight, grad)
        self._update_count(index)
        lr = self._get_lr(index)
        wd = self._get_wd(index)
        grad = clipped(self, grad)
        mom, previous_weight = state
        step = -lr * (grad + wd * weight + self.lamda * grad * grad * (weight - previous_weight))
        # NOTE: MXNet tests ``if mom:``, which raises for multi-element arrays; the
        # intent (momentum state present) is what is tested here.
        if mom is not None:
            mom[:] *= self.momentum
            mom[:] += step
        else:
            mom = step
        previous_weight[:] = weight
        weight[:] += mom


@register
class SGLD(Optimizer):
    """Stochastic Gradient Riemannian Langevin Dynamics: half an SGD step plus Gaussian
    noise of variance ``lr`` (drawn from ``mx.random.normal``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def create_state(self, index, weight):
        return None

    def update(self, index, weight, grad, state):
        check_arrays("SGLD", weight, grad)
        self._update_count(index)
        lr = self._get_lr(index)
        wd = self._get_wd(index)
        grad = clipped(self, grad)
        weight[:] += - lr / 2 * (grad + wd * weight)
        weight[:] += random.normal(0, math.sqrt(lr), shape=weight.shape,
                                   dtype=weight.dtype, ctx=weight.context)
