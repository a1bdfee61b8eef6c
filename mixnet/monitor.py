"""``Monitor``: statistics of an executor's outputs, weights and gradients every
``interval`` batches, for debugging (MXNet's ``mx.mon.Monitor``).

Layer 11: imports ndarray; uses ``Executor.set_monitor_callback``.
"""
import logging
import re
from math import sqrt

from . import ndarray
from .ndarray import NDArray

__all__ = ["Monitor"]

_LOG = logging.getLogger(__name__)


def _norm_stat(x):
    """|x| / sqrt(size(x)): the default statistic (computed asynchronously)."""
    return ndarray.norm(x) / sqrt(x.size)


class Monitor:
    """Monitor inputs, outputs, weights, and gradients for debugging.

    Parameters
    ----------
    interval : int
        Number of batches between printing.
    stat_func : function
        Computes a statistic of a tensor: takes an NDArray and returns an NDArray (or a
        list of them). Defaults to norm(x) / sqrt(size(x)).
    pattern : str
        A regular expression; only tensors whose names match it are monitored, e.g.
        '.*weight|.*output' for all weights and outputs, '.*backward.*' for gradients.
    sort : bool, default False
        Sort the results of ``toc`` by name.
    monitor_all : bool, default False
        If true, monitor both input and output, otherwise monitor output only.

    Examples
    --------
    >>> mon = Monitor(interval=1, pattern='.*output')   # doctest: +SKIP
    >>> mod.install_monitor(mon); mon.tic(); mod.forward(batch); mon.toc_print()  # doctest: +SKIP
    """

    def __init__(self, interval, stat_func=None, pattern='.*', sort=False, monitor_all=False):
        self.stat_func = _norm_stat if stat_func is None else stat_func
        self.interval = interval
        self.activated = False
        self.queue = []
        self.step = 0
        self.exes = []
        self.re_prog = re.compile(pattern)
        self.sort = sort
        self.monitor_all = monitor_all

    def stat_helper(self, name, array):
        """The executor callback: record ``stat_func(array)`` while activated."""
        if not self.activated or not self.re_prog.match(name):
            return
        self.queue.append((self.step, name, self.stat_func(array)))

    def install(self, exe):
        """Install the callback on executor ``exe`` (several executors may be installed)."""
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def _wait(self):
        for exe in self.exes:
            for array in exe.arg_arrays + exe.aux_arrays:
                array.wait_to_read()
        # NOTE: the callbacks run inside the executor's engine operations, which MXNet's
        # waits above cover but ours need not (outputs are written by the same operation
        # that reports them): wait for all of them before reading the queue.
        ndarray.waitall()

    def tic(self):
        """Start collecting stats for the current batch; call before forward."""
        if self.step % self.interval == 0:
            self._wait()
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self):
        """End collecting for the current batch and return the results, a list of
        (step, name, statistic as text)."""
        if not self.activated:
            return []
        self._wait()
        for exe in self.exes:
            named = list(zip(exe._symbol.list_arguments(), exe.arg_arrays)) + \
                list(zip(exe._symbol.list_auxiliary_states(), exe.aux_arrays))
            for name, array in named:
                if self.re_prog.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
        self.activated = False
        if self.sort:
            self.queue.sort(key=lambda x: x[1])
        res = [(n, k, _format(v)) for n, k, v in self.queue]
        self.queue = []
        return res

    def toc_print(self):
        """End collecting and log the results."""
        for n, k, v in self.toc():
            _LOG.info(f'Batch: {n:7d} {k:30s} {v:s}')


def _format(values):
    if isinstance(values, NDArray):
        values = [values]
    if not isinstance(values, list):
        raise TypeError(f"Monitor: stat_func must return an NDArray or a list of them, got "
                        f"{type(values).__name__}")
    text = ''
    for v in values:
        if not isinstance(v, NDArray):
            raise TypeError(f"Monitor: stat_func returned a {type(v).__name__}, expected "
                            f"NDArray")
        text += (str(v.asscalar()) if v.shape == (1,) else str(v.asnumpy())) + '\t'
    return text
