"""Imperative automatic differentiation (``mx.autograd``).

Ops run under ``record()`` are recorded as graph nodes (graph.tape); ``backward`` runs
the one gradient pass (graph.passes.gradient) on that graph and executes the gradient
nodes with the executor, imperatively, so ``create_graph=True`` records them again
(higher-order gradients).
"""

from .base import MXNetError
from .executor import run_graph
from .graph import tape
from .graph.node import Node, Entry
from .graph.passes.gradient import gradient
from .ndarray import NDArray
from .ndarray.ndarray import AUTOGRAD_HOOKS, mark_variables
from .ndarray import ndarray as _nd_mod

# NOTE: NDArray is listed because MXNet code does ``from mxnet.autograd import *`` and
# then uses NDArray (MXNet's module had no __all__).
__all__ = ["NDArray", "record", "pause", "train_mode", "predict_mode", "is_recording", "is_training",
           "set_recording", "set_training", "mark_variables", "backward", "grad",
           "Function", "get_symbol"]

is_recording = tape.is_recording
is_training = tape.is_training
set_recording = tape.set_recording
set_training = tape.set_training


class _RecordingStateScope:
    """Scope that sets recording/training and restores them on exit."""

    def __init__(self, is_record, train_mode):
        self._enter_is_record = is_record
        self._enter_train_mode = train_mode
        self._prev_is_record = None
        self._prev_train_mode = None

    def __enter__(self):
        if self._enter_is_record is not None:
            self._prev_is_record = set_recording(self._enter_is_record)
        if self._enter_train_mode is not None:
            self._prev_train_mode = set_training(self._enter_train_mode)

    def __exit__(self, *exc):
        if self._enter_is_record is not None and self._prev_is_record != self._enter_is_record:
            set_recording(self._prev_is_record)
        if self._enter_train_mode is not None and \
                self._prev_train_mode != self._enter_train_mode:
            set_training(self._prev_train_mode)


def record(train_mode=True):
    """Scope in which ops are recorded for gradient computation.

    Examples
    --------
    >>> x = mx.nd.array([1, 2]); x.attach_grad()
    >>> with mx.autograd.record():
    ...     y = x * x
    >>> y.backward(); x.grad.asnumpy()
    array([2., 4.], dtype=float32)
    """
    return _RecordingStateScope(True, train_mode)


def pause(train_mode=False):
    """Scope in which ops are not recorded."""
    return _RecordingStateScope(False, train_mode)


def train_mode():
    """Scope in which ops behave as in training (Dropout active, ...)."""
    return _RecordingStateScope(None, True)


def predict_mode():
    """Scope in which ops behave as in inference."""
    return _RecordingStateScope(None, False)


def _value_of(entry):
    info = entry.node.info
    if isinstance(info, tape.SavedValues):
        if info.outputs is None:
            raise MXNetError("the graph of this computation was freed by an earlier "
                             "backward; pass retain_graph=True to backward to keep it")
        return info.outputs[entry.index]
    if isinstance(info, (tape.VariableInfo, tape.ConstantInfo)):
        return info.value
    if isinstance(info, NDArray):   # head gradients fed by backward
        return info
    return None


def _heads(heads, head_grads):
    if isinstance(heads, NDArray):
        heads = [heads]
        if head_grads is not None and not isinstance(head_grads, (list, tuple)):
            head_grads = [head_grads]
    heads = list(heads)
    if head_grads is None:
        head_grads = [None] * len(heads)
    if len(head_grads) != len(heads):
        raise MXNetError(f"backward: {len(heads)} heads but {len(head_grads)} head gradients")
    entries, grad_entries = [], []
    for h, g in zip(heads, head_grads):
        if h._entry is None:
            raise MXNetError("Cannot differentiate node because it is not in a computational "
                             "graph. You need to set is_recording to true or use "
                             "mark_variables() to mark the inputs")
        if g is None:
            g = _nd_mod._op_fn("ones_like")(h)
        entries.append(h._entry)
        grad_entries.append(Entry(Node(None, "head_grad", info=g), 0))
    return entries, grad_entries


def _variables_of(entries):
    from .graph.node import topo_order
    out = []
    for node in topo_order(entries):
        info = node.info
        if isinstance(info, tape.VariableInfo) and info.grad_req != "null":
            out.append(node.output(0))
    return out


def _check_not_freed(entries):
    from .graph.node import topo_order
    for node in topo_order(entries):
        if isinstance(node.info, tape.SavedValues) and node.info.outputs is None:
            raise MXNetError("the graph of this computation was freed by an earlier "
                             "backward; pass retain_graph=True to backward to keep it")


def _compute(heads, head_grads, variables, retain_graph, create_graph, train_mode):
    entries, grad_entries = _heads(heads, head_grads)
    _check_not_freed(entries)
    grads = gradient(entries, variables, grad_entries)
    needed = [g for g in grads if g is not None]
    prev_rec = set_recording(create_graph)
    prev_train = set_training(train_mode)
    try:
        values = run_graph(needed, _value_of)
    finally:
        set_recording(prev_rec)
        set_training(prev_train)
    it = iter(values)
    result = [next(it) if g is not None else None for g in grads]
    if not retain_graph:
        _free(entries)
    return result


def _free(entries):
    from .graph.node import topo_order
    for node in topo_order(entries):
        if isinstance(node.info, tape.SavedValues) and node.info.outputs is not None:
            # like MXNet, arrays computed in a freed graph become plain (leaf) arrays
            for arr in node.info.outputs:
                if arr._entry is not None and arr._entry.node is node:
                    arr._entry = None
            node.info.outputs = None


def backward(heads, head_grads=None, retain_graph=False, train_mode=True):
    """Compute the gradients of ``heads`` w.r.t. previously marked variables.

    Gradients are written (``grad_req='write'``) or added (``'add'``) into each
    variable's ``.grad``.
    """
    entries, _ = _heads(heads, head_grads)
    variables = _variables_of(entries)
    grads = _compute(heads, head_grads, variables, retain_graph, False, train_mode)
    for var, g in zip(variables, grads):
        info = var.node.info
        info.fresh = True
        if info.grad_req == "add":
            if g is not None:
                info.grad += g
        elif g is None:
            info.grad[:] = 0
        else:
            g.copyto(info.grad)


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph=False,
         train_mode=True):
    """Gradients of ``heads`` w.r.t. ``variables``, returned (not written to ``.grad``).

    With ``create_graph=True`` the gradient computation is itself recorded, so the
    results can be differentiated again.
    """
    single = isinstance(variables, NDArray)
    if single:
        variables = [variables]
    for v in variables:
        if v._entry is None:
            raise MXNetError("grad: every variable must be marked with attach_grad() or "
                             "mark_variables() and be used while recording")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _compute(heads, head_grads, [v._entry for v in variables], retain_graph,
                     create_graph, train_mode)
    out = [g if g is not None else _nd_mod._op_fn("zeros_like")(v)
           for g, v in zip(grads, variables)]
    return out[0] if single else out


def get_symbol(x):
    """The recorded computation of ``x`` as a Symbol (needs the symbol module)."""
    hook = AUTOGRAD_HOOKS.get("get_symbol")
    if hook is None:
        raise MXNetError("get_symbol needs mixnet.symbol")
    return hook(x)


AUTOGRAD_HOOKS["backward"] = backward
from .autograd_function import Function  # noqa: E402  (Function builds on backward)
