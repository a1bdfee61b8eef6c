"""Custom operators written in Python (``mx.operator``), as MXNet 1.9.

Subclass ``CustomOp`` (the computation) and ``CustomOpProp`` (names, shapes, types and
the factory of the op), register the prop with ``@mx.operator.register("name")``, then
call it as ``mx.nd.Custom(*inputs, op_type="name", **kwargs)`` or
``mx.sym.Custom(*inputs, op_type="name", **kwargs)``; keyword arguments reach the prop's
``__init__`` as strings. The op works imperatively, under autograd, and in executors.
"""
from collections import namedtuple

from .ops import registry
from .ops.custom import PROPS
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

