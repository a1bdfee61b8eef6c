"""``Custom``: operators written in Python (``mx.operator.CustomOp`` / ``CustomOpProp``).

The op's params carry the registered ``op_type``, the user's keyword arguments (strings,
as MXNet passes them to the prop's ``__init__``) and a per-node state holding the prop
and the operator instances it created, so forward and backward of one node (or one
imperative call) share an operator, as in MXNet. The user's code runs at the NDArray
level, in mixnet/operator.py (the runtime installs itself in ``RUNTIME``).
"""
import threading

import numpy as np

from ..base import MXNetError, MXNetValueError
from .infer import ShapeError, InferTypeError
from .param import Param, Str, Any
from .registry import op

__all__ = ["PROPS", "CustomParam"]

PROPS = {}            # reg_name -> CustomOpProp subclass (mx.operator.register)


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
        state = kwargs.pop("custom_state", None)   # given: backward shares forward's
        pairs = tuple(pairs or ()) + tuple((k, str(v)) for k, v in kwargs.items())
        return cls(op_type=str(op_type), custom_kwargs=pairs,
                   custom_state=state or _State(str(op_type), pairs))

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


# --- the ops -----------------------------------------------------------------------
# The NDArray-level runtime (mixnet/operator.py, above ndarray and the engine) installs
# itself here: {"forward": f(params, raw arrays, is_train), "backward": f(params, raw,
# req)}; it also sets the ops' ``imperative`` hooks.
RUNTIME = {}


def _runtime(key):
    fn = RUNTIME.get(key)
    if fn is None:
        raise MXNetError("Custom operators need mixnet.operator (import mixnet.operator)")
    return fn


@op("Custom", params=CustomParam, train=True, infer_shape=_infer_shape,
    infer_type=_infer_type, num_outputs=lambda p: len(p.custom_state.outs),
    output_names=lambda p: p.custom_state.outs,
    aux=lambda p: len(p.custom_state.aux),
    list_inputs=lambda p: p.custom_state.args + p.custom_state.aux)
def custom(xp, params, *arrays, is_train=False):
    """Apply a custom operator implemented in a frontend language (like Python)."""
    res = _runtime("forward")(params, list(arrays), is_train)
    return res[0] if len(res) == 1 else tuple(res)


@custom.gradient
def _(F, node, ograds):
    p = node.params
    st = p.custom_state
    n_in = len(st.args)
    entries = list(ograds) + list(node.inputs[:n_in]) + node.outputs + \
        list(node.inputs[n_in:])
    # the same state: backward runs on the operator that forward created
    grads = F._backward_Custom(*entries, op_type=p.op_type, custom_kwargs=p.custom_kwargs,
                               custom_state=st)
    grads = [grads] if n_in == 1 else list(grads)
    return grads + [None] * len(st.aux)


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
    need = req if req is not None else (True,) * len(params.custom_state.args)
    res = _runtime("backward")(params, list(arrays), need)
    res = [r if n else None for r, n in zip(res, need)]
    return res[0] if len(res) == 1 else tuple(res)


for _op in (custom, backward_custom):
    _op.open_params = True        # any keyword is a parameter (see CustomParam.create)
custom.split_call = _split_call
