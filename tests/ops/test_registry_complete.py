"""Every registered op has a gradient declaration and test samples (STYLE P9)."""
import importlib
import pathlib

from mixnet.ops import registry
from mixnet.ops.registry import NOT_DECLARED

from . import harness

# Ops checked by dedicated tests instead of harness samples, with where.
TESTED_ELSEWHERE = {
    "_CustomFunction": "tests/test_autograd.py::test_custom_function",
    "_CustomFunctionBackward": "tests/test_autograd.py::test_custom_function",
    "_index": "tests/test_autograd.py::test_slicing_under_record_propagates_gradient",
    "_index_backward": "tests/test_autograd.py::test_slicing_under_record_propagates_gradient",
    "_copyto": "tests/ndarray/test_ndarray_core.py::test_contexts_are_distinct_devices",
    "Custom": "tests/test_operator_custom.py",
    "_backward_Custom": "tests/test_operator_custom.py",
}


def _load_all_samples():
    here = pathlib.Path(__file__).parent
    for path in sorted(here.glob("test_*.py")):
        if path.stem != "test_registry_complete":
            importlib.import_module(f"{__package__}.{path.stem}")


def test_every_op_declares_its_gradient():
    missing = [op.name for op in registry.all_ops() if op.grad is NOT_DECLARED]
    assert not missing, f"ops without a gradient or grad=None: {missing}"


def test_every_op_has_samples():
    _load_all_samples()
    covered = set(harness.DECLARED) | set(TESTED_ELSEWHERE)
    for op in registry.all_ops():
        if any(n in covered for n in (op.name,) + op.aliases):
            covered.add(op.name)
    missing = [op.name for op in registry.all_ops() if op.name not in covered]
    assert not missing, f"ops without test samples: {missing}"
