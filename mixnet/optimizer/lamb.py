"""LAMB: layer-wise adaptive moments for large-batch training.

Layer 9.
"""
import numpy

from .optimizer import Optimizer, register, aggregation_size, as_lists, check_arrays
from .. import ndarray as nd

__all__ = ["LAMB"]


@register
class LAMB(Optimizer):
    """LAMB optimizer (You et al., https://arxiv.org/abs/1904.00962), through
    ``lamb_update_phase1`` (Adam direction ``g`` plus weight decay) and
    ``lamb_update_phase2`` (step ``lr * r1 / r2 * g`` with ``r1 = ||w||`` clipped to
    ``[lower_bound, upper_bound]`` and ``r2 = ||g||``).

    Parameters
    ----------
    beta1, beta2 : float, optional
        Exponential decay rates of the first and second moment estimates.
    epsilon : float, optional
        Small value to avoid division by 0.
    lower_bound, upper_bound : float, optional
        Bounds of the weight norm ``r1``.
    bias_correction : bool, optional
        Correct the moment estimates' bias.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-6,
                 lower_bound=None, upper_bound=None, bias_correction=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction
        self.aggregate_num = max(1, min(45, aggregation_size(45)))

    def create_state(self, index, weight):
        return (nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=weight.stype),
                nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=weight.stype))

    def _phase1_kwargs(self, t):
        kwargs = {'beta1': self.beta1, 'beta2': self.beta2, 'epsilon': self.epsilon,
                  'bias_correction': self.bias_correction, 'rescale_grad': self.rescale_grad,
                  't': t}
        if self.clip_gradient:
            kwargs['clip_gradient'] = self.clip_gradient
        return kwargs

    def _phase2_kwargs(self):
        kwargs = {}
        if self.lower_bound:
            kwargs['lower_bound'] = self.lower_bound
        if self.upper_bound:
            kwargs['upper_bound'] = self.upper_bound
        return kwargs

    def _step(self, weight, grad, state, t, lr, wd, multi_precision):
        """One LAMB step of one weight; ``state`` is ``(mean, var)``, or
        ``(weight32, (mean, var))`` when ``multi_precision``."""
        if multi_precision:
            weight32, (mean, var) = state
            g = nd.mp_lamb_update_phase1(weight, grad, mean, var, weight32, wd=wd,
                                         **self._phase1_kwargs(t))
            r_1, r_2 = weight32.norm(), g.norm()
            # NOTE: MXNet 1.9.1 calls mp_lamb_update_phase2, which never writes weight32
            # back, so every step restarts from the initial master copy. The same step is
            # applied to the master copy here and the float16 weight is cast from it: the
            # first step is identical, later ones accumulate as intended.
            nd.lamb_update_phase2(weight32, g, r_1, r_2, lr=lr, out=weight32,
                                  **self._phase2_kwargs())
            nd.cast(weight32, dtype=weight.dtype, out=weight)
        else:
            mean, var = state
            g = nd.lamb_update_phase1(weight, grad, mean, var, wd=wd, **self._phase1_kwargs(t))
            r_1, r_2 = weight.norm(), g.norm()
            nd.lamb_update_phase2(weight, g, r_1, r_2, lr=lr, out=weight,
                                  **self._phase2_kwargs())

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        # NOTE: MXNet sends aggregated updates to multi_lamb_update, whose per-tensor
        # math is phase1 + phase2; each weight is counted (then gets its lr) in turn.
        indices, weights, grads, states = as_lists(indices, weights, grads, states)
        steps = []
        for index, weight, grad in zip(indices, weights, grads):
            check_arrays("LAMB", weight, grad)
            self._update_count(index)
            steps.append((self._index_update_count[index], self._get_lr(index),
                          self._get_wd(index)))
        for weight, grad, state, (t, lr, wd) in zip(weights, grads, states, steps):
            self._step(weight, grad, state, t, lr, wd, multi_precision)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        first = weight if not isinstance(index, (tuple, list)) else weight[0]
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and first.dtype == numpy.float16)
