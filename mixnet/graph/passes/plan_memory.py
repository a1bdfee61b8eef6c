"""Static memory planning: how many bytes a graph's intermediate values need.

Values get storage blocks by liveness over the execution order: a block is reused by a
later value once every reader of its current value has run (sharing), and an op that
declares ``inplace=((i, o),)`` writes its output into input ``i``'s block when that
input dies at the op. The report compares this against one buffer per value.
"""
import numpy as np

__all__ = ["plan_memory", "MemoryPlan"]


class MemoryPlan(dict):
    """Report: naive_bytes (a buffer per value), shared_bytes (with reuse), and the
    storage id of each entry (``storage``)."""


def _nbytes(shape, dtype):
    if shape is None:
        return 0
    return int(np.prod(shape)) * np.dtype(dtype or np.float32).itemsize


def plan_memory(order, shapes, dtypes, keep=(), share=True, inplace=True):
    """Plan storage for the outputs of op nodes in ``order`` (their execution order).

    ``keep``: entries that must stay alive to the end (graph outputs, gradients).
    """
    last_use = {}
    for n, node in enumerate(order):
        for e in node.inputs:
            last_use[e] = n
    keep = set(keep)
    free, blocks, storage = [], [], {}
    naive = 0
    for n, node in enumerate(order):
        if node.op is None:
            continue
        dying = [e for e in node.inputs
                 if e in storage and last_use.get(e) == n and e not in keep]
        for i in range(node.num_outputs):
            out = node.output(i)
            size = _nbytes(shapes.get(out), dtypes.get(out))
            naive += size
            sid = _inplace_block(node, i, dying, storage, blocks, size) if inplace else None
            if sid is None:
                sid = _take(free, blocks, size) if share else None
            if sid is None:
                sid = len(blocks)
                blocks.append(size)
            storage[out] = sid
        for e in dying:
            sid = storage[e]
            if sid not in [storage[node.output(i)] for i in range(node.num_outputs)]:
                free.append(sid)
        for i in range(node.num_outputs):
            out = node.output(i)
            if out not in last_use and out not in keep:
                free.append(storage[out])
    return MemoryPlan(naive_bytes=naive, shared_bytes=sum(blocks), storage=storage,
                      num_blocks=len(blocks))


def _inplace_block(node, i, dying, storage, blocks, size):
    for src, dst in node.op.inplace:
        if dst == i and src < len(node.inputs) and node.inputs[src] in dying:
            sid = storage[node.inputs[src]]
            if blocks[sid] >= size:
                dying.remove(node.inputs[src])
                return sid
    return None


def _take(free, blocks, size):
    """Best fit among free blocks; the largest one grows when none is big enough."""
    if not free:
        return None
    fits = [sid for sid in free if blocks[sid] >= size]
    sid = min(fits, key=lambda s: blocks[s]) if fits else max(free, key=lambda s: blocks[s])
    blocks[sid] = max(blocks[sid], size)
    free.remove(sid)
    return sid
