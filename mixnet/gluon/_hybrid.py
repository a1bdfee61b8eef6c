"""What hybridization needs besides Block: flattening nested inputs/outputs, and
``CachedGraph``, a traced Symbol run op by op on NDArrays (MXNet's CachedOp).

The graph runs through the same imperative dispatch as ``mx.nd`` calls, so autograd
records it exactly as it would record the un-hybridized block.

Layer 11: imports symbol, ndarray, graph and below.
"""
from ..graph.node import topo_order
from ..ndarray import NDArray, dispatch
from ..ndarray.ndarray import new_array
from ..symbol import Symbol

__all__ = ["flatten", "regroup", "gather_type_ctx_info", "CachedGraph"]


def flatten(args, inout_str):
    """Flatten nested lists of NDArray/Symbol/None into a list plus a format to regroup.

    Format codes: 0 a single array/symbol, -1 None, n > 0 a list of n formats.
    """
    if isinstance(args, NDArray):
        return [args], 0
    if isinstance(args, Symbol):
        length = len(args.list_outputs())
        return [args], (0 if length <= 1 else length)
    if args is None:
        return [None], -1
    if not isinstance(args, (list, tuple)):
        raise ValueError(f"When hybridized, the {inout_str} of HybridBlock must be (nested) "
                         f"list of Symbol or NDArray, but got {args} of type {type(args)}")
    flat, fmts = [], []
    for item in args:
        sub, fmt = flatten(item, inout_str)
        flat.extend(sub)
        fmts.append(fmt)
    return flat, fmts


def regroup(args, fmt):
    """Inverse of ``flatten``."""
    return _merge(list(args), fmt)[0]


def _merge(args, fmt):
    if isinstance(fmt, int):
        if fmt < -1:
            raise ValueError(f"Unsupported encoded format {fmt}.")
        if fmt == 0:
            return args[0], args[1:]
        if fmt == -1:
            if args[0] is not None:
                raise ValueError("We do not support passing types that are not None when the "
                                 "initial HybridBlock has received NoneType and has been "
                                 f"hybridized. Received arg = {args[0]}, fmt = {fmt}.")
            return None, args[1:]
        return args[:fmt], args[fmt:]
    if not isinstance(args, (list, tuple)):
        raise ValueError("When hybridized, the output of HybridBlock must be (nested) list of "
                         f"Symbol or NDArray, but got {args} of type {type(args)}")
    ret = []
    for sub in fmt:
        res, args = _merge(args, sub)
        ret.append(res)
    return ret, args


def gather_type_ctx_info(args):
    """(has_symbol, has_ndarray, set of contexts, first context) of nested ``args``."""
    if isinstance(args, NDArray):
        return False, True, {args.context}, args.context
    if isinstance(args, Symbol):
        return True, False, set(), None
    has_sym = has_nd = False
    ctxs, first = set(), None
    if isinstance(args, (list, tuple)):
        for item in args:
            s, n, c, f = gather_type_ctx_info(item)
            has_sym, has_nd = has_sym or s, has_nd or n
            ctxs |= c
            first = f if first is None else first
    return has_sym, has_nd, ctxs, first


def _output_name(node, index):
    if node.op is None:
        return node.name
    if node.op.num_visible_outputs(node.params) == 1:
        return f"{node.name}_output"
    return f"{node.name}_output{index}"


class CachedGraph:
    """A Symbol compiled to a list of steps over a flat value list.

    ``feed_names``: the variable names supplied, in order, on each call (data inputs then
    parameters). Calling returns the NDArrays of the symbol's outputs.
    """

    def __init__(self, sym, feed_names):
        self.symbol = sym
        slot = {}
        for name in feed_names:
            slot[name] = len(slot)
        missing = [n.name for n in sym._nodes() if n.op is None and n.name not in slot]
        if missing:
            raise ValueError(f"Unknown input(s) {missing} in the hybridized graph; expected "
                             f"one of {list(feed_names)}")
        self.num_feeds = len(feed_names)
        self.steps = []
        count = len(feed_names)
        for node in topo_order(sym._outputs):
            if node.op is None:
                slot[(id(node), 0)] = slot[node.name]
                continue
            inputs = [slot[(id(e.node), e.index)] for e in node.inputs]
            nvis = node.op.num_visible_outputs(node.params)
            for i in range(nvis):
                slot[(id(node), i)] = count + i
            count += nvis
            self.steps.append((node, inputs, nvis))
        self.outputs = [slot[(id(e.node), e.index)] for e in sym._outputs]
        self.callback = None
        self.monitor_all = False

    def __call__(self, feeds):
        values = list(feeds)
        for node, inputs, nvis in self.steps:
            args = [values[i] for i in inputs]
            outs = dispatch.invoke(node.op, args, node.params, new_array=new_array)
            outs = [outs] if nvis == 1 else list(outs)
            values.extend(outs)
            if self.callback is not None:
                self._monitor(node, args, outs)
        return [values[i] for i in self.outputs]

    def _monitor(self, node, args, outs):
        if self.monitor_all:
            names = node.op.input_names(node.params)
            for name, arr in zip(names, args):
                self.callback(f"{node.name}_{name}", node.op.name, arr)
        for i, arr in enumerate(outs):
            self.callback(_output_name(node, i), node.op.name, arr)
