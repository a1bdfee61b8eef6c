"""The graph IR shared by autograd, Symbol and hybridized blocks: Node and Entry.

A Node is one op application (or a variable, ``op is None``); an Entry names one output
of a node. Graphs are plain DAGs of Nodes reached from their output entries.
"""
from typing import NamedTuple

__all__ = ["Node", "Entry", "topo_order", "is_variable"]


class Node:
    """One op application, or a variable when ``op`` is None.

    Attributes
    ----------
    op : ops.registry.Op or None
    name : str
    params : the op's Param record (or None)
    inputs : list of Entry
    attrs : dict of user attributes (strings, e.g. ``__shape__``, ``lr_mult``, ``ctx_group``)
    info : front-end payload (autograd keeps saved arrays here)
    param_keys : names of the parameters given explicitly (None: the non-default ones)
    """

    __slots__ = ("op", "name", "params", "inputs", "attrs", "info", "param_keys",
                 "__weakref__")

    def __init__(self, op, name="", params=None, inputs=(), attrs=None, info=None,
                 param_keys=None):
        self.op = op
        self.name = name
        self.params = params
        self.inputs = list(inputs)
        self.attrs = {} if attrs is None else attrs
        self.info = info
        # the parameters the user gave (what symbol JSON stores); None: the non-default ones
        self.param_keys = param_keys

    def param_attrs(self):
        """The op parameters as MXNet's string attributes (for JSON and ``attr``)."""
        if self.params is None:
            return {}
        if self.param_keys is None:
            return self.params.non_default_attrs()
        attrs = self.params.to_attrs()
        return {k: attrs[k] for k in self.param_keys if k in attrs}

    @property
    def is_variable(self):
        return self.op is None

    @property
    def num_outputs(self):
        return 1 if self.op is None else self.op.num_outputs(self.params)

    def output(self, i=0):
        """The Entry of output ``i``."""
        return Entry(self, i)

    @property
    def outputs(self):
        return [Entry(self, i) for i in range(self.num_outputs)]

    def __repr__(self):
        kind = "var" if self.op is None else self.op.name
        return f"<Node {kind} {self.name!r}>"


class Entry(NamedTuple):
    """Output ``index`` of ``node``."""

    node: Node
    index: int = 0


def is_variable(node):
    return node.op is None


def topo_order(heads, known=None):
    """Nodes reachable from ``heads`` (entries or nodes), inputs before users.

    ``known(entry)``: when given and true for an entry, the walk does not go through it
    (its value exists already).
    """
    order, seen = [], set()
    stack = [(e.node if isinstance(e, Entry) else e, False) for e in reversed(list(heads))
             if known is None or not known(e)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for e in reversed(node.inputs):
            if id(e.node) not in seen and (known is None or not known(e)):
                stack.append((e.node, False))
    return order
