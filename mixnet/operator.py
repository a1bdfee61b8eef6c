"""Custom operators written in Python (``mx.operator``), as MXNet 1.9.

Subclass ``CustomOp`` (the computation) and ``CustomOpProp`` (names, shapes, types and
the factory of the op), register the prop with ``@mx.operator.register("name")``, then
call it as ``mx.nd.Custom(*inputs, op_type="name", **kwargs)`` or
``mx.sym.Custom(*inputs, op_type="name", **kwargs)``; keyword arguments reach the prop's
``__init__`` as strings. The op works imperatively, under autograd, and in executors.
"""
import contextlib
from collections import namedtuple

from . import engine
from . import ndarray as nd
from .base import MXNetError
from .context import Context
from .graph import tape
from .ndarray.ndarray import from_xp
from .ops import custom as _custom
from .ops import registry
from .ops.custom import PROPS
from .ops.infer import ShapeError, InferTypeError
from .util import is_np_array

OperatorArguments = namedtuple("OperatorArguments", ["narg", "names", "types"])

__all__ = ["CustomOp", "CustomOpProp", "register", "get_all_registered_operators",
           "get_operator_arguments"]


class CustomOp:
    """Base class for operators implemented in python"""

    def __init__(self):
        pass

    def forward(self, is_train, req, in_data, out_data, aux):
        """Forward interface: fill ``out_data`` (NDArrays) from ``in_data`` and ``aux``.

        ``req`` (one per output) says how: 'null', 'write', 'inplace' or 'add';
        ``self.assign(dst, req, src)`` honours it.
        """

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        """Backward interface: fill ``in_grad`` according to ``req`` (one per input)."""

    def assign(self, dst, req, src):
        """Helper function for assigning into dst depending on requirements."""
        if req == "null":
            return
        if req in ("write", "inplace"):
            if is_np_array():
                dst[()] = src
            else:
                dst[:] = src
        elif req == "add":
            if is_np_array():
                dst[()] += src
            else:
                dst[:] += src


class CustomOpProp:
    """Base class for operator property class implemented in python.

    Parameters
    ----------
    need_top_grad : bool
        The default declare_backward_dependency function. Use this value
        to determine whether this operator needs gradient input.
    """

    def __init__(self, need_top_grad=True):
        self.need_top_grad_ = need_top_grad

    def infer_shape(self, in_shape):
        """Return (input shapes, output shapes, aux shapes) from the argument shapes."""
        return in_shape, (in_shape[0],) * len(self.list_outputs()), ()

    def infer_type(self, in_type):
        """Return (input types, output types, aux types) from the argument types."""
        return in_type, [in_type[0]] * len(self.list_outputs()), \
            [in_type[0]] * len(self.list_auxiliary_states())

    def infer_storage_type(self, in_stype):
        """Storage types; the default allows only dense ('default') arrays."""
        for i, stype in enumerate(in_stype):
            assert stype == "default", \
                "Default infer_storage_type implementation doesnt allow non default stypes: " \
                f"found non default stype '{stype}' for in_stype[{i}]. Please implement " \
                "infer_storage_type and infer_storage_type_backward interface " \
                "in your custom operator if you have non-default input/output stypes"
        return in_stype, ["default"] * len(self.list_outputs()), \
            ["default"] * len(self.list_auxiliary_states())

    def infer_storage_type_backward(self, ograd_stype, in_stype, out_stype, igrad_stype,
                                    aux_stype):
        """Backward storage types; the default makes every one 'default'."""
        for name, stypes in (("ograd_stype", ograd_stype), ("igrad_stype", igrad_stype)):
            for i, stype in enumerate(stypes):
                assert stype in ("default", "undefined"), \
                    "Default infer_storage_type_backward implementation doesnt allow non " \
                    f"default stypes: found non default stype '{stype}' for {name}[{i}]."
        lists = [ograd_stype, in_stype, out_stype, igrad_stype, aux_stype]
        return tuple(["default"] * len(x) for x in lists)

    def list_outputs(self):
        """Names of the outputs."""
        return ["output"]

    def list_arguments(self):
        """Names of the arguments (inputs)."""
        return ["data"]

    def list_auxiliary_states(self):
        """Names of the auxiliary states."""
        return []

    def declare_backward_dependency(self, out_grad, in_data, out_data):
        """Ids of the blobs backward needs (out_grad only when need_top_grad)."""
        deps = []
        if self.need_top_grad_:
            deps.extend(out_grad)
        deps.extend(in_data)
        deps.extend(out_data)
        return deps

    def create_operator(self, ctx, in_shapes, in_dtypes):
        """Create the CustomOp for the context, input shapes and dtype codes."""
        return CustomOp()


def register(reg_name):
    """Register a subclass of CustomOpProp to the registry with name reg_name."""
    def do_register(prop_cls):
        PROPS[reg_name] = prop_cls
        return prop_cls
    return do_register


register("custom_op")(CustomOpProp)


def get_all_registered_operators():
    """Get all registered MXNet operator names (canonical names and aliases)."""
    return sorted(registry.all_names())


def get_operator_arguments(op_name):
    """(narg, names, types) of an operator's parameters."""
    op = registry.get(op_name)
    specs = op.params._specs if op.params is not None else {}
    names = list(specs)
    types = [s.describe() for s in specs.values()]
    return OperatorArguments(len(names), names, types)


# --- the runtime of the Custom op (user code at the NDArray level) ---------------------
_REQ_OF = {True: "write", False: "null"}


def _synchronous():
    """Ops pushed by the user's code run on this thread (see engine.synchronous)."""
    return engine.synchronous()


@contextlib.contextmanager
def _not_recording():
    prev = tape.set_recording(False)
    try:
        yield
    finally:
        tape.set_recording(prev)


class _Params:
    """Just enough of a CustomParam for the shape/type rules (they read the state)."""

    def __init__(self, st):
        self.custom_state = st


def _run_forward(st, ctx, in_data, aux, is_train):
    """Call the user's forward on NDArrays; return the output NDArrays."""
    shapes = _custom._infer_shape(_Params(st), [x.shape for x in in_data + aux])
    types = _custom._infer_type(_Params(st), [x.dtype for x in in_data + aux])
    operator = st.operator(ctx, [x.shape for x in in_data], [x.dtype for x in in_data])
    out_data = [nd.zeros(s, ctx=ctx, dtype=t) for s, t in zip(shapes, types)]
    with _not_recording():
        operator.forward(is_train=bool(is_train), req=["write"] * len(out_data),
                         in_data=list(in_data), out_data=out_data, aux=list(aux))
    return out_data


def _run_backward(st, ctx, arrays, need):
    """Call the user's backward; ``arrays``: out_grad + in_data + out_data + aux."""
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


def _ctx_of(raw):
    dev = getattr(raw, "device", None)
    return Context("gpu", int(dev.id)) if hasattr(dev, "id") else Context("cpu", 0)


def _kernel(run, st, raws):
    """Run ``run(ctx, ndarrays)`` on raw xp arrays (an executor step); raw results."""
    ctx = _ctx_of(raws[0]) if raws else Context.default_ctx
    with _synchronous():
        arrays = [from_xp(a, ctx) for a in raws]
        outs = run(ctx, arrays)
        res = []
        for o in outs:
            o.wait_to_read()
            res.append(o._data())
        for i in range(len(raws) - len(st.aux), len(raws)):   # aux states: in place
            arrays[i].wait_to_read()
            if arrays[i]._data() is not raws[i]:
                raws[i][...] = arrays[i]._data()
    return res


def _kernel_forward(params, raws, is_train):
    st = params.custom_state
    n_in = len(st.args)
    return _kernel(lambda ctx, a: _run_forward(st, ctx, a[:n_in], a[n_in:], is_train),
                   st, raws)


def _kernel_backward(params, raws, need):
    st = params.custom_state
    return _kernel(lambda ctx, a: _run_backward(st, ctx, a, need), st, raws)


def _imperative_forward(params, inputs):
    st = params.custom_state
    n_in, n_aux = len(st.args), len(st.aux)
    if len(inputs) != n_in + n_aux:
        raise MXNetError(f"Operator Custom ({st.op_type}): expects {n_in + n_aux} inputs "
                         f"{st.args + st.aux}, got {len(inputs)}")
    ctx = inputs[0].context if inputs else Context.default_ctx
    try:
        outs = _run_forward(st, ctx, list(inputs[:n_in]), list(inputs[n_in:]),
                            tape.is_training())
    except (ShapeError, InferTypeError) as err:
        raise type(err)(f"Operator Custom ({st.op_type}): {err}") from None
    if tape.is_recording():
        tape.record_op(_custom.custom, params, list(inputs), outs)
    return outs[0] if len(outs) == 1 else outs


def _imperative_backward(params, inputs):
    st = params.custom_state
    grads = _run_backward(st, inputs[0].context, list(inputs), (True,) * len(st.args))
    return grads[0] if len(grads) == 1 else grads


_custom.RUNTIME.update(forward=_kernel_forward, backward=_kernel_backward)
_custom.custom.imperative = _imperative_forward
_custom.backward_custom.imperative = _imperative_backward
