"""Autograd's recording state (thread-local) and the tape that records op applications.

It lives below ``ndarray`` so that op dispatch can record without importing autograd.
Arrays are duck-typed: anything with ``_entry`` (an Entry or None).
"""
import threading

from ..base import ThreadFlag
from .node import Node, Entry

__all__ = ["is_recording", "is_training", "set_recording", "set_training", "record_op",
           "SavedValues", "VariableInfo"]

_state = threading.local()
_recording = ThreadFlag()   # read on every op dispatch


is_recording = _recording.get   # no extra call layer: it runs on every dispatch


def is_training():
    return getattr(_state, "training", False)


def set_recording(flag):
    """Set recording on/off; return the previous value."""
    return _recording.set(flag)


def set_training(flag):
    prev = getattr(_state, "training", False)
    _state.training = bool(flag)
    return prev


class SavedValues:
    """What a recorded forward node keeps for backward: its output arrays."""

    __slots__ = ("outputs",)

    def __init__(self, outputs):
        self.outputs = outputs


class VariableInfo:
    """A marked variable (``attach_grad``): its value, gradient buffer and grad_req."""

    __slots__ = ("value", "grad", "grad_req", "fresh")

    def __init__(self, value, grad, grad_req):
        self.value = value
        self.grad = grad
        self.grad_req = grad_req
        self.fresh = False   # set by backward; MXNet's NDArray._fresh_grad


class ConstantInfo:
    """An input that was not marked: only its value is kept (gradients may need it)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def record_op(op, params, inputs, outputs):
    """Record one op application if any input is part of the graph."""
    if not any(x._entry is not None for x in inputs):
        return
    entries = []
    for x in inputs:
        e = x._entry
        if e is None:
            e = Entry(Node(None, "", info=ConstantInfo(x)), 0)
        entries.append(e)
    node = Node(op, op.name, params, entries, info=SavedValues(list(outputs)))
    for i, y in enumerate(outputs):
        y._entry = Entry(node, i)
