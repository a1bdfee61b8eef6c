"""Mirroring (MXNet's memonger): recompute cheap forward nodes during backward.

Backward usually keeps every forward output it reads alive from forward to backward.
With mirroring, a backward read of a cheap node's output (activation, elementwise,
normalization...) reads a clone of that node instead, computed from its own inputs in
backward; chains of cheap nodes are cloned back to the nearest expensive node
(Convolution, FullyConnected, ...), whose outputs stay the only ones kept.
"""
from ..node import Node

__all__ = ["mirror", "should_mirror"]

# Ops whose outputs are worth keeping (expensive to recompute), as in MXNet's policy.
_KEEP = {"Convolution", "Deconvolution", "FullyConnected", "dot", "batch_dot", "Concat",
         "SoftmaxOutput", "RNN", "Embedding", "Dropout"}


def should_mirror(node):
    """MXNet's default: mirror cheap ops; ``__force_mirroring__``/``mirror_stage`` override."""
    force = node.attrs.get("__force_mirroring__")
    if force is not None:
        return force.lower() in ("true", "1")
    if node.attrs.get("__mirror_stage__", "").lower() in ("true", "1"):
        return False
    # NOTE: ops that mutate inputs (BatchNorm's moving stats) are mirrored too; the
    # executor runs their clones without side effects (``__mirror__`` attribute).
    return node.op.name not in _KEEP and not node.op.random


def mirror(fwd_nodes, bwd_nodes, policy=should_mirror):
    """Rewrite ``bwd_nodes`` to read clones of mirrored forward nodes; return the clones.

    Callers re-derive the backward order from the gradient entries so that each clone
    runs just before its first reader (so clones are not all alive at once).
    """
    fwd_ids = {id(n) for n in fwd_nodes}
    clones = {}
    order = []

    def clone_of(node):
        c = clones.get(id(node))
        if c is None:
            inputs = [remap(e) for e in node.inputs]
            c = Node(node.op, node.name + "_mirror", node.params, inputs,
                     dict(node.attrs, __mirror__="1"), param_keys=node.param_keys)
            clones[id(node)] = c
            order.append(c)
        return c

    def remap(entry):
        node = entry.node
        if node.op is not None and id(node) in fwd_ids and policy(node):
            return clone_of(node).output(entry.index)
        return entry

    for node in bwd_nodes:
        node.inputs = [remap(e) for e in node.inputs]
    return order
