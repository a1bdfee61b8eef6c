"""Executor: a Symbol bound to arrays, running compiled forward/backward plans.

Forward and backward each run as one engine operation (MXNet's bulk execution): the
operation reads the argument/auxiliary arrays, runs the compiled steps on raw xp arrays
with no per-node dispatch, and writes the outputs/gradients. Values that backward needs
are kept from forward; every other intermediate is dropped after its last use.
"""
import numpy as np

from .. import backend, engine
from ..base import MXNetError
from ..graph.node import Node, topo_order
from ..graph.passes.gradient import gradient
from ..graph.passes.infer import infer_shapes, infer_types
from ..ndarray import dispatch
from ..ndarray.ndarray import NDArray, from_xp
from .. import config
from ..graph.passes.cse import eliminate_common_expr
from ..graph.passes.mirror import mirror
from ..graph.passes.plan_memory import plan_memory
from .plan import compile_steps, run_steps

__all__ = ["Executor"]


def _mirroring(nodes):
    """MXNET_BACKWARD_DO_MIRROR=1, or any node asking with ``__force_mirroring__``."""
    return bool(config.get("MXNET_BACKWARD_DO_MIRROR")) or \
        any("__force_mirroring__" in n.attrs for n in nodes)

_GRAD_REQS = ("null", "write", "add", "inplace")


class Executor:
    """Runs a bound Symbol. Create with ``Symbol.bind`` or ``Symbol.simple_bind``."""

    def __init__(self, symbol, ctx, args, args_grad, grad_req, aux_states, group2ctx=None):
        self._symbol = symbol
        self._ctx = ctx
        self._group2ctx = group2ctx
        self.arg_arrays = list(args)
        self.grad_arrays = list(args_grad)
        self.aux_arrays = list(aux_states)
        self._grad_req = list(grad_req)
        self._arg_names = symbol.list_arguments()
        self._aux_names = symbol.list_auxiliary_states()
        self._monitor = None
        self._saved = None
        self._state_var = engine.Var()   # orders forward -> backward on the saved values
        self._compile()

    # --- compilation -----------------------------------------------------------
    def _compile(self):
        sym = self._symbol
        self._outs = eliminate_common_expr(sym._outputs) \
            if config.get("MXNET_ELIMINATE_COMMON_EXPR") else list(sym._outputs)
        nodes = topo_order(self._outs)
        variables = [n for n in nodes if n.op is None]
        by_name = {n.name: n for n in variables}
        self._arg_nodes = [by_name[n] for n in self._arg_names]
        self._aux_nodes = [by_name[n] for n in self._aux_names]
        shapes = {n.output(0): a.shape for n, a in zip(self._arg_nodes + self._aux_nodes,
                                                       self.arg_arrays + self.aux_arrays)}
        dtypes = {n.output(0): np.dtype(a.dtype) for n, a in
                  zip(self._arg_nodes + self._aux_nodes, self.arg_arrays + self.aux_arrays)}
        infer_shapes(nodes, shapes)
        infer_types(nodes, dtypes)
        self._slot_of = {n.output(0): i for i, n in enumerate(self._arg_nodes + self._aux_nodes)}
        self._nvars = len(self._slot_of)
        outs = self._outs
        self._fwd_nodes = [n for n in nodes if n.op is not None]
        for n in self._fwd_nodes:
            for i in range(n.num_outputs):
                self._slot_of.setdefault(n.output(i), len(self._slot_of))
        wants = [(n, i) for i, n in enumerate(self._arg_nodes) if self._grad_req[i] != "null"]
        self._bwd_steps, self._grad_slots = [], []
        if wants:
            self._compile_backward(wants, shapes, dtypes)
        # argument/aux buffers belong to their NDArrays: dropping them frees nothing
        keep = set(self._saved_slots) | {self._slot_of[e] for e in outs} | set(range(self._nvars))
        self._fwd_steps = compile_steps(self._fwd_nodes, self._slot_of, shapes, dtypes, keep)
        self.outputs = [from_xp(backend.array_module(self._ctx).zeros(
            shapes[e], dtype=dtypes[e]), self._ctx) if shapes.get(e) is not None else None
            for e in outs]
        if any(o is None for o in self.outputs):
            raise MXNetError("bind: output shapes could not be inferred from the arguments")
        self._out_slots = [self._slot_of[e] for e in outs]
        self._shapes, self._dtypes = shapes, dtypes

    def _compile_backward(self, wants, shapes, dtypes):
        outs = self._outs
        heads = [Node(None, f"head_grad{i}").output(0) for i in range(len(outs))]
        for h, e in zip(heads, outs):
            shapes[h], dtypes[h] = shapes.get(e), dtypes.get(e)
        grads = gradient(outs, [n.output(0) for n, _ in wants], heads)
        fwd_ids = {id(n) for n in self._fwd_nodes}
        bwd_nodes = [n for n in topo_order([g for g in grads if g is not None])
                     if n.op is not None and id(n) not in fwd_ids]
        if _mirroring(self._fwd_nodes):
            mirror(self._fwd_nodes, bwd_nodes)
            bwd_nodes = [n for n in topo_order([g for g in grads if g is not None])
                         if n.op is not None and id(n) not in fwd_ids]
        self._bwd_nodes = bwd_nodes
        infer_shapes(topo_order([g for g in grads if g is not None]), shapes)
        infer_types(topo_order([g for g in grads if g is not None]), dtypes)
        self._grad_entries = [g for g in grads if g is not None]
        # forward entries that backward reads must outlive forward
        self._head_entries = heads
        for h in heads:
            self._slot_of[h] = len(self._slot_of)
        saved = set()
        for n in bwd_nodes:
            for e in n.inputs:
                if id(e.node) in fwd_ids:
                    saved.add(self._slot_of[e])
        self._saved_slots = sorted(saved)
        for g in grads:
            if g is not None and g not in self._slot_of:
                self._slot_of[g] = len(self._slot_of)
        self._grad_slots = [(i, None if g is None else self._slot_of[g])
                            for (n, i), g in zip(wants, grads)]
        # gradient results stay alive until written out
        keep = [s for _, s in self._grad_slots if s is not None]
        self._bwd_steps = compile_steps(bwd_nodes, self._slot_of, shapes, dtypes, keep)

    _saved_slots = ()
    _bwd_nodes = ()
    _grad_entries = ()

    def memory_plan(self, share=True, inplace=True):
        """The static memory plan of forward (+ backward) values: a MemoryPlan report."""
        order = self._fwd_nodes + list(self._bwd_nodes)
        keep = list(self._outs) + list(self._grad_entries)
        return plan_memory(order, self._shapes, self._dtypes, keep, share, inplace)

    # --- running -----------------------------------------------------------------
    def forward(self, is_train=False, **kwargs):
        """Run forward; ``kwargs`` name=array copy new values into arguments first."""
        for name, value in kwargs.items():
            if name not in self.arg_dict:
                raise MXNetError(f"forward: unknown argument {name!r}; arguments are "
                                 f"{self._arg_names}")
            dst = self.arg_dict[name]
            if isinstance(value, NDArray):
                value.copyto(dst)
            else:
                dst[:] = value
        xp = backend.array_module(self._ctx)
        rng = backend.random.generator(self._ctx)
        monitor = self._monitor
        arrays = self.arg_arrays + self.aux_arrays
        outputs = self.outputs

        def run():
            vals = [None] * len(self._slot_of)
            for i, a in enumerate(arrays):
                vals[i] = a._data()
            run_steps(self._fwd_steps, vals, xp, is_train, rng, monitor)
            for o, s in zip(outputs, self._out_slots):
                o._store(vals[s])
            # MXNet allows backward after forward(is_train=False) too
            self._saved = vals if self._grad_slots else None
        reads = [a._chunk.var for a in arrays]
        writes = [o._chunk.var for o in outputs] + [self._state_var] + \
            [a._chunk.var for a in self.aux_arrays] + [dispatch.rng_var(self._ctx)]
        engine.push(run, reads, writes, self._ctx, "Executor.forward", 1 << 30)
        return self.outputs

    def backward(self, out_grads=None, is_train=True):
        """Run backward, writing (or adding) gradients into ``grad_arrays``."""
        if not self._grad_slots:
            return
        if out_grads is None:
            out_grads = [None] * len(self.outputs)
        elif isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        xp = backend.array_module(self._ctx)
        rng = backend.random.generator(self._ctx)
        # head gradients on another device are copied to this executor's (MXNet does)
        heads = [h if h is None or h.context == self._ctx else h.as_in_context(self._ctx)
                 for h in out_grads]
        targets = [(self.grad_arrays[i], self._grad_req[i], s) for i, s in self._grad_slots]
        monitor = self._monitor

        def run():
            vals = self._saved
            if vals is None:
                raise MXNetError("backward: call forward(is_train=True) before backward")
            for k, (h, o) in enumerate(zip(heads, self.outputs)):
                slot = self._slot_of[self._head_entries[k]]
                vals[slot] = xp.ones(o.shape, dtype=o.dtype) if h is None else h._data()
            run_steps(self._bwd_steps, vals, xp, is_train, rng, monitor)
            for arr, req, s in targets:
                if arr is None:
                    continue
                g = vals[s] if s is not None else xp.zeros(arr.shape, dtype=arr.dtype)
                if req == "add":
                    arr._store(arr._data() + g)
                else:
                    arr._store(g)
        reads = [h._chunk.var for h in heads if h is not None] + \
            [a._chunk.var for a in self.arg_arrays]
        writes = [t[0]._chunk.var for t in targets if t[0] is not None] + [self._state_var]
        engine.push(run, reads, writes, self._ctx, "Executor.backward", 1 << 30)

    def set_monitor_callback(self, callback, monitor_all=False):
        """Call ``callback(name, array)`` on each node output (and inputs: monitor_all)."""
        def monitor(step, values):
            names = step.op.output_names(step.params)
            for name, v in zip(names, values):
                if v is not None:    # outputs nobody needs are not computed
                    callback(f"{step.node.name}_{name}", from_xp(v.copy(), self._ctx))
        self._monitor = monitor

    def get_optimized_symbol(self):
        """The Symbol of the graph this executor runs (after its graph passes)."""
        return type(self._symbol)(list(self._outs))

    # --- dictionaries ----------------------------------------------------------
    @property
    def arg_dict(self):
        return dict(zip(self._arg_names, self.arg_arrays))

    @property
    def grad_dict(self):
        return {n: g for n, g in zip(self._arg_names, self.grad_arrays)}

    @property
    def aux_dict(self):
        return dict(zip(self._aux_names, self.aux_arrays))

    @property
    def output_dict(self):
        return dict(zip(self._symbol.list_outputs(), self.outputs))

    def copy_params_from(self, arg_params, aux_params=None, allow_extra_params=False):
        """Copy parameter values into the bound arrays (by name)."""
        for name, array in arg_params.items():
            if name in self.arg_dict:
                array.astype(self.arg_dict[name].dtype).copyto(self.arg_dict[name])
            elif not allow_extra_params:
                raise ValueError(f"Find name \"{name}\" that is not in the arguments")
        for name, array in (aux_params or {}).items():
            if name in self.aux_dict:
                array.astype(self.aux_dict[name].dtype).copyto(self.aux_dict[name])
            elif not allow_extra_params:
                raise ValueError(f"Find name {name} that is not in the auxiliary states")

    def reshape(self, partial_shaping=False, allow_up_sizing=False, **kwargs):
        """A new executor for new input shapes, sharing memory with this one.

        Arrays whose shape is unchanged are shared; smaller ones are views of this
        executor's arrays (MXNet's shared memory pool); larger ones need
        ``allow_up_sizing`` and get fresh memory.
        """
        arg_shapes, _, aux_shapes = self._symbol.infer_shape(**kwargs)
        if arg_shapes is None:
            raise MXNetError("reshape: shapes could not be inferred from " + str(kwargs))
        args = self._remake(self.arg_arrays, arg_shapes, self._arg_names, kwargs,
                            partial_shaping, allow_up_sizing)
        grads = self._remake(self.grad_arrays, arg_shapes, self._arg_names, kwargs,
                             partial_shaping, allow_up_sizing)
        aux = self._remake(self.aux_arrays, aux_shapes, self._aux_names, kwargs,
                           partial_shaping, allow_up_sizing)
        exe = Executor(self._symbol, self._ctx, args, grads, self._grad_req, aux,
                       self._group2ctx)
        exe.outputs = [_shrunk(old, new.shape) if old.size >= new.size else new
                       for old, new in zip(self.outputs, exe.outputs)]
        return exe

    @staticmethod
    def _remake(arrays, shapes, names, given, partial_shaping, allow_up_sizing):
        from ..ndarray import zeros
        out = []
        for a, s, n in zip(arrays, shapes, names):
            s = tuple(s)
            if a is None or a.shape == s:
                out.append(a)
                continue
            if n not in given and not partial_shaping:
                raise MXNetError(f"reshape: shape of unspecified array {n} changed from "
                                 f"{a.shape} to {s}; set partial_shaping=True")
            if a.size >= int(np.prod(s)):
                out.append(_shrunk(a, s))
            elif allow_up_sizing:
                out.append(zeros(s, ctx=a.context, dtype=a.dtype))
            else:
                raise MXNetError(f"reshape: new shape of {n} {s} is larger than the original "
                                 f"{a.shape}; set allow_up_sizing=True")
        return out

    def debug_str(self):
        """The graph and its planned memory, as text."""
        report = self.memory_plan()
        return self._symbol.debug_str() + f"\nTotal {report['shared_bytes'] >> 20} MB allocated"


def _shrunk(arr, shape):
    """A view of the first elements of ``arr`` with ``shape`` (shared memory)."""
    n = int(np.prod(shape))
    return arr.reshape((-1,))[:n].reshape(shape)
