"""Run graph nodes on NDArrays through imperative dispatch (autograd's backward).

``value_of(entry)`` supplies arrays that already exist (variables, saved forward
outputs); every other node reachable from the requested entries is computed once, in
dependency order.
"""
from ..graph.node import topo_order
from ..ndarray import dispatch
from ..ndarray.ndarray import new_array

__all__ = ["run_graph"]


def run_graph(entries, value_of):
    """NDArrays for ``entries``; nodes without a value are computed via the engine."""
    values = {}
    order = topo_order(entries, known=lambda e: value_of(e) is not None)
    used = set(entries)
    for node in order:
        used.update(node.inputs)
    for node in order:
        inputs = [values[e] if e in values else value_of(e) for e in node.inputs]
        req = None
        if node.op.output_req:
            req = [node.output(i) in used for i in range(node.num_outputs)]
        outs = dispatch.invoke(node.op, inputs, node.params, new_array=new_array, req=req)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        for i, arr in enumerate(outs):
            values[node.output(i)] = arr
    return [values[e] if e in values else value_of(e) for e in entries]
