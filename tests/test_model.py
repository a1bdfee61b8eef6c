"""mx.model checkpoints: MXNet's file layout, loading MXNet-written checkpoints
(tests/fixtures/checkpoint, from make_checkpoint_fixtures.py), MXNet loading ours, errors."""
import json
import logging
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

import mixnet as mx
from mixnet import model
from mixnet.base import MXNetError

FIXTURES = Path(__file__).parent / "fixtures" / "checkpoint"
MXREF_PYTHON = Path("/work/venvs/mxref/bin/python")


def small_params():
    args = {"fc_weight": mx.nd.array(np.arange(6).reshape(2, 3)), "fc_bias": mx.nd.ones((2,))}
    aux = {"bn_moving_mean": mx.nd.array([0.5, -1.0])}
    return args, aux


def small_net():
    net = mx.sym.Variable("data")
    return mx.sym.Activation(net, act_type="relu", name="relu1")


def assert_same_params(got, want):
    assert sorted(got) == sorted(want)
    for name in want:
        np.testing.assert_array_equal(got[name].asnumpy(), want[name].asnumpy())


def test_save_checkpoint_layout(tmp_path):
    prefix = str(tmp_path / "net")
    args, aux = small_params()
    model.save_checkpoint(prefix, 7, small_net(), args, aux)
    assert (tmp_path / "net-symbol.json").exists()
    saved = mx.nd.load(prefix + "-0007.params")
    assert sorted(saved) == ["arg:fc_bias", "arg:fc_weight", "aux:bn_moving_mean"]
    assert json.loads((tmp_path / "net-symbol.json").read_text())["nodes"][1]["op"] == \
        "Activation"


def test_roundtrip(tmp_path):
    prefix = str(tmp_path / "net")
    args, aux = small_params()
    model.save_checkpoint(prefix, 1, small_net(), args, aux)
    symbol, got_args, got_aux = model.load_checkpoint(prefix, 1)
    assert symbol.list_outputs() == ["relu1_output"]
    assert_same_params(got_args, args)
    assert_same_params(got_aux, aux)
    assert_same_params(model.load_params(prefix, 1)[0], args)


def test_save_without_symbol_and_from_other_context(tmp_path):
    prefix = str(tmp_path / "p")
    model.save_checkpoint(prefix, 0, None, {"w": mx.nd.ones((2,), mx.cpu(1))}, {})
    assert not (tmp_path / "p-symbol.json").exists()
    args, aux = model.load_params(prefix, 0)
    assert args["w"].context == mx.cpu() and aux == {}


def test_load_mxnet_checkpoint():
    symbol, args, aux = model.load_checkpoint(str(FIXTURES / "mlp"), 3)
    expected = np.load(FIXTURES / "expected.npz")
    assert symbol.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc2_weight",
                                       "fc2_bias", "bn_gamma", "bn_beta", "softmax_label"]
    assert symbol.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    loaded = {"arg:" + k: v for k, v in args.items()}
    loaded.update({"aux:" + k: v for k, v in aux.items()})
    assert sorted(loaded) == sorted(expected.files)
    for key in expected.files:
        got = loaded[key].asnumpy()
        assert got.dtype == expected[key].dtype
        np.testing.assert_array_equal(got, expected[key])


@pytest.mark.skipif(not MXREF_PYTHON.exists(), reason="reference MXNet not installed")
def test_mxnet_loads_our_checkpoint(tmp_path):
    symbol, args, aux = model.load_checkpoint(str(FIXTURES / "mlp"), 3)
    args = {k: v * 2 for k, v in args.items()}   # new values, so nothing is just copied
    prefix = str(tmp_path / "ours")
    model.save_checkpoint(prefix, 12, symbol, args, aux)
    np.savez(tmp_path / "want.npz", **{"arg:" + k: v.asnumpy() for k, v in args.items()},
             **{"aux:" + k: v.asnumpy() for k, v in aux.items()})
    script = textwrap.dedent(f"""
        import mxnet as mx, numpy as np
        sym, args, aux = mx.model.load_checkpoint({prefix!r}, 12)
        want = np.load({str(tmp_path / "want.npz")!r})
        got = dict([("arg:" + k, v) for k, v in args.items()]
                   + [("aux:" + k, v) for k, v in aux.items()])
        assert sorted(got) == sorted(want.files), (sorted(got), want.files)
        for k in want.files:
            assert got[k].asnumpy().dtype == want[k].dtype, k
            assert (got[k].asnumpy() == want[k]).all(), k
        print(sym.list_arguments(), sym.list_auxiliary_states())
    """)
    res = subprocess.run([str(MXREF_PYTHON), "-c", script], check=False,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip() == f"{symbol.list_arguments()} {symbol.list_auxiliary_states()}"


# --- errors: clear MXNetErrors naming the file, nothing half-loaded ----------------------
@pytest.fixture
def saved(tmp_path):
    prefix = str(tmp_path / "net")
    model.save_checkpoint(prefix, 1, small_net(), *small_params())
    return prefix


@pytest.mark.parametrize("keep", [0, 10, 30, -3])
def test_truncated_params(saved, keep):
    path = Path(saved + "-0001.params")
    data = path.read_bytes()
    path.write_bytes(data[:keep] if keep >= 0 else data[:len(data) + keep])
    with pytest.raises(MXNetError, match="net-0001.params"):
        model.load_checkpoint(saved, 1)


def test_corrupt_params(saved):
    Path(saved + "-0001.params").write_bytes(b"not an ndarray file" * 4)
    with pytest.raises(MXNetError, match="corrupt"):
        model.load_params(saved, 1)


@pytest.mark.parametrize("text", ["", '{"nodes": [', "[1, 2]", "\x00\xff"])
def test_corrupt_symbol_json(saved, text):
    Path(saved + "-symbol.json").write_text(text, errors="surrogateescape")
    with pytest.raises(MXNetError, match="net-symbol.json"):
        model.load_checkpoint(saved, 1)


def test_missing_files(tmp_path, saved):
    with pytest.raises(MXNetError, match="net-0002.params"):
        model.load_checkpoint(saved, 2)
    with pytest.raises(MXNetError, match="nothere-symbol.json"):
        model.load_checkpoint(str(tmp_path / "nothere"), 1)


def test_not_a_checkpoint(tmp_path):
    prefix = str(tmp_path / "x")
    mx.nd.save(prefix + "-0000.params", [mx.nd.ones((2,))])
    with pytest.raises(MXNetError, match="list of 1 arrays"):
        model.load_params(prefix, 0)
    mx.nd.save(prefix + "-0001.params", {"weight": mx.nd.ones((2,))})
    with pytest.raises(MXNetError, match="'weight' is not of the form"):
        model.load_params(prefix, 1)


def test_empty_params_warns(tmp_path, caplog):
    prefix = str(tmp_path / "e")
    mx.nd.save(prefix + "-0000.params", {})
    with caplog.at_level(logging.WARNING):
        assert model.load_params(prefix, 0) == ({}, {})
    assert "is empty" in caplog.text


def test_batch_end_param():
    p = model.BatchEndParam(epoch=1, nbatch=2, eval_metric=None, locals={})
    assert type(p).__name__ == "BatchEndParams" and p.nbatch == 2
    assert p._fields == ("epoch", "nbatch", "eval_metric", "locals")
