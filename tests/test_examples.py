"""The README's main jobs run and learn (short versions)."""
import pathlib
import runpy
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def _run(script, args, monkeypatch):
    monkeypatch.setattr(sys, "argv", [script] + args)
    return runpy.run_path(str(EXAMPLES / script), run_name="not_main")["main"]()


def test_train_lenet_module_fit_learns(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    acc = _run("train_lenet.py", ["--epochs", "4", "--prefix", str(tmp_path / "lenet")],
               monkeypatch)
    assert acc > 0.93
    assert (tmp_path / "lenet-symbol.json").exists()
    assert (tmp_path / "lenet-0004.params").exists()


def test_train_digits_autograd_learns(monkeypatch):
    pytest.importorskip("sklearn")
    acc = _run("train_digits.py", ["--epochs", "8"], monkeypatch)
    assert acc > 0.9
