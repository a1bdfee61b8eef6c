"""``F`` for gradient rules: builds graph nodes from registered ops.

``F.broadcast_mul(a, b)`` with Entry arguments makes a Node and returns its Entry (or a
tuple of entries for multi-output ops), so a gradient rule written once serves autograd,
the symbolic gradient pass and higher-order gradients.
"""
from ..ops import registry
from .node import Node, Entry

__all__ = ["F", "GraphBuilder"]


class GraphBuilder:
    """Attribute access returns a node-building function for that op."""

    def __init__(self, name_prefix=""):
        self._prefix = name_prefix
        self._cache = {}
        # name of the forward node whose gradient is being built: its gradient nodes are
        # named "<forward name>_backward", as MXNet names them (monitors show them)
        self.scope = None

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        fn = self._cache.get(name)
        if fn is None:
            fn = self._cache[name] = _node_maker(registry.get(name))
        return fn


def _node_maker(op):
    def make(*inputs, **kwargs):
        entries = [e for e in inputs if e is not None]
        for e in entries:
            if not isinstance(e, Entry):
                raise TypeError(f"F.{op.name}: inputs must be graph entries, got {type(e)}")
        if op.variadic is not None and op.variadic not in kwargs:
            kwargs[op.variadic] = len(entries)
        name = f"{F.scope}_backward" if F.scope else op.name + "_backward"
        node = Node(op, name, op.make_params(kwargs), entries)
        n = op.num_visible_outputs(node.params)
        return node.output(0) if n == 1 else tuple(node.output(i) for i in range(n))
    make.__name__ = op.name
    return make


F = GraphBuilder()
