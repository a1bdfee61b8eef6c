"""The ``Optimizer`` base class and its registry (``register``, ``create``).

An optimizer keeps the hyper-parameters, the per-weight update counts and the
learning-rate / weight-decay multipliers; subclasses create per-weight state and apply
one update, through the fused update ops (``nd.sgd_update``, ``nd.adam_update``, ...)
where MXNet has them.

Layer 9: imports ndarray (layer 6) and below.
"""
import warnings

import numpy

from .. import config
from .. import ndarray as nd
from ..ndarray import NDArray
from ..util import is_np_array

__all__ = ["Optimizer", "Test", "register", "create"]

_AGGREGATION_ENV = "MXNET_OPTIMIZER_AGGREGATION_SIZE"


def aggregation_size(default):
    """How many weights one aggregated update takes (MXNET_OPTIMIZER_AGGREGATION_SIZE)."""
    # NOTE: the variable is read through config when it is declared there.
    value = config.get(_AGGREGATION_ENV) if _AGGREGATION_ENV in config.VARIABLES else None
    return default if value is None else int(value)


def warn_float16(name):
    """The warning MXNet gives for float16 weights updated without multi_precision."""
    warnings.warn("Accumulating with float16 in optimizer can lead to "
                  "poor accuracy or slow convergence. "
                  "Consider using multi_precision=True option of the "
                  f"{name}optimizer")


def check_arrays(name, weight, grad):
    """Raise unless ``weight`` and ``grad`` are NDArrays."""
    for arg, value in (("weight", weight), ("grad", grad)):
        if not isinstance(value, NDArray):
            raise TypeError(f"{name}.update: {arg} must be an NDArray, got "
                            f"{type(value).__name__}")


def as_lists(indices, weights, grads, states):
    """One weight's arguments as one-element lists; lists (aggregated updates) as is."""
    if not isinstance(indices, (tuple, list)):
        return [indices], [weights], [grads], [states]
    return indices, weights, grads, states


def clipped(opt, grad):
    """``rescale_grad * grad`` clipped to ``clip_gradient`` (plain nd ops)."""
    grad = grad * opt.rescale_grad
    if opt.clip_gradient is not None:
        grad = nd.clip(grad, -opt.clip_gradient, opt.clip_gradient)
    return grad


class Optimizer(object):
    """The base class inherited by all optimizers.

    Parameters
    ----------
    rescale_grad : float, optional, default 1.0
        Multiply the gradient with ``rescale_grad`` before updating (often
        ``1.0 / batch_size``).
    param_idx2name : dict of int to str, optional
        Maps a weight index to its name (names not ending in ``_weight`` or ``_gamma``
        get weight decay multiplier 0).
    clip_gradient : float, optional
        Clip the gradient into ``[-clip_gradient, clip_gradient]``.
    learning_rate : float, optional
        The initial learning rate: 0.01 when neither it nor ``lr_scheduler`` is given;
        overrides the scheduler's ``base_lr`` when both are.
    lr_scheduler : LRScheduler, optional
        The learning rate scheduler.
    wd : float, optional, default 0.0
        The weight decay (L2 regularization) coefficient.
    sym : Symbol, optional
        The Symbol this optimizer applies to; its ``__lr_mult__`` / ``__wd_mult__``
        attributes set the multipliers.
    begin_num_update : int, optional, default 0
        The initial number of updates.
    multi_precision : bool, optional, default False
        Keep a float32 master copy of float16 weights and update that.
    param_dict : dict of int to gluon.Parameter, optional
        Parameters whose ``lr_mult`` / ``wd_mult`` apply (not pickled).

    Examples
    --------
    >>> opt = mx.optimizer.create('sgd', learning_rate=0.1)
    >>> w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    >>> opt.update(0, w, g, opt.create_state(0, w))
    >>> w.asnumpy()
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, rescale_grad=1., param_idx2name=None, wd=0.,
                 clip_gradient=None, learning_rate=None,
                 lr_scheduler=None, sym=None, begin_num_update=0,
                 multi_precision=False, param_dict=None):
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if self.lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if self.lr_scheduler is not None and learning_rate is not None:
            if self.lr_scheduler.base_lr != learning_rate:
                # MXNet prints (does not raise) this warning object
                print(UserWarning("learning rate from ``lr_scheduler`` has been "
                                  "overwritten by ``learning_rate`` in optimizer."))
                self.lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult = {}
        self.wd_mult = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise TypeError('param_idx2name should be a dict of param indexes to names.')
        self.idx2name = param_idx2name.copy()
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.allow_np_array = is_np_array()
        self.set_lr_mult({})
        self.set_wd_mult({})

    opt_registry = {}

    @staticmethod
    def register(klass):
        """Register an optimizer class under its lower-cased class name.

        Examples
        --------
        >>> @mx.optimizer.Optimizer.register
        ... class MyOptimizer(mx.optimizer.Optimizer):
        ...     pass
        >>> type(mx.optimizer.Optimizer.create_optimizer('MyOptimizer')).__name__
        'MyOptimizer'
        """
        if not isinstance(klass, type):
            raise TypeError(f"register expects a class, got {klass!r}")
        name = klass.__name__.lower()
        if name in Optimizer.opt_registry:
            old = Optimizer.opt_registry[name]
            warnings.warn('WARNING: New optimizer %s.%s is overriding existing optimizer '
                          '%s.%s' % (klass.__module__, klass.__name__,
                                     old.__module__, old.__name__))
        Optimizer.opt_registry[name] = klass
        return klass

    @staticmethod
    def create_optimizer(name, **kwargs):
        """Instantiate the optimizer registered as ``name`` (case insensitive) with
        ``kwargs`` (``mx.optimizer.create`` is the same function)."""
        klass = Optimizer.opt_registry.get(name.lower())
        if klass is None:
            raise ValueError('Cannot find optimizer %s' % name)
        return klass(**kwargs)

    @property
    def learning_rate(self):
        """The current learning rate (from the scheduler when there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    # --- state and update (subclasses) -----------------------------------------------
    def create_state(self, index, weight):
        """Create the auxiliary state (e.g. momentum) of one weight; None if none."""

    def create_state_multi_precision(self, index, weight):
        """Like ``create_state``, prefixed with a float32 master copy of a float16 weight
        when ``multi_precision``: ``(weight32, state)``."""
        if self.multi_precision and weight.dtype == numpy.float16:
            weight_master_copy = weight.astype(numpy.float32)
            return (weight_master_copy,) + (self.create_state(index, weight_master_copy),)
        if weight.dtype == numpy.float16 and not self.multi_precision:
            warn_float16("")
        return self.create_state(index, weight)

    def update(self, index, weight, grad, state):
        """Update ``weight`` in place from ``grad`` and ``state`` (both updated too)."""
        raise NotImplementedError()

    def update_multi_precision(self, index, weight, grad, state):
        """``update``, through the float32 master copy for float16 weights when
        ``multi_precision``."""
        if self.multi_precision and weight.dtype == numpy.float16:
            weight_master_copy, original_state = state[0], state[1]
            grad32 = grad.astype(numpy.float32)
            self.update(index, weight_master_copy, grad32, original_state)
            nd.cast(weight_master_copy, dtype=weight.dtype, out=weight)
        else:
            self.update(index, weight, grad, state)

    # --- learning rate and weight decay -----------------------------------------------
    def set_learning_rate(self, lr):
        """Set the learning rate (only when there is no lr_scheduler)."""
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been "
                              "defined. Note that set_learning_rate can mutate "
                              "the value of the learning rate of the optimizer "
                              "only when the LRScheduler of the optimizer is "
                              "undefined.")
        self.lr = lr

    def set_lr_scale(self, args_lrscale):
        """[DEPRECATED] Sets lr scale. Use set_lr_mult instead."""
        raise DeprecationWarning

    def _symbol_mults(self, attr_key):
        """{argument name: float} of the symbol's ``attr_key`` attributes."""
        mults = {}
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and attr_key in attr[name]:
                    mults[name] = float(attr[name][attr_key])
        return mults

    def set_lr_mult(self, args_lr_mult):
        """Set per-parameter learning rate multipliers, keyed by name (preferred; names
        come from ``sym``) or index; the symbol's ``__lr_mult__`` attributes come first."""
        self.lr_mult = self._symbol_mults('__lr_mult__')
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult):
        """Set per-parameter weight decay multipliers, keyed by name or index. Names in
        ``param_idx2name`` not ending in ``_weight`` or ``_gamma`` default to 0."""
        self.wd_mult = {n: 0.0 for n in self.idx2name.values()
                        if not (n.endswith('_weight') or n.endswith('_gamma'))}
        self.wd_mult.update(self._symbol_mults('__wd_mult__'))
        self.wd_mult.update(args_wd_mult)

    def _set_current_context(self, device_id):
        """Switch the update counts to those of device ``device_id``."""
        if device_id not in self._all_index_update_counts:
            self._all_index_update_counts[device_id] = {}
        self._index_update_count = self._all_index_update_counts[device_id]

    def _update_count(self, index):
        """Count one more update of ``index`` (an int or a list of them)."""
        if not isinstance(index, (list, tuple)):
            index = [index]
        for idx in index:
            if idx not in self._index_update_count:
                self._index_update_count[idx] = self.begin_num_update
            self._index_update_count[idx] += 1
            self.num_update = max(self._index_update_count[idx], self.num_update)

    def _base_lr(self):
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def _scaled(self, base, indices, attr, mults):
        """``base`` times each index's multiplier: gluon Parameter attribute ``attr``
        first, then ``mults`` by index, then by name."""
        values = [base for _ in indices]
        for i, index in enumerate(indices):
            if index in self.param_dict:
                values[i] *= getattr(self.param_dict[index], attr)
            elif index in mults:
                values[i] *= mults[index]
            elif index in self.idx2name:
                values[i] *= mults.get(self.idx2name[index], 1.0)
        return values

    def _get_lrs(self, indices):
        """Learning rates of the weights ``indices``."""
        return self._scaled(self._base_lr(), indices, 'lr_mult', self.lr_mult)

    def _get_lr(self, index):
        """Learning rate of weight ``index``."""
        return self._get_lrs([index])[0]

    def _get_wds(self, indices):
        """Weight decays of the weights ``indices``."""
        return self._scaled(self.wd, indices, 'wd_mult', self.wd_mult)

    def _get_wd(self, index):
        """Weight decay of weight ``index``."""
        return self._get_wds([index])[0]

    # --- pickling: the gluon parameters stay with the Trainer --------------------------
    def __getstate__(self):
        ret = self.__dict__.copy()
        del ret['param_dict']
        return ret

    def __setstate__(self, state):
        self.__dict__ = state
        self.param_dict = {}


register = Optimizer.register
create = Optimizer.create_optimizer


@register
class Test(Optimizer):
    """The Test optimizer: ``weight += rescale_grad * grad``; the state mirrors the
    weight."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def create_state(self, index, weight):
        """Creates a state to duplicate weight."""
        return nd.zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state):
        """Performs w += rescale_grad * grad."""
        weight[:] += grad * self.rescale_grad
        state[:] = weight
