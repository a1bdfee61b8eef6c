"""Common subexpression elimination (MXNet's MXNET_ELIMINATE_COMMON_EXPR pass).

Nodes applying the same op with the same parameters to the same inputs are merged;
ops that draw random numbers or mutate inputs are never merged. When two graph outputs
end up as one entry, a ``_copy`` keeps them distinct arrays, as MXNet does.
"""
from ...ops import registry
from ..node import Node, Entry, topo_order

__all__ = ["eliminate_common_expr"]


def eliminate_common_expr(outputs):
    """New output entries of an equivalent graph with duplicate nodes merged.

    The input graph is not modified: op nodes are copied, variables are shared.
    """
    replaced = {}   # id(old node) -> new node
    seen = {}       # (op, params, input entries) -> new node
    for node in topo_order(outputs):
        if node.op is None:
            continue
        inputs = [_map(e, replaced) for e in node.inputs]
        key = None
        if not (node.op.random or node.op.mutate or node.op.imperative is not None):
            try:
                key = (node.op, node.params, tuple((id(e.node), e.index) for e in inputs))
                hash(key)
            except TypeError:
                key = None
        if key is not None and key in seen:
            replaced[id(node)] = seen[key]
            continue
        new = Node(node.op, node.name, node.params, inputs, dict(node.attrs),
                   param_keys=node.param_keys)
        replaced[id(node)] = new
        if key is not None:
            seen[key] = new
    result, used = [], set()
    for e in outputs:
        e = _map(e, replaced)
        if (id(e.node), e.index) in used:
            copy = Node(registry.get("_copy"), e.node.name + "_copy", None, [e])
            e = copy.output(0)
        used.add((id(e.node), e.index))
        result.append(e)
    return result


def _map(entry, replaced):
    node = replaced.get(id(entry.node))
    return entry if node is None else Entry(node, entry.index)
