"""Callbacks for ``fit``: checkpointing, speed and metric logging, a progress bar.

Batch-end callbacks receive a ``BatchEndParam``-like object (``epoch``, ``nbatch``,
``eval_metric``, ``locals``); epoch-end callbacks receive ``(epoch, sym, arg, aux)``.
Messages go through the root ``logging`` logger, with MXNet's formats.
"""
import importlib
import logging
import math
import time

__all__ = ["module_checkpoint", "do_checkpoint", "log_train_metric", "Speedometer",
           "ProgressBar", "LogValidationMetricsCallback"]


def module_checkpoint(mod, prefix, period=1, save_optimizer_states=False):
    """Callback that checkpoints Module ``mod`` to ``prefix`` every ``period`` epochs.

    Examples
    --------
    >>> cb = mx.callback.module_checkpoint(mod, 'mymodel', period=2)  # doctest: +SKIP
    """
    period = int(max(1, period))

    def _callback(iter_no, sym=None, arg=None, aux=None):
        if (iter_no + 1) % period == 0:
            mod.save_checkpoint(prefix, iter_no + 1, save_optimizer_states)
    return _callback


def _save_checkpoint(prefix, epoch, sym, arg, aux):
    # NOTE: save_checkpoint lives in mixnet.model (layer 11), above this module (layer 9),
    # so it cannot be imported here at load time. The callback only runs inside fit(), long
    # after the package (which imports model) is loaded, so it is looked up on the package's
    # model module at call time; tests may also replace mixnet.model.save_checkpoint.
    model = importlib.import_module(f"{__package__}.model")
    model.save_checkpoint(prefix, epoch, sym, arg, aux)


def do_checkpoint(prefix, period=1):
    """Callback that saves ``prefix-symbol.json`` and ``prefix-%04d.params`` every ``period``
    epochs (pass it as ``epoch_end_callback``).

    Examples
    --------
    >>> cb = mx.callback.do_checkpoint('mymodel', 1)
    >>> callable(cb)
    True
    """
    period = int(max(1, period))

    def _callback(iter_no, sym, arg, aux):
        if (iter_no + 1) % period == 0:
            _save_checkpoint(prefix, iter_no + 1, sym, arg, aux)
    return _callback


def log_train_metric(period, auto_reset=False):
    """Callback that logs the training metric every ``period`` batches.

    Logs ``Iter[epoch] Batch[nbatch] Train-name=value`` for each metric value, and
    resets the local metric afterwards when ``auto_reset``.
    """
    def _callback(param):
        if param.nbatch % period == 0 and param.eval_metric is not None:
            for name, value in param.eval_metric.get_name_value():
                logging.info("Iter[%d] Batch[%d] Train-%s=%f",
                             param.epoch, param.nbatch, name, value)
            if auto_reset:
                param.eval_metric.reset_local()
    return _callback


class Speedometer:
    """Logs training speed and evaluation metrics every ``frequent`` batches.

    Parameters
    ----------
    batch_size : int
        Batch size of data.
    frequent : int
        Log every this many batches (default 50).
    auto_reset : bool
        Reset the local metric after each log (the message then covers batches
        ``[count-frequent, count]``; otherwise ``[0, count]``).

    Examples
    --------
    >>> cb = mx.callback.Speedometer(batch_size=1, frequent=10)
    """

    def __init__(self, batch_size, frequent=50, auto_reset=True):
        self.batch_size = batch_size
        self.frequent = frequent
        self.init = False
        self.tic = 0
        self.last_count = 0
        self.auto_reset = auto_reset

    def __call__(self, param):
        count = param.nbatch
        if self.last_count > count:     # a new epoch started
            self.init = False
        self.last_count = count
        if not self.init:
            self.init = True
            self.tic = time.time()
            return
        if count % self.frequent != 0:
            return
        try:
            speed = self.frequent * self.batch_size / (time.time() - self.tic)
        except ZeroDivisionError:
            speed = float("inf")
        self._log(param, count, speed)
        self.tic = time.time()

    def _log(self, param, count, speed):
        if param.eval_metric is None:
            logging.info("Iter[%d] Batch [%d]\tSpeed: %.2f samples/sec",
                         param.epoch, count, speed)
            return
        name_value = param.eval_metric.get_name_value()
        values = sum(name_value, ())
        if self.auto_reset:
            param.eval_metric.reset_local()
            msg = "Epoch[%d] Batch [%d-%d]\tSpeed: %.2f samples/sec" + "\t%s=%f" * len(name_value)
            logging.info(msg, param.epoch, count - self.frequent, count, speed, *values)
        else:
            msg = "Epoch[%d] Batch [0-%d]\tSpeed: %.2f samples/sec" + "\t%s=%f" * len(name_value)
            logging.info(msg, param.epoch, count, speed, *values)


class ProgressBar:
    """Logs a progress bar of the batches processed in the epoch.

    Examples
    --------
    >>> bar = mx.callback.ProgressBar(total=2, length=16)
    """

    def __init__(self, total, length=80):
        self.bar_len = length
        self.total = total

    def __call__(self, param):
        count = param.nbatch
        filled_len = int(round(self.bar_len * count / float(self.total)))
        percents = math.ceil(100.0 * count / float(self.total))
        prog_bar = "=" * filled_len + "-" * (self.bar_len - filled_len)
        logging.info("[%s] %s%s\r", prog_bar, percents, "%")


class LogValidationMetricsCallback:
    """Logs ``Epoch[epoch] Validation-name=value`` for each metric at the end of an epoch."""

    def __call__(self, param):
        if not param.eval_metric:
            return
        for name, value in param.eval_metric.get_name_value():
            logging.info("Epoch[%d] Validation-%s=%f", param.epoch, name, value)
