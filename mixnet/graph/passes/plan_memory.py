"""Static memory planning: how many bytes a graph's intermediate values need.

Every value (node output) lives from the step that produces it to its last reader (or
to the end, for outputs and gradients). An op that declares ``inplace=((i, o),)`` writes
output ``o`` into input ``i``'s buffer when that input dies at the op, so the two share
one buffer. Buffers are then placed at offsets in one arena, largest first, each at the
lowest offset not overlapping (in memory) a buffer alive at the same time: this
"greedy by size" placement comes close to the liveness peak, the lower bound of any plan.
"""
import numpy as np

__all__ = ["plan_memory", "MemoryPlan"]


class MemoryPlan(dict):
    """Report: naive_bytes (a buffer per value), shared_bytes (the arena with reuse),
    peak_bytes (most bytes alive at once: the lower bound), each value's arena offset
    (``offsets``) and buffer id (``storage``), and the number of buffers."""


def _nbytes(shape, dtype):
    if shape is None:
        return 0
    return int(np.prod(shape)) * np.dtype(dtype or np.float32).itemsize


def plan_memory(order, shapes, dtypes, keep=(), share=True, inplace=True):
    """Plan storage for the outputs of op nodes in ``order`` (their execution order).

    ``keep``: entries that must stay alive to the end (graph outputs, gradients).
    """
    buffers, naive = _buffers(order, shapes, dtypes, set(keep), inplace)
    # storage: entry -> buffer id (entries sharing a buffer through in-place writes)
    storage = {e: k for k, b in enumerate(buffers) for e in b["entries"]}
    if not share:
        total = sum(b["size"] for b in buffers)
        return MemoryPlan(naive_bytes=naive, shared_bytes=total, peak_bytes=total,
                          offsets={}, storage=storage, num_blocks=len(buffers))
    offsets, arena = _place(buffers)
    return MemoryPlan(naive_bytes=naive, shared_bytes=arena, peak_bytes=_peak(buffers),
                      offsets=offsets, storage=storage, num_blocks=len(buffers))


def _buffers(order, shapes, dtypes, keep, inplace):
    """One buffer per value, merged along in-place pairs: size and [start, end] steps."""
    last_use = {}
    for n, node in enumerate(order):
        for e in node.inputs:
            last_use[e] = n
    end = len(order)
    buffer_of, buffers, naive = {}, [], 0
    for n, node in enumerate(order):
        if node.op is None:
            continue
        for i in range(node.num_outputs):
            out = node.output(i)
            size = _nbytes(shapes.get(out), dtypes.get(out))
            naive += size
            die = end if out in keep else last_use.get(out, n)
            src = _inplace_source(node, i, last_use, keep, buffer_of, n) if inplace else None
            if src is not None and src["size"] >= size:
                src["end"] = max(src["end"], die)
                src["entries"].append(out)
                buffer_of[out] = src
                continue
            buf = {"size": size, "start": n, "end": die, "entries": [out]}
            buffers.append(buf)
            buffer_of[out] = buf
    return buffers, naive


def _inplace_source(node, i, last_use, keep, buffer_of, n):
    for src, dst in node.op.inplace:
        if dst != i or src >= len(node.inputs):
            continue
        e = node.inputs[src]
        buf = buffer_of.get(e)
        if buf is not None and last_use.get(e) == n and e not in keep and buf["end"] == n \
                and node.inputs.count(e) == 1:
            return buf
    return None


def _place(buffers):
    """Greedy by size: each buffer at the lowest offset free during its lifetime."""
    placed, offsets, arena = [], {}, 0
    for buf in sorted(buffers, key=lambda b: -b["size"]):
        busy = sorted((p["offset"], p["offset"] + p["size"]) for p in placed
                      if p["start"] <= buf["end"] and buf["start"] <= p["end"])
        offset = 0
        for lo, hi in busy:
            if offset + buf["size"] <= lo:
                break
            offset = max(offset, hi)
        buf["offset"] = offset
        placed.append(buf)
        arena = max(arena, offset + buf["size"])
        for e in buf["entries"]:
            offsets[e] = offset
    return offsets, arena


def _peak(buffers):
    events = {}
    for b in buffers:
        events[b["start"]] = events.get(b["start"], 0) + b["size"]
        events[b["end"] + 1] = events.get(b["end"] + 1, 0) - b["size"]
    live = peak = 0
    for t in sorted(events):
        live += events[t]
        peak = max(peak, live)
    return peak
