"""Shape and type inference over a graph (MXNet's InferShape / InferType passes).

Each op's rule sees its inputs' current shapes (None = unknown, 0 dims unknown) and may
fill unknown inputs (weights from data); sweeps repeat until nothing changes, so
information also flows from one consumer to other inputs of the same producer chain.
"""
from ...base import MXNetError
from ...ops.infer import ShapeError, InferTypeError, merge_shape

__all__ = ["infer_shapes", "infer_types", "InferenceError"]


class InferenceError(MXNetError):
    """Inference failed at a node; the message names the node, its op and input shapes."""


def _describe(node, values):
    names = node.op.input_names(node.params)
    return ", ".join(f"{n}={values.get(e)}" for n, e in zip(names, node.inputs))


def _run(order, values, rule_of, merge, what):
    """Sweep the rules until a fixed point; ``values``: Entry -> value (mutated)."""
    for _ in range(max(2, len(order))):
        changed = False
        for node in order:
            if node.op is None:
                continue
            ins = [values.get(e) for e in node.inputs]
            try:
                outs = rule_of(node.op)(node.params, ins)
            except (ShapeError, InferTypeError, MXNetError) as err:
                raise InferenceError(
                    f"Error in operator {node.name}: [{node.op.name}] {err} "
                    f"(inferring {what} of inputs: {_describe(node, values)})") from None
            back = getattr(node.op, "infer_shape_backward", None) if what == "shapes" else None
            if back is not None:
                known_outs = [values.get(node.output(i)) for i in range(node.num_outputs)]
                if any(o is not None for o in known_outs):
                    try:
                        back(node.params, ins, known_outs)
                    except (ShapeError, MXNetError) as err:
                        raise InferenceError(f"Error in operator {node.name}: "
                                             f"[{node.op.name}] {err}") from None
            for e, v in zip(node.inputs, ins):
                changed |= _update(values, e, v, merge, node, what)
            for i, v in enumerate(outs[:node.num_outputs]):
                changed |= _update(values, node.output(i), v, merge, node, what)
        if not changed:
            break
    return values


def _update(values, entry, new, merge, node, what):
    if new is None:
        return False
    old = values.get(entry)
    try:
        merged = merge(old, new)
    except (ShapeError, InferTypeError) as err:
        raise InferenceError(f"Error in operator {node.name}: [{node.op.name}] inconsistent "
                             f"{what}: {err}") from None
    # NOTE: ``np.dtype('float64') == None`` is True in NumPy, so test None by identity.
    if (old is None) != (merged is None) or merged != old:
        values[entry] = merged
        return True
    return False


def _merge_type(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise InferTypeError(f"{a} vs {b}")


def infer_shapes(order, values):
    """Infer shapes; ``values`` maps known Entries to shapes. Returns it, filled."""
    return _run(order, values, lambda op: op.infer_shape, merge_shape, "shapes")


def infer_types(order, values):
    """Infer dtypes; ``values`` maps known Entries to numpy dtypes. Returns it, filled."""
    return _run(order, values, lambda op: op.infer_type, _merge_type, "types")
