"""mixnet.callback: the log lines of Speedometer & co (MXNet 1.9.1's formats) and the
checkpoint callbacks' schedule."""
import logging
import sys
import types
from collections import namedtuple

import pytest

import mixnet as mx
from mixnet import callback, metric

BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


class FakeClock:
    """Stands in for the ``time`` module: each call advances by ``step`` seconds."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def time(self):
        self.now += self.step
        return self.now


def _acc(value_pairs=((1, [0.2, 0.8]), (0, [0.9, 0.1]))):
    m = metric.Accuracy()
    labels = [p[0] for p in value_pairs]
    preds = [p[1] for p in value_pairs]
    m.update([mx.nd.array(labels)], [mx.nd.array(preds)])
    return m


def _messages(caplog):
    return [r.getMessage() for r in caplog.records]


def test_speedometer_auto_reset(monkeypatch, caplog):
    monkeypatch.setattr(callback, "time", FakeClock(step=0.5))
    speedometer = callback.Speedometer(batch_size=4, frequent=2)
    acc = _acc()
    with caplog.at_level(logging.INFO):
        for nbatch in range(5):
            speedometer(BatchEndParam(epoch=3, nbatch=nbatch, eval_metric=acc, locals=None))
    # first call only starts the clock; logs at nbatch 2 and 4: 2 batches * 4 / 0.5 s
    assert _messages(caplog) == [
        "Epoch[3] Batch [0-2]\tSpeed: 16.00 samples/sec\taccuracy=1.000000",
        "Epoch[3] Batch [2-4]\tSpeed: 16.00 samples/sec\taccuracy=nan"]
    assert acc.num_inst == 0 and acc.global_num_inst == 2   # reset_local only


def test_speedometer_without_reset_and_without_metric(monkeypatch, caplog):
    monkeypatch.setattr(callback, "time", FakeClock(step=1.0))
    keep = callback.Speedometer(batch_size=1, frequent=1, auto_reset=False)
    bare = callback.Speedometer(batch_size=2, frequent=1)
    acc = _acc()
    with caplog.at_level(logging.INFO):
        for nbatch in range(2):
            keep(BatchEndParam(0, nbatch, acc, None))
            bare(BatchEndParam(0, nbatch, None, None))
    messages = _messages(caplog)
    assert messages[0].startswith("Epoch[0] Batch [0-1]\tSpeed: ")
    assert messages[0].endswith(" samples/sec\taccuracy=1.000000")
    assert messages[1].startswith("Iter[0] Batch [1]\tSpeed: ")
    assert acc.num_inst == 2


def test_speedometer_restarts_each_epoch(monkeypatch, caplog):
    monkeypatch.setattr(callback, "time", FakeClock(step=1.0))
    speedometer = callback.Speedometer(batch_size=1, frequent=1)
    with caplog.at_level(logging.INFO):
        for epoch in range(2):
            for nbatch in range(2):
                speedometer(BatchEndParam(epoch, nbatch, None, None))
    # the batch counter going back to 0 restarts the clock: one line per epoch
    assert [m.split("\t")[0] for m in _messages(caplog)] == ["Iter[0] Batch [1]",
                                                             "Iter[1] Batch [1]"]


def test_log_train_metric(caplog):
    acc = _acc()
    log = callback.log_train_metric(period=2, auto_reset=True)
    with caplog.at_level(logging.INFO):
        log(BatchEndParam(1, 1, acc, None))   # not a multiple of the period
        assert acc.num_inst == 2
        log(BatchEndParam(1, 2, acc, None))
    assert _messages(caplog) == ["Iter[1] Batch[2] Train-accuracy=1.000000"]
    assert acc.num_inst == 0


def test_progress_bar(caplog):
    bar = callback.ProgressBar(total=4, length=8)
    with caplog.at_level(logging.INFO):
        bar(BatchEndParam(0, 1, None, None))
        bar(BatchEndParam(0, 4, None, None))
    assert _messages(caplog) == ["[==------] 25%\r", "[========] 100%\r"]


def test_log_validation_metrics(caplog):
    comp = metric.create(["acc", "ce"])
    comp.update([mx.nd.array([1, 0])], [mx.nd.array([[0.5, 0.5], [1.0, 0.0]])])
    with caplog.at_level(logging.INFO):
        callback.LogValidationMetricsCallback()(BatchEndParam(2, 0, comp, None))
        callback.LogValidationMetricsCallback()(BatchEndParam(2, 0, None, None))
    messages = _messages(caplog)
    assert messages[0] == "Epoch[2] Validation-accuracy=0.500000"
    assert messages[1].startswith("Epoch[2] Validation-cross-entropy=0.34657")
    assert len(messages) == 2


def test_do_checkpoint_calls_model_save_checkpoint(monkeypatch):
    calls = []
    fake_model = types.ModuleType("mixnet.model")
    fake_model.save_checkpoint = lambda *args: calls.append(args)
    monkeypatch.setitem(sys.modules, "mixnet.model", fake_model)
    cb = callback.do_checkpoint("prefix", period=2)
    for epoch in range(4):
        cb(epoch, "sym", {"w": 1}, {"a": 2})
    assert calls == [("prefix", 2, "sym", {"w": 1}, {"a": 2}),
                     ("prefix", 4, "sym", {"w": 1}, {"a": 2})]
    every = callback.do_checkpoint("p", period=0)   # period below 1 means every epoch
    every(0, None, None, None)
    assert calls[-1][:2] == ("p", 1)


def test_module_checkpoint():
    class FakeModule:
        def __init__(self):
            self.saved = []

        def save_checkpoint(self, prefix, epoch, save_optimizer_states):
            self.saved.append((prefix, epoch, save_optimizer_states))

    mod = FakeModule()
    cb = callback.module_checkpoint(mod, "m", period=3, save_optimizer_states=True)
    for epoch in range(6):
        cb(epoch)
    assert mod.saved == [("m", 3, True), ("m", 6, True)]


@pytest.mark.parametrize("name", ["Speedometer", "ProgressBar", "LogValidationMetricsCallback",
                                  "do_checkpoint", "module_checkpoint", "log_train_metric"])
def test_public_names(name):
    assert name in callback.__all__ and hasattr(callback, name)
