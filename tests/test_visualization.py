"""mx.viz: print_summary's table and plot_network's graph, as MXNet 1.9.1 prints and draws
them (the reference outputs were taken from MXNet; a subprocess check compares more cases
when the reference MXNet is installed)."""
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import mixnet as mx
from mixnet import visualization as viz

MXREF_PYTHON = Path("/work/venvs/mxref/bin/python")

NET_SOURCE = """
data = mx.sym.Variable('data')
emb = mx.sym.Embedding(data, input_dim=100, output_dim=28, name='emb1')
conv = mx.sym.Convolution(emb, num_filter=32, kernel=(3, 3), stride=(2, 2), name='conv1')
bn = mx.sym.BatchNorm(conv, name='bn1')
act = mx.sym.Activation(bn, act_type='relu', name='relu1')
pool = mx.sym.Pooling(act, kernel=(2, 2), stride=(2, 2), pool_type='max', name='mp1')
fc1 = mx.sym.FullyConnected(pool, num_hidden=10, name='fc1')
fc2 = mx.sym.FullyConnected(fc1, num_hidden=10, no_bias=True, name='fc2')
net = mx.sym.SliceChannel(fc2, num_outputs=10, name='slice_1')
"""
SHAPE = {"data": (1, 3, 28)}

# MXNet 1.9.1's output (trailing spaces stripped)
EXPECTED = """\
________________________________________________________________________________
Layer (type)                  Output Shape        Param #   Previous Layer
================================================================================
data(null)                    3x28                0
________________________________________________________________________________
emb1(Embedding)               3x28x28             2800      data
________________________________________________________________________________
conv1(Convolution)            32x13x13            896       emb1
________________________________________________________________________________
bn1(BatchNorm)                32x13x13            64        conv1
________________________________________________________________________________
relu1(Activation)             32x13x13            0         bn1
________________________________________________________________________________
mp1(Pooling)                  32x6x6              0         relu1
________________________________________________________________________________
fc1(FullyConnected)           10                  330       mp1
________________________________________________________________________________
fc2(FullyConnected)           10                  100       fc1
________________________________________________________________________________
slice_1(SliceChannel)                             0         fc2
================================================================================
Total params: 4190
________________________________________________________________________________
"""


def network():
    scope = {"mx": mx}
    exec(NET_SOURCE, scope)   # the same source runs under MXNet in the subprocess check
    return scope["net"]


def summary(capsys, *args, **kwargs):
    viz.print_summary(*args, **kwargs)
    return capsys.readouterr().out


def test_print_summary_matches_mxnet(capsys):
    out = summary(capsys, network(), SHAPE, line_length=80, positions=[30, 50, 60, 80])
    assert "\n".join(line.rstrip() for line in out.splitlines()) + "\n" == EXPECTED


def test_print_summary_layout(capsys):
    lines = summary(capsys, network()).splitlines()
    assert all(len(line) == 120 for line in lines[:-3])   # default width, padded columns
    assert lines[1].startswith("Layer (type)" + " " * 40 + "Output Shape")
    assert lines[-2] == "Total params: 2842"   # without shapes, shape-based counts are 0


def test_print_summary_several_inputs(capsys):
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    net = mx.sym.elemwise_add(mx.sym.Activation(a, act_type="relu", name="r1"),
                              mx.sym.Activation(b, act_type="relu", name="r2"), name="add")
    out = summary(capsys, net, {"a": (2, 3), "b": (2, 3)}, line_length=40,
                  positions=[10, 20, 30, 40])
    # MXNet's output: names cut at the column ends, a second input on its own row, and
    # only the first variable listed
    assert [line.rstrip() for line in out.splitlines()][3:11] == [
        "a(null)   3         0",
        "_" * 40,
        "r1(Activat3         0         a",
        "_" * 40,
        "r2(Activat3         0",
        "_" * 40,
        "add(elemwi3         0         r1",
        "                              r2"]


def test_print_summary_errors():
    with pytest.raises(TypeError, match="symbol must be Symbol"):
        viz.print_summary("net")
    net = mx.sym.SliceChannel(mx.sym.Variable("a"), num_outputs=3)
    with pytest.raises(mx.base.MXNetError, match="num_outputs=3"):
        viz.print_summary(net, {"a": (1, 4)})
    with pytest.raises(ValueError, match="Input shape is incomplete"):
        viz.print_summary(net, {})


def test_plot_network_graph():
    pytest.importorskip("graphviz")
    dot = viz.plot_network(network(), title="net", save_format="png", shape=SHAPE,
                           dtype={"data": np.float32})
    source = dot.source
    assert dot.name == "net" and dot.format == "png"
    assert 'conv1 -> emb1 [label="3x28x28(float32)" arrowtail=open dir=back]' in source
    assert 'fc1 -> mp1 [label="32x6x6(float32)"' in source
    assert "Convolution\n3x3/2x2, 32" in source and "Pooling\nmax, 2x2/2x2" in source
    assert "FullyConnected\n10" in source and "Activation\nrelu" in source
    assert "_weight" not in source and "bn1_gamma" not in source   # hidden
    assert 'data [label=data fillcolor="#8dd3c7"' in source and "shape=oval" in source


def test_plot_network_shown_weights_and_attrs():
    pytest.importorskip("graphviz")
    dot = viz.plot_network(network(), hide_weights=False, node_attrs={"shape": "ellipse"})
    # shown weights get edges (graphviz draws them as plain nodes) but no node of their own
    assert "conv1 -> conv1_weight [label=\"\"" in dot.source
    assert "\tconv1_weight [" not in dot.source
    assert "shape=ellipse" in dot.source


def test_plot_network_warns_on_repeated_names():
    pytest.importorskip("graphviz")
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc", num_hidden=128)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc", num_hidden=10)
    net = mx.sym.SoftmaxOutput(net, name="out")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        viz.plot_network(net, shape={"data": (100, 200)}, dtype={"data": np.float32},
                         node_attrs={"fixedsize": "false"})
    assert len(w) == 1 and "Repeated names: fc" in str(w[0].message)


def test_plot_network_errors(monkeypatch):
    pytest.importorskip("graphviz")
    with pytest.raises(TypeError, match="symbol must be a Symbol"):
        viz.plot_network("net")
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match="requires graphviz"):
        viz.plot_network(network())


@pytest.mark.skipif(not MXREF_PYTHON.exists(), reason="reference MXNet not installed")
def test_same_output_as_mxnet(capsys):
    """Tables for several widths and with/without shapes, and plot sources, equal MXNet's
    (plots only when both sides have graphviz)."""
    cases = textwrap.dedent("""
        for kw in ({}, {'shape': SHAPE}, {'shape': SHAPE, 'line_length': 60},
                   {'positions': [.3, .6, .7, 1.]}):
            viz.print_summary(net, **kw)
        print('--- plots ---')
        try:
            import graphviz
        except ImportError:
            print('no graphviz')
        else:
            for kw in ({}, {'shape': SHAPE}, {'dtype': {'data': 'float32'}},
                       {'shape': SHAPE, 'hide_weights': False}):
                print(sorted(viz.plot_network(net, **kw).source.splitlines()))
    """)
    exec(cases, {"mx": mx, "viz": viz, "SHAPE": SHAPE, "net": network()})
    mine = capsys.readouterr().out.split("--- plots ---")
    script = f"import mxnet as mx\nviz = mx.viz\nSHAPE = {SHAPE!r}\n{NET_SOURCE}\n{cases}"
    res = subprocess.run([str(MXREF_PYTHON), "-c", script], check=False,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    theirs = res.stdout.split("--- plots ---")
    assert mine[0] == theirs[0]
    if "no graphviz" not in mine[1] + theirs[1]:
        assert mine[1] == theirs[1]
