"""Imperative op dispatch: infer shapes/types, make outputs, push the kernel, record.

This is the hot path of every ``nd.*`` call: keep it short.
"""
import math

from .. import backend, engine
from ..base import MXNetError
from ..context import Context
from ..graph import tape
from ..ops.infer import ShapeError, InferTypeError
from ..util import is_np_shape

__all__ = ["invoke", "invoke_dense", "rng_var", "format_shapes"]

_xp_cache = {}
_rng_vars = {}


def xp_of(ctx):
    xp = _xp_cache.get(ctx)
    if xp is None:
        xp = _xp_cache[ctx] = backend.array_module(ctx)
    return xp


def rng_var(ctx):
    """The engine variable that orders random draws on ``ctx``."""
    v = _rng_vars.get(ctx)
    if v is None:
        v = _rng_vars.setdefault(ctx, engine.new_var())
    return v


def format_shapes(names, shapes):
    return ", ".join(f"{n}={s}" for n, s in zip(names, shapes))


_infer_cache = {}


def _infer(op, params, inputs):
    # NOTE: np_shape mode changes shape rules (reductions to () vs (1,)), so it is keyed.
    # dtype numbers, not dtype objects: they hash and compare much faster
    if len(inputs) == 2:
        x, y = inputs
        key = (op, params, is_np_shape(), x.shape, x.dtype.num, y.shape, y.dtype.num)
    else:
        key = (op, params, is_np_shape()) + tuple([(x.shape, x.dtype.num) for x in inputs])
    try:
        return _infer_cache[key]
    except KeyError:
        res = _infer_uncached(op, params, inputs)
        if len(_infer_cache) > 4096:
            _infer_cache.clear()
        _infer_cache[key] = res
        return res
    except TypeError:   # unhashable params (e.g. a Python callback object)
        return _infer_uncached(op, params, inputs)


def _infer_uncached(op, params, inputs):
    expected = op.input_names(params)
    # ops with optional inputs check their count in their shape rule (better message)
    if len(inputs) != len(expected) and op._list_inputs is None:
        raise MXNetError(f"Operator {op.name}: expects {len(expected)} inputs, but got "
                         f"{len(inputs)} (inputs: {expected})")
    in_shapes = [x.shape for x in inputs]
    try:
        out_shapes = op.infer_shape(params, in_shapes)
    except ShapeError as err:
        names = op.input_names(params) if params is not None or op.variadic is None else []
        raise type(err)(f"Operator {op.name}: {err} (inputs: "
                        f"{format_shapes(names or op.inputs, [x.shape for x in inputs])})") \
            from None
    in_types = [x.dtype for x in inputs]
    try:
        out_types = op.infer_type(params, in_types)
    except InferTypeError as err:
        raise type(err)(f"Operator {op.name}: {err} (input dtypes: "
                        f"{[str(x.dtype) for x in inputs]})") from None
    out_shapes = [tuple(s) for s in out_shapes]
    cost = 0
    for shape in out_shapes:
        cost += math.prod(shape)
    return out_shapes, out_types, cost, op.num_visible_outputs(params)


def invoke(op, inputs, params, out=None, ctx=None, new_array=None, req=None):
    """Run ``op`` on NDArrays ``inputs``; return its visible output(s).

    ``out``: NDArray(s) to write into (MXNet's ``out=``); ``ctx``: device of ops with no
    array inputs; ``new_array(shape, dtype, ctx)`` makes fresh outputs; ``req``: which
    outputs are needed, for ``output_req`` ops (the others are left unwritten).
    """
    if op.imperative is not None:
        return op.imperative(params, inputs)
    for x in inputs:
        if x._stype_id:   # a sparse input: sparse kernels or the storage fallback
            return SPARSE_INVOKE[0](op, inputs, params, out, ctx, new_array, req)
    return invoke_dense(op, inputs, params, out, ctx, new_array, req)


# ndarray.sparse_dispatch installs its ``invoke`` here (it sits above this module)
SPARSE_INVOKE = [None]


def invoke_dense(op, inputs, params, out=None, ctx=None, new_array=None, req=None):
    """``invoke`` once sparse inputs are settled: they read as dense in the kernel."""
    if inputs:
        ctx = inputs[0]._ctx
        for x in inputs:
            if x._ctx is not ctx and x._ctx != ctx:
                raise MXNetError(f"Operator {op.name}: all inputs must be on one context, "
                                 f"got {ctx} and {x._ctx}")
    elif ctx is None:
        ctx = Context.default_ctx
    out_shapes, out_types, cost, nvis = _infer(op, params, inputs)
    eng = engine.get_engine()
    if out is None and op.plain and nvis == 1 and len(out_shapes) == 1 and \
            cost < eng.inline_size and eng.can_run_now([x._chunk.var for x in inputs]):
        return _run_now(eng, op, params, inputs, out_shapes[0], out_types[0], ctx, new_array)
    if out is None:
        outputs = [new_array(s, t, ctx) for s, t in zip(out_shapes, out_types)]
    else:
        outputs = _check_out(op, out, out_shapes, ctx)
    xp = _xp_cache.get(ctx) or xp_of(ctx)
    reads = [x._chunk.var for x in inputs]
    writes = [y._chunk.var for y in outputs]
    if op.plain and not op.output_req:
        if len(outputs) == 1:
            fn = _kernel1(op.forward, xp, params, inputs, outputs[0], out_shapes[0],
                          out_types[0])
        else:
            fn = _kernel(op.forward, xp, params, inputs, outputs, out_shapes, out_types, {})
    else:
        extras = _extras(op, ctx, inputs, writes)
        if op.output_req and req is not None:
            extras["req"] = tuple(req)
        fn = _kernel(op.forward, xp, params, inputs, outputs, out_shapes, out_types, extras)
    engine.push(fn, reads, writes, ctx, op.name, cost)
    if out is not None:
        return out
    if tape.is_recording():
        tape.record_op(op, params, inputs, outputs)
    return outputs[0] if nvis == 1 else outputs[:nvis]


def _extras(op, ctx, inputs, writes):
    """Keyword arguments of non-plain kernels; adds the variables they also write."""
    for i in op.mutate:
        writes.append(inputs[i]._chunk.var)
    extras = {}
    if op.random:
        extras["rng"] = backend.random.generator(ctx)
        writes.append(rng_var(ctx))
    if op.train:
        extras["is_train"] = tape.is_training()
    return extras


def _check_out(op, out, shapes, ctx):
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    if len(outs) != len(shapes):
        raise MXNetError(f"Operator {op.name}: out= has {len(outs)} arrays, the op makes "
                         f"{len(shapes)}")
    for o, s in zip(outs, shapes):
        if o.shape != tuple(s):
            raise ShapeError(f"Operator {op.name}: out= has shape {o.shape}, the result "
                             f"has shape {tuple(s)}")
        if o._ctx != ctx:
            raise MXNetError(f"Operator {op.name}: out= is on {o._ctx}, inputs on {ctx}")
    if tape.is_recording() and any(o._entry is not None for o in outs):
        raise MXNetError(f"Operator {op.name}: Inplace operations (+=, -=, x[:]=, etc) are "
                         "not supported when recording with autograd: the target is already "
                         "in a computational graph")
    return outs


def _result(r, args, dtype, shape, xp):
    """An op's raw result as an array the output may own (never one of its inputs)."""
    for a in args:
        if r is a:
            r = r.copy()
            break
    return backend.finalize(r, dtype, shape, xp)


def _kernel1(forward, xp, params, inputs, output, shape, dtype):
    """The kernel of a single-output op without extras (the common case)."""
    def run():
        args = [x._data() for x in inputs]
        output._store(_result(forward(xp, params, *args), args, dtype, shape, xp))
    return run


def _kernel(forward, xp, params, inputs, outputs, shapes, types, extras):
    def run():
        args = [x._data() for x in inputs]
        res = forward(xp, params, *args, **extras)
        if len(outputs) == 1:
            res = (res,)
        for y, r, s, t in zip(outputs, res, shapes, types):
            if r is not None:   # None: not required (output_req); reads see zeros
                y._store(_result(r, args, t, s, xp))
    return run


def _run_now(eng, op, params, inputs, shape, dtype, ctx, new_array):
    """The hot path: a cheap single-output op whose inputs are ready runs right here.

    Its output is fresh, so nothing else can be ordered against it: this is exactly
    what the engine would do, without building a closure and a pushed record.
    """
    y = new_array(shape, dtype, ctx)
    xp = _xp_cache.get(ctx) or xp_of(ctx)
    try:
        args = [x._data() for x in inputs]
        y._store(_result(op.forward(xp, params, *args), args, dtype, shape, xp))
    except Exception as err:  # noqa: BLE001 - rethrown at the next sync point, as MXNet
        eng.fail(err, op.name, [y._chunk.var])
    if tape.is_recording():
        tape.record_op(op, params, inputs, [y])
    return y
