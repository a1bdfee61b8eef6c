"""Ops on sparse arrays: sparse kernels where they exist, MXNet's storage fallback
otherwise.

``dispatch.invoke`` hands a call here when an input is sparse. In order:
1. a sparse kernel (``KERNELS``) that accepts these storage types runs;
2. an op that writes a sparse input in place (an optimizer state) runs on a dense copy
   that is written back;
3. the dense kernel runs: sparse inputs read as dense (``_data``), and outputs get the
   storage type MXNet infers for this op and these inputs (``out_stypes``), compacted
   when stored.
"""
import numpy as np

from .. import backend, engine
from ..base import MXNetError
from ..graph import tape
from ..ops import registry
from . import dispatch, sparse_xp
from .ndarray import _op_fn
from .ndarray import new_array as _new_dense
from .sparse_array import new_sparse

__all__ = ["KERNELS", "invoke", "out_stypes", "run"]

D, RSP, CSR = "default", "row_sparse", "csr"
KERNELS = {}   # op name -> kernel(op, params, inputs, stypes, out): result or NotImplemented


def invoke(op, inputs, params, out=None, ctx=None, new_array=None, req=None):
    """``dispatch.invoke`` for calls with at least one sparse input."""
    stypes = [x.stype for x in inputs]
    kernel = KERNELS.get(op.name)
    if kernel is not None:
        res = kernel(op, params, inputs, stypes, out)
        if res is not NotImplemented:
            return res
    if any(stypes[i] != D for i in op.mutate):
        return _write_back_fallback(op, inputs, params, out, ctx, new_array, req)
    wanted = out_stypes(op, params, stypes)
    if all(s == D for s in wanted):
        return dispatch.invoke_dense(op, inputs, params, out, ctx, new_array, req)
    it, make_dense = iter(wanted), new_array or _new_dense
    return dispatch.invoke_dense(op, inputs, params, out, ctx,
                                 lambda s, t, c: _make(next(it, D), s, t, c, make_dense), req)


def _write_back_fallback(op, inputs, params, out, ctx, new_array, req):
    """Run an op that mutates sparse inputs on dense copies, then store them back."""
    temps, back = list(inputs), []
    for i in op.mutate:
        if inputs[i].stype != D:
            temps[i] = _op_fn("cast_storage")(inputs[i], stype=D)
            back.append((temps[i], inputs[i]))
    res = dispatch.invoke(op, temps, params, out, ctx, new_array, req)
    for tmp, x in back:
        tmp.copyto(x)
    return res


def _make(stype, shape, dtype, ctx, make_dense=_new_dense):
    # csr is 2-d only and row_sparse needs rows: other shapes stay dense
    if stype == D or (stype == CSR and len(shape) != 2) or not shape:
        return make_dense(shape, dtype, ctx)
    return new_sparse(stype, shape, dtype, ctx)


# --- running a sparse kernel ----------------------------------------------------------
def _value(x):
    return x._sparse() if x._stype_id else x._data()


def dense(xp, value, arr):
    """``value`` (what a kernel got for NDArray ``arr``) as a dense array."""
    if isinstance(value, sparse_xp.SparseData):
        return sparse_xp.to_dense(xp, value, arr.shape, arr.dtype)
    return value


def _put(xp, y, r):
    """Store kernel result ``r`` (dense or SparseData) into NDArray ``y``."""
    if isinstance(r, sparse_xp.SparseData):
        if y.stype != (CSR if r.indptr is not None else RSP):
            r = sparse_xp.to_dense(xp, r, y.shape, y.dtype)
        y._store(r)
        return
    y._store(backend.finalize(r, y.dtype, y.shape, xp))


def _context(op, inputs):
    ctx = inputs[0]._ctx
    for x in inputs:
        if x._ctx != ctx:
            raise MXNetError(f"Operator {op.name}: all inputs must be on one context, "
                             f"got {ctx} and {x._ctx}")
    return ctx


def run(op, params, inputs, out, stypes, fn, mutate=()):
    """Push ``fn(xp, *input values)`` as op ``op`` and return its outputs, MXNet-style.

    Values are SparseData for sparse inputs, xp arrays otherwise. ``fn`` returns one
    value per output, then one per ``mutate`` input (written back into that input).
    New outputs get storage types ``stypes``; the call is recorded for autograd.
    """
    ctx = _context(op, inputs)
    shapes, types, cost, nvis = dispatch._infer(op, params, inputs)
    if out is None:
        outputs = [_make(st, s, t, ctx) for st, s, t in zip(stypes, shapes, types)]
    else:
        outputs = dispatch._check_out(op, out, shapes, ctx)
    targets = outputs + [inputs[i] for i in mutate]
    xp = dispatch.xp_of(ctx)

    def kernel():
        res = fn(xp, *[_value(x) for x in inputs])
        for y, r in zip(targets, res if isinstance(res, tuple) else (res,)):
            _put(xp, y, r)
    engine.push(kernel, [x._chunk.var for x in inputs], [y._chunk.var for y in targets],
                ctx, op.name, cost)
    if out is not None:
        return out
    if tape.is_recording():
        tape.record_op(op, params, inputs, outputs)
    return outputs[0] if nvis == 1 else outputs[:nvis]


def kernel(*names):
    """Decorator: register a sparse kernel for ops ``names``."""
    def register(fn):
        for name in names:
            op = registry.find(name)
            if op is not None:
                KERNELS[op.name] = fn
        return fn
    return register


# --- storage type inference (MXNet's FInferStorageType, for the fallback) -------------
_RULES = {}


def out_stypes(op, params, stypes):
    """The storage types MXNet gives the outputs of ``op`` on inputs of ``stypes``."""
    rule = _RULES.get(op.name)
    n = op.num_outputs(params)
    return [rule(op, params, stypes)] + [D] * (n - 1) if rule is not None else [D] * n


def _rule(*names):
    def register(fn):
        for name in names:
            op = registry.find(name)
            if op is not None:
                _RULES[op.name] = fn
        return fn
    return register


# f(0) == 0: sparse in, same sparse out (MXNet's unary ops with sparse kernels)
@_rule("abs", "sign", "round", "rint", "fix", "floor", "ceil", "trunc", "square", "sqrt",
       "cbrt", "sin", "tan", "arcsin", "arctan", "sinh", "tanh", "arcsinh", "arctanh",
       "expm1", "log1p", "relu", "degrees", "radians", "negative", "zeros_like", "_copy",
       "make_loss", "BlockGrad")
def _same(op, p, st):
    return st[0]


@_rule("elemwise_add", "elemwise_sub", "_grad_add", "_maximum", "_minimum", "_hypot")
def _same_pair(op, p, st):
    return st[0] if st[0] == st[1] else D


@_rule("elemwise_mul")
def _mul(op, p, st):
    a, b = st
    return a if a == b or b == D else (b if a == D else D)


@_rule("broadcast_mul", "broadcast_div")
def _csr_times_dense(op, p, st):
    return CSR if st == [CSR, D] else D


@_rule("_mul_scalar", "_div_scalar")
def _scaled(op, p, st):
    return st[0]


@_rule("_plus_scalar", "_minus_scalar", "_equal_scalar", "_not_equal_scalar",
       "_greater_scalar", "_greater_equal_scalar", "_lesser_scalar", "_lesser_equal_scalar")
def _if_zero_stays_zero(op, p, st):
    zero = np.zeros((1,), np.float32)
    return st[0] if float(np.asarray(op.forward(np, p, zero)).reshape(-1)[0]) == 0 else D


@_rule("clip")
def _clip(op, p, st):
    return st[0] if p.a_min <= 0 <= p.a_max else D


@_rule("slice")
def _slice(op, p, st):
    return CSR if st[0] == CSR and all(s in (None, 1) for s in (p.step or ())) else D


@_rule("Concat")
def _concat(op, p, st):
    return CSR if p.dim == 0 and all(s == CSR for s in st) else D


@_rule("take")
def _take(op, p, st):
    return CSR if st[0] == CSR and p.axis == 0 else D


@_rule("add_n")
def _all_rsp(op, p, st):
    return RSP if all(s == RSP for s in st) else D


@_rule("_sparse_retain")
def _retain(op, p, st):
    return RSP if st[0] == RSP else D


@_rule("dot")
def _dot(op, p, st):
    if p.forward_stype is not None:
        return p.forward_stype
    if st[0] == CSR and st[1] != CSR and p.transpose_a and not p.transpose_b:
        return RSP
    return CSR if st == [D, CSR] and not p.transpose_a else D   # MXNet's cpu kernel


from . import sparse_kernels  # noqa: F401  (registers the kernels: it needs run/kernel above)

dispatch.SPARSE_INVOKE[0] = invoke
