"""``Symbol.bind`` / ``simple_bind`` / ``eval``: from a Symbol to an Executor."""
import numpy as np

from ..base import MXNetError
from ..context import Context
from ..dtype import normalize
from ..executor.executor import Executor
from ..ndarray import NDArray, zeros
from .symbol import Symbol

__all__ = ["bind", "simple_bind", "eval_symbol", "storage_types"]

_GRAD_REQS = ("null", "write", "add", "inplace")


def _as_list(sym, values, names, what, allow_missing=False):
    if values is None:
        if allow_missing:
            return [None] * len(names)
        raise MXNetError(f"bind: {what} is required")
    if isinstance(values, dict):
        missing = [n for n in names if n not in values]
        if missing and not allow_missing:
            raise MXNetError(f"bind: {what} misses {missing} (needs {names})")
        return [values.get(n) for n in names]
    values = list(values)
    if len(values) != len(names):
        raise MXNetError(f"bind: {what} has {len(values)} arrays but the symbol needs "
                         f"{len(names)}: {names}")
    return values


def _grad_reqs(grad_req, names):
    if isinstance(grad_req, str):
        reqs = [grad_req] * len(names)
    elif isinstance(grad_req, dict):
        reqs = [grad_req.get(n, "null") for n in names]
    else:
        reqs = list(grad_req)
    for r in reqs:
        if r not in _GRAD_REQS:
            raise MXNetError(f"bind: grad_req must be one of {_GRAD_REQS}, got {r!r}")
    return reqs


def bind(self, ctx, args, args_grad=None, grad_req="write", aux_states=None,
         group2ctx=None, shared_exec=None):
    """Bind arrays to this symbol and return an Executor.

    Parameters
    ----------
    ctx : Context
    args : list of NDArray or dict of str -> NDArray (arguments, in list_arguments order)
    args_grad : list or dict of NDArray, gradient buffers (None: no gradients)
    grad_req : 'write', 'add', 'null', or a list/dict of them
    aux_states : list or dict of NDArray (auxiliary states)
    group2ctx : dict of str -> Context for model parallelism
    """
    names = self.list_arguments()
    aux_names = self.list_auxiliary_states()
    args = _as_list(self, args, names, "args")
    for n, a in zip(names, args):
        if not isinstance(a, NDArray):
            raise MXNetError(f"bind: argument {n} must be an NDArray, got {type(a).__name__}")
    grads = _as_list(self, args_grad, names, "args_grad", allow_missing=True)
    reqs = _grad_reqs(grad_req, names)
    reqs = [("null" if g is None else r) for g, r in zip(grads, reqs)]
    aux = _as_list(self, aux_states, aux_names, "aux_states", allow_missing=not aux_names)
    _check_shapes(self, names, args)
    return Executor(self, ctx, args, grads, reqs, aux, group2ctx)


def _check_shapes(sym, names, args):
    arg_shapes, _, _ = sym.infer_shape_partial(**{n: a.shape for n, a in zip(names, args)})
    for n, a, s in zip(names, args, arg_shapes):
        if s and tuple(s) != a.shape and 0 not in s:
            raise MXNetError(f"bind: argument {n} has shape {a.shape} but the graph needs {s}")


def simple_bind(self, ctx, grad_req="write", type_dict=None, stype_dict=None, group2ctx=None,
                shared_arg_names=None, shared_exec=None, shared_buffer=None, **kwargs):
    """Bind with arrays allocated from the given input shapes (``name=shape``)."""
    arg_shapes, _, aux_shapes = self.infer_shape(**kwargs)
    if arg_shapes is None:
        partial = self.infer_shape_partial(**kwargs)[0]
        unknown = [n for n, s in zip(self.list_arguments(), partial) if not s or 0 in s]
        raise MXNetError(f"simple_bind: cannot infer the shapes of {unknown} from {kwargs}")
    arg_types, _, aux_types = self.infer_type(**(type_dict or {}))
    names = self.list_arguments()
    if arg_types is None:
        arg_types = [np.float32] * len(names)
        aux_types = [np.float32] * len(aux_shapes)
    reqs = _grad_reqs(grad_req, names)
    shared = shared_buffer if shared_buffer is not None else {}
    place = _placement(self, ctx, group2ctx)
    args, grads = [], []
    stypes = storage_types(self, stype_dict)
    for n, s, t, r in zip(names, arg_shapes, arg_types, reqs):
        args.append(_alloc(shared, n, s, t, place[n], shared_exec, "arg_dict", stypes.get(n)))
        grads.append(None if r == "null" else
                     _alloc({}, n, s, t, place[n], shared_exec, "grad_dict"))
    aux = [_alloc({}, n, s, t, place[n], shared_exec, "aux_dict")
           for n, s, t in zip(self.list_auxiliary_states(), aux_shapes, aux_types)]
    return Executor(self, ctx, args, grads, reqs, aux, group2ctx)


def storage_types(sym, stype_dict=None):
    """Storage type of each variable: ``stype_dict``, else its ``stype`` attribute."""
    from ..graph.node import topo_order
    out = {n.name: n.attrs.get("__storage_type__", "default")
           for n in topo_order(sym._outputs) if n.op is None}
    out.update(stype_dict or {})
    return {k: ("default" if v in (None, "default") else v) for k, v in out.items()}


def _placement(sym, ctx, group2ctx):
    """Context of each variable: its ``ctx_group``'s device under ``group2ctx``."""
    from ..graph.node import topo_order
    out = {}
    for node in topo_order(sym._outputs):
        if node.op is None:
            group = node.attrs.get("__ctx_group__")
            out[node.name] = (group2ctx or {}).get(group, ctx)
    return out


def _alloc(shared, name, shape, dtype, ctx, shared_exec, which, stype="default"):
    dtype = normalize(dtype)
    arr = shared.get(name)
    if arr is None and shared_exec is not None:
        arr = getattr(shared_exec, which).get(name)
    if arr is not None and arr.shape == tuple(shape) and arr.dtype == dtype:
        return arr
    arr = zeros(shape, ctx=ctx, dtype=dtype, stype=stype)
    if name not in shared and which == "arg_dict" and shared is not None:
        shared[name] = arr
    return arr


def eval_symbol(self, ctx=None, **kwargs):
    """Bind to ``kwargs`` arrays, run forward, return the outputs."""
    ctx = ctx or Context.default_ctx
    exe = bind(self, ctx, kwargs)
    return exe.forward()


Symbol.bind = bind
Symbol.simple_bind = simple_bind
Symbol.eval = eval_symbol
