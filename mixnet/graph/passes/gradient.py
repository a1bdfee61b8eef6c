"""The gradient pass: reverse-mode differentiation over the graph IR.

Used by autograd (on the recorded tape) and by the symbolic executor alike. Each op's
rule builds gradient nodes with ``F``; several contributions to one entry are summed
with one ``add_n`` node (MXNet's ElementWiseSum aggregation).
"""
from ...base import MXNetError
from ...ops.registry import NOT_DECLARED
from ..builder import F
from ..node import topo_order

__all__ = ["gradient"]


def gradient(ys, xs, ys_grads):
    """Gradient entries of ``xs`` given heads ``ys`` and their gradients ``ys_grads``.

    Parameters
    ----------
    ys : list of Entry
    xs : list of Entry (usually variables)
    ys_grads : list of Entry, one per head

    Returns
    -------
    list of Entry or None (None: no path from that x to the heads; gradient zero)
    """
    order = topo_order(ys)
    wanted = {id(x.node) for x in xs}
    on_path = _nodes_depending_on(order, wanted)
    contributions = {}
    for y, g in zip(ys, ys_grads):
        contributions.setdefault(y, []).append(g)
    for node in reversed(order):
        if node.op is None or id(node) not in on_path:
            continue
        ograds = [_sum(contributions.pop(e, None)) for e in node.outputs]
        if all(g is None for g in ograds):
            continue
        for i, g in enumerate(ograds):
            if g is None:
                ograds[i] = F.zeros_like(node.output(i))
        for e, g in zip(node.inputs, _input_grads(node, ograds)):
            if g is not None and id(e.node) in on_path:
                contributions.setdefault(e, []).append(g)
    return [_sum(contributions.get(x)) for x in xs]


def _input_grads(node, ograds):
    rule = node.op.grad
    if rule is NOT_DECLARED:
        raise MXNetError(f"Operator {node.op.name} is non-differentiable because it didn't "
                         f"register a gradient")
    if rule is None:
        return [None] * len(node.inputs)
    F.scope = node.name
    try:
        grads = list(rule(F, node, ograds))
    finally:
        F.scope = None
    if len(grads) != len(node.inputs):
        raise MXNetError(f"gradient of {node.op.name} returned {len(grads)} gradients "
                         f"for {len(node.inputs)} inputs")
    return grads


def _sum(grads):
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    return F.add_n(*grads)


def _nodes_depending_on(order, wanted):
    """ids of nodes that are, or depend on, the wanted nodes."""
    on_path = set()
    for node in order:
        if id(node) in wanted or any(id(e.node) in on_path for e in node.inputs):
            on_path.add(id(node))
    return on_path
