"""Learning-rate schedules (``mx.lr_scheduler``): the learning rate as a function of
the number of updates done so far.

Layer 9: stdlib only.
"""
import logging
from math import cos, pi

__all__ = ["LRScheduler", "FactorScheduler", "MultiFactorScheduler", "PolyScheduler",
           "CosineScheduler"]


class LRScheduler(object):
    """Base class of a learning rate scheduler.

    A scheduler returns a new learning rate based on the number of updates that have
    been performed.

    Parameters
    ----------
    base_lr : float, optional
        The initial learning rate.
    warmup_steps : int
        Number of warmup steps used before this scheduler starts decay.
    warmup_begin_lr : float
        If using warmup, the learning rate from which it starts warming up.
    warmup_mode : str
        'linear' increases the learning rate in equal steps during warmup;
        'constant' keeps it at ``warmup_begin_lr`` for ``warmup_steps``.

    Examples
    --------
    >>> sched = FactorScheduler(step=10, factor=0.5, base_lr=1.0)
    >>> sched(5), sched(11), sched(21)
    (1.0, 0.5, 0.25)
    """

    def __init__(self, base_lr=0.01, warmup_steps=0, warmup_begin_lr=0, warmup_mode='linear'):
        self.base_lr = base_lr
        if not isinstance(warmup_steps, int):
            raise TypeError(f"warmup_steps must be an int, got {type(warmup_steps).__name__}")
        self.warmup_steps = warmup_steps
        self.warmup_final_lr = base_lr
        self.warmup_begin_lr = warmup_begin_lr
        if self.warmup_begin_lr > self.warmup_final_lr:
            raise ValueError("Base lr has to be higher than warmup_begin_lr")
        if self.warmup_steps < 0:
            raise ValueError("Warmup steps has to be positive or 0")
        if warmup_mode not in ('linear', 'constant'):
            raise ValueError("Supports only linear and constant modes of warmup")
        self.warmup_mode = warmup_mode

    def get_warmup_lr(self, num_update):
        """The learning rate at update ``num_update`` (< ``warmup_steps``) of the warmup."""
        if num_update >= self.warmup_steps:
            raise ValueError(f"get_warmup_lr: num_update={num_update} is past the warmup "
                             f"({self.warmup_steps} steps)")
        if self.warmup_mode == 'linear':
            increase = (self.warmup_final_lr - self.warmup_begin_lr) \
                * float(num_update) / float(self.warmup_steps)
            return self.warmup_begin_lr + increase
        return self.warmup_begin_lr

    def __call__(self, num_update):
        """Return the learning rate after ``num_update`` updates.

        ``num_update`` is the largest number of updates applied to any one weight.
        """
        raise NotImplementedError("must override this")


class FactorScheduler(LRScheduler):
    """Reduce the learning rate by a factor every ``step`` updates.

    It returns ``base_lr * pow(factor, floor(num_update / step))``, never less than
    ``stop_factor_lr``.

    Parameters
    ----------
    step : int
        Changes the learning rate every ``step`` updates.
    factor : float, optional
        The factor to change the learning rate by (at most 1).
    stop_factor_lr : float, optional
        Stop reducing the learning rate once it is below this value.
    """

    def __init__(self, step, factor=1, stop_factor_lr=1e-8, base_lr=0.01,
                 warmup_steps=0, warmup_begin_lr=0, warmup_mode='linear'):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if step < 1:
            raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.count = 0

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        # NOTE: a loop, not an if: training resumed at a later epoch jumps several steps.
        while num_update > self.count + self.step:
            self.count += self.step
            self.base_lr *= self.factor
            if self.base_lr < self.stop_factor_lr:
                self.base_lr = self.stop_factor_lr
                logging.info("Update[%d]: now learning rate arrived at %0.5e, will not "
                             "change in the future", num_update, self.base_lr)
            else:
                logging.info("Update[%d]: Change learning rate to %0.5e",
                             num_update, self.base_lr)
        return self.base_lr


class MultiFactorScheduler(LRScheduler):
    """Reduce the learning rate by ``factor`` at each step of a list.

    With ``step[k] <= num_update < step[k+1]`` the rate is ``base_lr * pow(factor, k+1)``.

    Parameters
    ----------
    step : list of int
        Increasing update counts at which the rate changes.
    factor : float
        The factor to change the learning rate by (at most 1).
    """

    def __init__(self, step, factor=1, base_lr=0.01, warmup_steps=0, warmup_begin_lr=0,
                 warmup_mode='linear'):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(step, list) or len(step) < 1:
            raise ValueError(f"step must be a non-empty list of int, got {step!r}")
        for i, _step in enumerate(step):
            if i != 0 and step[i] <= step[i - 1]:
                raise ValueError("Schedule step must be an increasing integer list")
            if _step < 1:
                raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while self.cur_step_ind < len(self.step) and num_update > self.step[self.cur_step_ind]:
            self.count = self.step[self.cur_step_ind]
            self.cur_step_ind += 1
            self.base_lr *= self.factor
            logging.info("Update[%d]: Change learning rate to %0.5e", num_update, self.base_lr)
        return self.base_lr


class _DecayToFinal(LRScheduler):
    """Shared part of the schedules that decay from ``base_lr`` to ``final_lr`` over
    ``max_update`` updates (after the warmup); subclasses give the decay shape."""

    def __init__(self, max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr,
                 warmup_mode):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(max_update, int):
            raise TypeError(f"max_update must be an int, got {type(max_update).__name__}")
        if max_update < 1:
            raise ValueError("maximum number of updates must be strictly positive")
        self.base_lr_orig = self.base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = self.max_update - self.warmup_steps

    def _decay(self, progress):
        """Fraction of (base_lr - final_lr) left at ``progress`` in [0, 1]."""
        raise NotImplementedError

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            progress = float(num_update - self.warmup_steps) / float(self.max_steps)
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * \
                self._decay(progress)
        return self.base_lr


class PolyScheduler(_DecayToFinal):
    """Reduce the learning rate along a polynomial of power ``pwr``.

    After the warmup: ``final_lr + (base_lr - final_lr) * (1 - nup/max_nup)^pwr`` while
    ``nup <= max_update``, then ``final_lr``.

    Parameters
    ----------
    max_update : int
        Number of updates after which the rate reaches ``final_lr``.
    base_lr : float
        Base learning rate to start from.
    pwr : int
        Power of the decay term.
    final_lr : float
        Final learning rate.
    """

    def __init__(self, max_update, base_lr=0.01, pwr=2, final_lr=0,
                 warmup_steps=0, warmup_begin_lr=0, warmup_mode='linear'):
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr,
                         warmup_mode)
        self.power = pwr

    def _decay(self, progress):
        return pow(1 - progress, self.power)


class CosineScheduler(_DecayToFinal):
    """Reduce the learning rate along a half cosine.

    After the warmup: ``final_lr + (base_lr - final_lr) * (1 + cos(pi * nup/max_nup)) / 2``
    while ``nup <= max_update``, then ``final_lr``.

    Parameters
    ----------
    max_update : int
        Number of updates after which the rate reaches ``final_lr``.
    base_lr : float
        Base learning rate.
    final_lr : float
        Final learning rate.
    """

    def __init__(self, max_update, base_lr=0.01, final_lr=0,
                 warmup_steps=0, warmup_begin_lr=0, warmup_mode='linear'):
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr,
                         warmup_mode)

    def _decay(self, progress):
        return (1 + cos(pi * progress)) / 2
