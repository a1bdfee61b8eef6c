"""CachedOp: call a Symbol like a function on NDArrays (``mx.nd.CachedOp``).

Outside autograd it runs a compiled Executor per input signature; while recording it
runs the graph node by node through imperative dispatch, so every op lands on the
autograd tape and gradients flow through it.
"""
from ..base import MXNetError
from ..graph import tape
from ..graph.node import topo_order
from ..ndarray.ndarray import NDArray
from .executor import Executor
from .run import run_graph

__all__ = ["CachedOp"]


class CachedOp:
    """A Symbol compiled for repeated imperative calls.

    Parameters
    ----------
    sym : Symbol
    flags : sequence of (key, value), accepted for compatibility (static_alloc, ...)
    """

    def __init__(self, sym, flags=()):
        self._sym = sym
        self._flags = dict(flags)
        nodes = topo_order(sym._outputs)
        self._vars = [n for n in nodes if n.op is None]
        self._arg_names = sym.list_arguments()
        self._aux_names = sym.list_auxiliary_states()
        self._executors = {}

    def __call__(self, *args, out=None, **kwargs):
        if len(args) != len(self._vars):
            raise MXNetError(f"CachedOp expects {len(self._vars)} inputs "
                             f"{[v.name for v in self._vars]}, got {len(args)}")
        for a in args:
            if not isinstance(a, NDArray):
                raise MXNetError(f"CachedOp inputs must be NDArrays, got {type(a).__name__}")
        if tape.is_recording():
            outs = self._run_imperative(args)
        else:
            outs = self._run_compiled(args)
        if out is not None:
            targets = [out] if isinstance(out, NDArray) else list(out)
            for src, dst in zip(outs, targets):
                src.copyto(dst)
            return out
        return outs[0] if len(outs) == 1 else outs

    def _run_imperative(self, args):
        by_node = {id(v): a for v, a in zip(self._vars, args)}

        def value_of(entry):
            return by_node.get(id(entry.node)) if entry.node.op is None else None
        return run_graph(self._sym._outputs, value_of)

    def _run_compiled(self, args):
        by_name = {v.name: a for v, a in zip(self._vars, args)}
        key = tuple((a.shape, a.dtype, a.context) for a in args)
        exe = self._executors.get(key)
        if exe is None:
            ctx = args[0].context if args else None
            exe = Executor(self._sym, ctx, [by_name[n].copy() for n in self._arg_names],
                           [None] * len(self._arg_names), ["null"] * len(self._arg_names),
                           [by_name[n].copy() for n in self._aux_names])
            self._executors[key] = exe
        for name, arr in zip(self._arg_names + self._aux_names, exe.arg_arrays + exe.aux_arrays):
            by_name[name].copyto(arr)
        return [o.copy() for o in exe.forward(is_train=tape.is_training())]
