"""mx.mon.Monitor on a bound executor: which tensors it reports, when, and how."""
import logging

import numpy as np
import pytest

import mixnet as mx
from mixnet.monitor import Monitor


def _executor():
    x = mx.sym.Variable('data')
    x = mx.sym.FullyConnected(x, num_hidden=2, name='fc')
    x = mx.sym.Activation(x, act_type='relu', name='act')
    exe = x.simple_bind(mx.cpu(), data=(1, 2))
    exe.arg_dict['data'][:] = np.array([[1.0, -2.0]])
    exe.arg_dict['fc_weight'][:] = np.array([[1.0, 0.0], [0.0, 1.0]])
    exe.arg_dict['fc_bias'][:] = 0
    return exe


def _names(res):
    return [name for _, name, _ in res]


def test_reports_outputs_and_arguments_sorted():
    exe = _executor()
    mon = Monitor(1, sort=True)
    mon.install(exe)
    mon.tic()
    exe.forward()
    res = mon.toc()
    assert _names(res) == ['act_output', 'data', 'fc_bias', 'fc_output', 'fc_weight']
    stats = {name: value for _, name, value in res}
    # default statistic: norm(x) / sqrt(size)
    assert float(stats['data']) == pytest.approx(np.sqrt(5) / np.sqrt(2), rel=1e-6)
    assert stats['act_output'].endswith('\t')
    assert all(step == 1 for step, _, _ in res)


def test_pattern_interval_and_custom_stat():
    exe = _executor()
    mon = Monitor(2, stat_func=lambda x: [x.max(), x.min()], pattern='.*output')
    mon.install(exe)
    collected = []
    for _ in range(4):
        mon.tic()
        exe.forward()
        collected.append(mon.toc())
    assert [len(r) for r in collected] == [2, 0, 2, 0]
    fc = {n: v for _, n, v in collected[0]}['fc_output']
    assert fc.split('\t')[:2] == ['1.0', '-2.0']


def test_toc_without_tic_and_bad_stat():
    exe = _executor()
    mon = Monitor(1, stat_func=lambda x: 3.0)
    mon.install(exe)
    assert mon.toc() == []
    mon.tic()
    exe.forward()
    with pytest.raises(TypeError, match="stat_func"):
        mon.toc()


def test_toc_print_logs(caplog):
    exe = _executor()
    mon = Monitor(1, pattern='fc_.*')
    mon.install(exe)
    mon.tic()
    exe.forward()
    with caplog.at_level(logging.INFO):
        mon.toc_print()
    assert 'fc_weight' in caplog.text and 'Batch:       1' in caplog.text


def test_module_install_monitor():
    data = mx.sym.Variable('data')
    out = mx.sym.FullyConnected(data, num_hidden=3, name='fc')
    mod = mx.mod.Module(out, label_names=None, context=mx.cpu())
    mod.bind(data_shapes=[('data', (2, 4))], label_shapes=None)
    mod.init_params()
    mon = Monitor(1, pattern='fc_output')
    mod.install_monitor(mon)
    mon.tic()
    mod.forward(mx.io.DataBatch([mx.nd.ones((2, 4))]), is_train=False)
    assert _names(mon.toc()) == ['fc_output']
