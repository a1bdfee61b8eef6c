"""``Custom``: operators written in Python (``mx.operator.CustomOp`` / ``CustomOpProp``).

The op's params carry the registered ``op_type``, the user's keyword arguments (strings,
as MXNet passes them to the prop's ``__init__``) and a per-node state holding the prop
and the operator instances it created, so forward and backward of one node (or one
imperative call) share an operator, as in MXNet. The user's code runs at the NDArray
level: imperatively on the caller's thread, and inside executors as the kernel of one
step, with the engine running every op it pushes synchronously.
"""
import contextlib
import threading

import numpy as np

from ..base import MXNetError, MXNetValueError
from ..graph.node import Node
from .infer import ShapeError, InferTypeError
from .param import Param, Str, Any
from .registry import op

__all__ = ["PROPS", "CustomParam"]

PROPS = {}            # reg_name -> CustomOpProp subclass (mx.operator.register)
_REQ_OF = {True: "write", False: "null"}


class _State:
    """The prop of one Custom node (or imperative call) and its operator instances."""

    def __init__(self, op_type, kwargs):
        cls = PROPS.get(op_type)
        if cls is None:
            raise MXNetValueError(f"Operator Custom: Cannot find custom operator {op_type!r} "
                                  f"(registered: {sorted(PROPS)})")
        self.op_type = op_type
        self.prop = cls(**dict(kwargs))
        self.args = list(self.prop.list_arguments())
        self.outs = list(self.prop.list_outputs())
        self.aux = list(self.prop.list_auxiliary_states())
        self._operators = {}
        self._lock = threading.Lock()

    def operator(self, ctx, shapes, dtypes):
        """The CustomOp for these input shapes/dtypes (created once, as at bind time)."""
        from ..dtype import DTYPE_TO_CODE
        key = (ctx, tuple(shapes), tuple(dtypes))
        with self._lock:
            found = self._operators.get(key)
            if found is None:
                found = self._operators[key] = self.prop.create_operator(
                    ctx, [list(s) for s in shapes], [DTYPE_TO_CODE[np.dtype(t)] for t in dtypes])
        return found


class CustomParam(Param):
    op_type = Str(doc="Name of the custom operator (registered with mx.operator.register)")
    custom_kwargs = Any((), "The other keyword arguments, as (name, string) pairs")
    custom_state = Any(None, "Internal: the prop and operators of this node")

    @classmethod
    def create(cls, op_name, kwargs):
        """Every keyword other than ``op_type`` goes to the prop, as a string (MXNet)."""
        kwargs = dict(kwargs)
        op_type = kwargs.pop("op_type", None)
        if not op_type:
            raise MXNetValueError(f"Operator {op_name}: Required argument `op_type` is missing.")
        pairs = kwargs.pop("custom_kwargs", None)
        kwargs.pop("custom_state", None)
        pairs = tuple(pairs or ()) + tuple((k, str(v)) for k, v in kwargs.items())
        return cls(op_type=str(op_type), custom_kwargs=pairs,
                   custom_state=_State(str(op_type), pairs))

    def to_attrs(self):
        return {"op_type": self.op_type, **dict(self.custom_kwargs)}

    non_default_attrs = to_attrs


def _split_call(args, kwargs, array_type):
    """Inputs of ``Custom(*inputs, op_type=..., **kwargs)``: positional arrays, or
    arrays of type ``array_type`` by argument name; every other keyword is a parameter."""
    named = {k: v for k, v in kwargs.items() if isinstance(v, array_type)}
    rest = {k: v for k, v in kwargs.items() if k not in named}
    inputs = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) \
        else list(args)
    if named:
        if "op_type" not in rest:
            raise MXNetValueError("Operator Custom: Required argument `op_type` is missing.")
        names = _state_for(rest).args + _state_for(rest).aux
        unknown = [k for k in named if k not in names]
        if unknown:
            raise MXNetValueError(f"Operator Custom ({rest['op_type']}): unknown input(s) "
                                  f"{unknown}; its inputs are {names}")
        named.update(zip(names, inputs))
        inputs = [named.get(n) for n in names]
        while inputs and inputs[-1] is None:
            inputs.pop()
    return inputs, rest


def _state_for(kwargs):
    return _State(kwargs["op_type"], tuple((k, str(v)) for k, v in kwargs.items()
                                           if k != "op_type"))


# --- shape / type rules (the prop's infer_shape / infer_type) ----------------------
def _unpack(res, what, st, given):
    if len(res) == 2:
        ins, outs, aux = res[0], res[1], []
    elif len(res) == 3:
        ins, outs, aux = res
    else:
        raise ShapeError(f"{st.op_type}.{what} must return 2 or 3 lists")
    for name, got, want in (("input", ins, len(st.args)), ("output", outs, len(st.outs)),
                            ("aux state", aux, len(st.aux))):
        if len(got) != want:
            raise ShapeError(f"{st.op_type}.{what}: expecting {want} entries in returned "
                             f"{name} {what[6:]}s, got {len(got)}")
    return list(ins) + list(aux), list(outs)


def _as_shape(s):
    s = tuple(int(d) for d in s) if s is not None else ()
    return s if s else None     # () is MXNet 1.x's unknown shape


def _infer_shape(params, in_shapes):
    st = params.custom_state
    n_in = len(st.args)
    given = [list(s) if s is not None else [] for s in in_shapes[:n_in]]
    try:
        res = st.prop.infer_shape(given)
    except Exception as err:  # noqa: BLE001 - user code; unknown inputs may trip it
        if any(s is None for s in in_shapes[:n_in]):
            return [None] * len(st.outs)
        raise ShapeError(f"Error in {st.op_type}.infer_shape: {type(err).__name__}: {err}") \
            from None
    ins, outs = _unpack(res, "infer_shape", st, given)
    for i, s in enumerate(ins[:len(in_shapes)]):
        if _as_shape(s) is not None:
            in_shapes[i] = _as_shape(s)
    return [_as_shape(s) for s in outs]


def _infer_type(params, in_types):
    st = params.custom_state
    n_in = len(st.args)
    if all(t is None for t in in_types[:n_in]):
        return [None] * len(st.outs)
    given = [None if t is None else np.dtype(t).type for t in in_types[:n_in]]
    try:
        res = st.prop.infer_type(given)
        ins, outs = _unpack(res, "infer_type", st, given)
    except Exception as err:  # noqa: BLE001 - user code; unknown inputs may trip it
        if any(t is None for t in given):
            return [None] * len(st.outs)
        raise InferTypeError(f"Error in {st.op_type}.infer_type: {type(err).__name__}: "
                             f"{err}") from None
    for i, t in enumerate(ins[:len(in_types)]):
        if t is not None and in_types[i] is None:
            in_types[i] = np.dtype(t)
    return [None if t is None else np.dtype(t) for t in outs]


# --- running the user's code -------------------------------------------------------
_sync_lock = threading.Lock()
_sync_depth = [0, None]


@contextlib.contextmanager
def _synchronous():
    """Run every op pushed meanwhile on the pushing thread (no hand-off to workers).

    User code inside an executor step runs on an engine worker; an op it pushed to the
    (small) worker pool while the worker waits for it could deadlock. Inline ops keep
    their dependency order, so this changes only where work runs, never its order.
    """
    from .. import engine
    eng = engine.get_engine()
    if not hasattr(eng, "_inline_size"):     # NaiveEngine: already synchronous
        yield
        return
    with _sync_lock:
        if _sync_depth[0] == 0:
            _sync_depth[1] = eng._inline_size
            eng._inline_size = float("inf")
        _sync_depth[0] += 1
    try:
        yield
    finally:
        with _sync_lock:
            _sync_depth[0] -= 1
            if _sync_depth[0] == 0:
                eng._inline_size = _sync_depth[1]


@contextlib.contextmanager
def _not_recording():
    from ..graph import tape
    prev = tape.set_recording(False)
    try:
        yield
    finally:
        tape.set_recording(prev)


def _run_forward(st, ctx, in_data, aux, is_train):
    """Call the user's forward on NDArrays; return the output NDArrays."""
    from .. import ndarray as nd
    shapes = _infer_shape(_Params(st), [x.shape for x in in_data + aux])
    types = _infer_type(_Params(st), [x.dtype for x in in_data + aux])
    operator = st.operator(ctx, [x.shape for x in in_data], [x.dtype for x in in_data])
    out_data = [nd.zeros(s, ctx=ctx, dtype=t) for s, t in zip(shapes, types)]
    with _not_recording():
        operator.forward(is_train=bool(is_train), req=["write"] * len(out_data),
                         in_data=list(in_data), out_data=out_data, aux=list(aux))
    return out_data


def _run_backward(st, ctx, arrays, need):
    """Call the user's backward; ``arrays``: out_grad + in_data + out_data + aux."""
    from .. import ndarray as nd
    n_in, n_out = len(st.args), len(st.outs)
    out_grad, in_data = arrays[:n_out], arrays[n_out:n_out + n_in]
    out_data, aux = arrays[n_out + n_in:n_out * 2 + n_in], arrays[n_out * 2 + n_in:]
    operator = st.operator(ctx, [x.shape for x in in_data], [x.dtype for x in in_data])
    in_grad = [nd.zeros(x.shape, ctx=ctx, dtype=x.dtype) for x in in_data]
    with _not_recording():
        operator.backward(req=[_REQ_OF[bool(n)] for n in need], out_grad=list(out_grad),
                          in_data=list(in_data), out_data=list(out_data), in_grad=in_grad,
                          aux=list(aux))
    return in_grad


class _Params:
    """Just enough of a CustomParam for the rules (they only read the state)."""

    def __init__(self, st):
        self.custom_state = st


def _ctx_of(raw):
    from ..context import Context
    dev = getattr(raw, "device", None)
    return Context("gpu", int(dev.id)) if hasattr(dev, "id") else Context("cpu", 0)


def _as_kernel(run):
    """A kernel over raw xp arrays calling ``run(state, ctx, ndarrays)`` -> NDArrays."""
    def kernel(raws, params, aux_at):
        from ..ndarray.ndarray import from_xp
        st = params.custom_state
        ctx = _ctx_of(raws[0]) if raws else None
        with _synchronous():
            arrays = [from_xp(a, ctx) for a in raws]
            outs = run(st, ctx, arrays)
            res = []
            for o in outs:
                o.wait_to_read()
                res.append(o._data())
            for i in aux_at(st, len(raws)):    # aux states are updated in place
                arrays[i].wait_to_read()
                if arrays[i]._data() is not raws[i]:
                    raws[i][...] = arrays[i]._data()
        return res
    return kernel


def _aux_at(st, n):
    return range(n - len(st.aux), n)


# --- the ops -----------------------------------------------------------------------
@op("Custom", params=CustomParam, train=True, infer_shape=_infer_shape,
    infer_type=_infer_type, num_outputs=lambda p: len(p.custom_state.outs),
    output_names=lambda p: p.custom_state.outs,
    aux=lambda p: len(p.custom_state.aux),
    list_inputs=lambda p: p.custom_state.args + p.custom_state.aux)
def custom(xp, params, *arrays, is_train=False):
    """Apply a custom operator implemented in a frontend language (like Python)."""
    st = params.custom_state
    n_in = len(st.args)
    kernel = _as_kernel(lambda s, ctx, a: _run_forward(s, ctx, a[:n_in], a[n_in:], is_train))
    res = kernel(list(arrays), params, _aux_at)
    return res[0] if len(res) == 1 else tuple(res)


def _imperative_forward(params, inputs):
    from ..graph import tape
    st = params.custom_state
    n_in, n_aux = len(st.args), len(st.aux)
    if len(inputs) != n_in + n_aux:
        raise MXNetError(f"Operator Custom ({st.op_type}): expects {n_in + n_aux} inputs "
                         f"{st.args + st.aux}, got {len(inputs)}")
    from ..context import Context
    ctx = inputs[0].context if inputs else Context.default_ctx
    try:
        outs = _run_forward(st, ctx, list(inputs[:n_in]), list(inputs[n_in:]),
                            tape.is_training())
    except (ShapeError, InferTypeError) as err:
        raise type(err)(f"Operator Custom ({st.op_type}): {err}") from None
    if tape.is_recording():
        tape.record_op(custom, params, list(inputs), outs)
    return outs[0] if len(outs) == 1 else outs


custom.imperative = _imperative_forward


@custom.gradient
def _(F, node, ograds):
    st = node.params.custom_state
    n_in = len(st.args)
    entries = list(ograds) + list(node.inputs[:n_in]) + node.outputs + \
        list(node.inputs[n_in:])
    # the same params (state): backward runs on the operator forward created
    bnode = Node(backward_custom, f"{node.name}_backward", node.params, entries)
    return [bnode.output(i) for i in range(n_in)] + [None] * len(st.aux)


def _backward_names(p):
    st = p.custom_state
    return [f"out_grad_{n}" for n in st.outs] + st.args + st.outs + st.aux


def _backward_shape(params, in_shapes):
    st = params.custom_state
    n_out = len(st.outs)
    return [None if s is None else tuple(s) for s in in_shapes[n_out:n_out + len(st.args)]]


def _backward_type(params, in_types):
    st = params.custom_state
    n_out = len(st.outs)
    return list(in_types[n_out:n_out + len(st.args)])


@op("_backward_Custom", params=CustomParam, output_req=True, grad=None,
    infer_shape=_backward_shape, infer_type=_backward_type,
    num_outputs=lambda p: len(p.custom_state.args), list_inputs=_backward_names)
def backward_custom(xp, params, *arrays, req=None):
    """Backward of a custom operator (the user's ``CustomOp.backward``)."""
    st = params.custom_state
    need = req if req is not None else (True,) * len(st.args)
    kernel = _as_kernel(lambda s, ctx, a: _run_backward(s, ctx, a, need))
    res = kernel(list(arrays), params, _aux_at)
    res = [r if n else None for r, n in zip(res, need)]
    return res[0] if len(res) == 1 else tuple(res)


def _imperative_backward(params, inputs):
    st = params.custom_state
    ctx = inputs[0].context
    grads = _run_backward(st, ctx, list(inputs), (True,) * len(st.args))
    return grads[0] if len(grads) == 1 else grads


backward_custom.imperative = _imperative_backward
for _op in (custom, backward_custom):
    _op.open_params = True        # any keyword is a parameter (see CustomParam.create)
custom.split_call = _split_call
