"""Autograd's recording state (thread-local) and the tape that records op applications.

It lives below ``ndarray`` so that op dispatch can record without importing autograd.
Arrays are duck-typed: anything with ``_entry`` (an Entry or None).
"""
import threading

from .node import Node, Entry

__all__ = ["is_recording", "is_training", "set_recording", "set_training", "record_op",
           "SavedValues", "VariableInfo"]

_state = threading.local()
# Threads with recording on (process-wide): while none is, is_recording() needs no
# thread-local lookup, which op dispatch would otherwise pay on every call.
_recording_threads = [0]


def is_recording():
    if not _recording_threads[0]:
        return False
    return getattr(_state, "recording", False)


def is_training():
    return getattr(_state, "training", False)


def set_recording(flag):
    """Set recording on/off; return the previous value."""
    prev = getattr(_state, "recording", False)
    flag = bool(flag)
    if flag != prev:
        _recording_threads[0] += 1 if flag else -1
    _state.recording = flag
    return prev


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
