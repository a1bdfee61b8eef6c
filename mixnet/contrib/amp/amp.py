"""Automatic mixed precision for symbols (``mx.contrib.amp``), MXNet 1.x's graph form.

``convert_symbol`` inserts ``amp_cast`` nodes so that ops that are safe and fast in low
precision (matrix products, convolutions) run in ``target_dtype`` while everything else
stays float32; ``convert_model`` also casts the parameters those ops read.
"""
from ...graph.node import Node, topo_order
from ...ops import registry
from ...symbol import Symbol

__all__ = ["init", "convert_symbol", "convert_model", "list_lp16_ops", "list_fp32_ops",
           "LP16_OPS", "FP32_OPS"]

LP16_OPS = ("FullyConnected", "Convolution", "Deconvolution", "dot", "batch_dot", "RNN")
FP32_OPS = ("SoftmaxOutput", "softmax", "log_softmax", "BatchNorm", "LayerNorm", "norm",
            "exp", "log", "sum", "mean")
_state = {"target_dtype": None}


def init(target_dtype="float16", target_precision_ops=None, conditional_fp32_ops=None,
         fp32_ops=None, layout_optimization=False):
    """Remember the AMP target dtype (used as the default of the converters)."""
    if target_dtype not in ("float16", "bfloat16"):
        raise ValueError(f"AMP target_dtype must be float16 or bfloat16, got {target_dtype}")
    _state["target_dtype"] = target_dtype


def list_lp16_ops(target_dtype="float16"):
    """Ops run in low precision by convert_symbol."""
    return list(LP16_OPS)


def list_fp32_ops(target_dtype="float16"):
    """Ops kept in float32."""
    return list(FP32_OPS)


def convert_symbol(sym, target_dtype=None, target_dtype_ops=None, fp32_ops=None,
                   conditional_fp32_ops=None, excluded_sym_names=None, data_names=None,
                   cast_optional_params=False):
    """A copy of ``sym`` whose low-precision ops read ``amp_cast`` inputs.

    Their outputs are cast back to float32 so the rest of the graph is unchanged.
    """
    target = target_dtype or _state["target_dtype"] or "float16"
    lp16 = set(target_dtype_ops or LP16_OPS)
    excluded = set(excluded_sym_names or ())
    cast = registry.get("amp_cast")
    copies = {}
    for node in topo_order(sym._outputs):
        if node.op is None:
            continue
        inputs = [_mapped(e, copies) for e in node.inputs]
        new = Node(node.op, node.name, node.params, inputs, dict(node.attrs),
                   param_keys=node.param_keys)
        if node.op.name in lp16 and node.name not in excluded:
            new.inputs = [_cast(e, target, cast, f"{node.name}_in{i}")
                          for i, e in enumerate(inputs)]
            copies[id(node)] = _CastBack(new, cast)
        else:
            copies[id(node)] = new
    return Symbol([_mapped(e, copies) for e in sym._outputs])


class _CastBack:
    """A low-precision node whose outputs are read back as float32."""

    def __init__(self, node, cast):
        self.node = node
        self.outputs = {}
        self.cast = cast

    def output(self, index):
        if index not in self.outputs:
            self.outputs[index] = _cast(self.node.output(index), "float32", self.cast,
                                        f"{self.node.name}_out{index}")
        return self.outputs[index]


def _cast(entry, dtype, cast, name):
    node = Node(cast, f"{name}_amp_cast_{dtype}", cast.make_params({"dtype": dtype}),
                [entry], param_keys=("dtype",))
    return node.output(0)


def _mapped(entry, copies):
    new = copies.get(id(entry.node))
    return entry if new is None else new.output(entry.index)


def convert_model(sym, arg_params, aux_params, target_dtype=None, target_dtype_ops=None,
                  fp32_ops=None, conditional_fp32_ops=None, excluded_sym_names=None,
                  cast_optional_params=False):
    """Convert a symbol and its parameters; parameters stay float32 unless
    ``cast_optional_params`` (the graph casts them where needed)."""
    new_sym = convert_symbol(sym, target_dtype, target_dtype_ops, fp32_ops,
                             conditional_fp32_ops, excluded_sym_names)
    return new_sym, dict(arg_params), dict(aux_params)
