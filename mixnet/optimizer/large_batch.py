"""Layer-wise learning-rate scaling for large batches: LARS and LBSGD.

Layer 9.
"""
import logging
import math

import numpy

from .. import ndarray as nd
from .optimizer import Optimizer, register, aggregation_size, as_lists, check_arrays
from .sgd import MasterCopyLast, momentum_kwargs, sgd_step

__all__ = ["LARS", "LBSGD"]

_NO_LARS_SUFFIXES = ('gamma', 'beta', 'bias')


@register
class LARS(MasterCopyLast, Optimizer):
    """The LARS optimizer ('Large Batch Training of Convolution Networks',
    https://arxiv.org/abs/1708.03888): momentum SGD whose learning rate is scaled per
    layer (except biases and batch-norm parameters)::

        if w_norm > 0 and g_norm > 0:
            lr_layer = lr * lr_mult * eta * w_norm / (g_norm + weight_decay * w_norm + eps)
        else:
            lr_layer = lr * lr_mult

    Parameters
    ----------
    momentum : float, optional
        The momentum value.
    lazy_update : bool, optional
        Apply lazy updates for row_sparse weights and gradients.
    eta : float, optional
        LARS coefficient (default 0.001).
    eps : float, optional
        Added to the denominator for very small gradients (default 0).
    momentum_correction : bool, optional
        Scale the momentum by the change of the global learning rate (Goyal et al.).
    """

    def __init__(self, momentum=0.0, lazy_update=True, eta=0.001, eps=0,
                 momentum_correction=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.momentum_correction = momentum_correction
        self.lazy_update = lazy_update
        self.aggregate_num = aggregation_size(4)
        self.eta = eta
        self.eps = eps
        self.skip = 0
        self.last_lr = None
        self.cur_lr = None

    def _get_lrs(self, indices):
        # remembers the previous global learning rate for the momentum correction
        if self.cur_lr is not None:
            self.last_lr = self.cur_lr
        lr = self._base_lr()
        if self.cur_lr is None:
            self.last_lr = lr
        self.cur_lr = lr
        return self._scaled(lr, indices, 'lr_mult', self.lr_mult)

    def set_wd_mult(self, args_wd_mult):
        # only '_weight' names keep weight decay (not '_gamma', unlike the base class)
        self.wd_mult = {n: 0.0 for n in self.idx2name.values() if not n.endswith('_weight')}
        self.wd_mult.update(self._symbol_mults('__wd_mult__'))
        self.wd_mult.update(args_wd_mult)

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        stype = weight.stype if self.lazy_update else 'default'
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=stype)

    def _l2norm(self, v, rescale=False):
        """L2 norm of ``v`` computed in float32, as a Python float."""
        v = v.astype('float32')
        if rescale:
            v *= self.rescale_grad
        return nd.norm(v).asnumpy()[0]

    def _get_lars(self, i, weight, g, lr, wd):
        """The layer-wise learning rate of weight ``i``."""
        name = self.idx2name[i] if i in self.idx2name else str(i)
        if name.endswith(_NO_LARS_SUFFIXES):
            return lr
        w_norm = self._l2norm(weight)
        g_norm = self._l2norm(g, rescale=True)
        if w_norm > 0.0 and g_norm > 0.0:
            return lr * self.eta * w_norm / (g_norm + wd * w_norm + self.eps)
        return lr

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        # NOTE: MXNet's aggregated path (multi_sum_sq + multi_lars + preloaded_multi_sgd)
        # computes the same layer-wise rates as this per-weight loop.
        indices, weights, grads, states = as_lists(indices, weights, grads, states)
        for weight, grad in zip(weights, grads):
            check_arrays("LARS", weight, grad)
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        momentum = self.momentum
        if self.momentum > 0 and self.momentum_correction and self.last_lr != 0:
            momentum = self.momentum * (self.cur_lr / self.last_lr)
        kwargs = momentum_kwargs(self, momentum)
        lrs = [self._get_lars(i, w, g, lr, wd)
               for i, w, g, lr, wd in zip(indices, weights, grads, lrs, wds)]
        for weight, grad, state, lr, wd in zip(weights, grads, states, lrs, wds):
            sgd_step(weight, grad, state, lr, wd, multi_precision, self.lazy_update, kwargs)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        first = weight if not isinstance(index, (tuple, list)) else weight[0]
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and first.dtype == numpy.float16)


_WARMUP = {
    'linear': lambda frac: frac,
    'power2': lambda frac: frac * frac,
    'sqrt': math.sqrt,
}


@register
class LBSGD(Optimizer):
    """The Large Batch SGD optimizer: momentum SGD whose updates are applied once per
    ``batch_scale`` accumulated gradients, with a warmup of the learning rate
    ('linear', 'power2', 'sqrt') or LARS layer-wise scaling ('lars').

    Parameters
    ----------
    momentum : float, optional
        The momentum value.
    multi_precision : bool, optional
        Update a float32 master copy of float16 weights.
    warmup_strategy : str
        'linear', 'power2', 'sqrt' or 'lars'.
    warmup_epochs : int
        Warmup length in epochs.
    batch_scale : int
        Number of gradients accumulated per update.
    updates_per_epoch : int
        Updates per epoch, used for the warmup.
    begin_epoch : int
        Starting epoch.
    num_epochs : int
        Total epochs.
    """

    def __init__(self, momentum=0.0, multi_precision=False, warmup_strategy='linear',
                 warmup_epochs=5, batch_scale=1, updates_per_epoch=32, begin_epoch=0,
                 num_epochs=60, **kwargs):
        super().__init__(**kwargs)
        logging.info('Running Large-Batch SGD Algorithm')
        logging.info('(Batch_scale=%f, warmup_epochs=%d, warmup_strategy=%s, '
                     'updates_per_epoch=%d)', batch_scale, warmup_epochs, warmup_strategy,
                     updates_per_epoch)
        self.momentum = momentum
        self.multi_precision = multi_precision
        self.warmup_strategy = warmup_strategy
        self.warmup_epochs = warmup_epochs
        self.batch_scale = batch_scale
        self.updates_per_epoch = updates_per_epoch
        self.init_updates = begin_epoch * updates_per_epoch
        self.num_epochs = num_epochs
        self.lbmult = 1
        self.cumgrads = {}
        self.adaptive = False
        self.admult = 1

    def create_state(self, index, weight):
        if self.multi_precision and weight.dtype == numpy.float16:
            weight32 = weight.astype(numpy.float32)
            mom = None if self.momentum == 0.0 else \
                nd.zeros(weight.shape, weight.context, dtype=numpy.float32)
            return (mom, weight32)
        if self.momentum == 0.0:
            return None
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)

    def _get_lbmult(self, nup):
        """Learning rate multiplier of the warmup after ``nup`` updates."""
        nwup = self.warmup_epochs * self.updates_per_epoch
        maxmult = float(self.batch_scale)
        if nup >= nwup:
            return maxmult
        if nwup <= 1 or self.warmup_strategy not in _WARMUP:
            return 1.0
        return 1.0 + (maxmult - 1) * _WARMUP[self.warmup_strategy](float(nup) / nwup)

    def _get_lars(self, weight, g, wd):
        """LARS multiplier, clipped to [0.01, 100]."""
        weight2 = (weight * weight).asnumpy().sum()
        grad2 = (g * g).asnumpy().sum()
        lars = math.sqrt(weight2 / (grad2 + wd * weight2 + 1e-18))
        return min(max(lars, 0.01), 100)

    def _cumulate_gradient(self, grad, index):
        """Add ``grad`` to the accumulated gradient of ``index``."""
        cgrad = self.cumgrads.get(index)
        if cgrad and cgrad['num_cums'] > 0:
            cgrad = {'cum_grad': cgrad['cum_grad'] + grad, 'num_cums': cgrad['num_cums'] + 1}
        else:
            cgrad = {'cum_grad': grad, 'num_cums': self.init_updates + 1}
        self.cumgrads[index] = cgrad
        return cgrad

    def update(self, index, weight, grad, state):
        check_arrays("LBSGD", weight, grad)
        lr = self._get_lr(index)
        wd = self._get_wd(index)
        self._update_count(index)
        cgrad = self._cumulate_gradient(grad, index)
        if cgrad['num_cums'] % self.batch_scale != 0:
            # not a macro-batch boundary: only weight decay (lr 0 leaves the weight as is)
            nd.sgd_update(weight, grad, out=weight, lr=0.0, wd=wd)
            return
        grad = cgrad['cum_grad'] / self.batch_scale
        if self.warmup_strategy == 'lars':
            lbmult = self._get_lars(weight, grad, wd)
        else:
            lbmult = self._get_lbmult(cgrad['num_cums'])
        kwargs = momentum_kwargs(self, self.momentum)
        sgd_step(weight, grad, state, lr * lbmult, wd, isinstance(state, (list, tuple)),
                 True, kwargs)
        self.cumgrads[index]['cum_grad'] = 0
