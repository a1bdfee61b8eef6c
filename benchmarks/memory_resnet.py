"""Planned training memory of ResNet-50 (v1, bottleneck) in mixnet, with and without mirroring.

    python benchmarks/memory_resnet.py [--batch 32] [--append benchmarks/RESULTS.md]

Builds the ResNet-50 symbol of MXNet's image-classification example (resnetv1 layout:
conv-BN-relu bottleneck units, 224x224x3 input, 1000 classes, SoftmaxOutput), binds it for
training with ``simple_bind(grad_req='write')`` and reports ``Executor.memory_plan``: the bytes
of the intermediate values of forward + backward (node outputs; arguments, gradients of the
arguments held by the executor's arrays, and auxiliary states are listed apart) under

- no sharing, no in-place: one buffer per value (``naive_bytes``);
- sharing + in-place: storage blocks reused once their value is dead (``shared_bytes``);
- sharing + in-place + mirroring: bound again with ``MXNET_BACKWARD_DO_MIRROR=1``, so cheap
  forward nodes (BatchNorm, relu, add, ...) are recomputed in backward instead of kept.

It also reports the cost of mirroring: the forward nodes cloned into backward (names ending
in ``_mirror``) and an estimate of their FLOPs against the forward pass. Nothing is run: no
forward, no backward. The plan is checked for consistency (no two values alive at the same
time in one block) and its peak is compared with a plain liveness count.
"""

import argparse
import datetime
import itertools
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's mixnet, no install needed

import mixnet as mx
from mixnet.graph.passes.plan_memory import plan_memory

MIRROR_VAR = "MXNET_BACKWARD_DO_MIRROR"


# --- the symbol (MXNet example/image-classification/symbols/resnetv1.py layout) ----------------
def _conv_bn(data, num_filter, kernel, stride, pad, name, bn_name):
    conv = mx.sym.Convolution(
        data=data,
        num_filter=num_filter,
        kernel=kernel,
        stride=stride,
        pad=pad,
        no_bias=True,
        workspace=256,
        name=name,
    )
    return mx.sym.BatchNorm(data=conv, fix_gamma=False, eps=2e-5, momentum=0.9, name=bn_name)


def bottleneck_unit(data, num_filter, stride, dim_match, name):
    """1x1 (stride) -> 3x3 -> 1x1 convolutions with BN, relu between; projection shortcut
    (1x1 conv + BN) when the shape changes; relu after the sum."""
    mid = num_filter // 4
    x = _conv_bn(data, mid, (1, 1), stride, (0, 0), name + "_conv1", name + "_bn1")
    x = mx.sym.Activation(data=x, act_type="relu", name=name + "_relu1")
    x = _conv_bn(x, mid, (3, 3), (1, 1), (1, 1), name + "_conv2", name + "_bn2")
    x = mx.sym.Activation(data=x, act_type="relu", name=name + "_relu2")
    x = _conv_bn(x, num_filter, (1, 1), (1, 1), (0, 0), name + "_conv3", name + "_bn3")
    if dim_match:
        shortcut = data
    else:
        shortcut = _conv_bn(
            data, num_filter, (1, 1), stride, (0, 0), name + "_conv1sc", name + "_sc"
        )
    return mx.sym.Activation(data=x + shortcut, act_type="relu", name=name + "_relu3")


def resnet50(num_classes=1000):
    units = (3, 4, 6, 3)
    filters = (64, 256, 512, 1024, 2048)
    data = mx.sym.Variable("data")
    body = _conv_bn(data, filters[0], (7, 7), (2, 2), (3, 3), "conv0", "bn0")
    body = mx.sym.Activation(data=body, act_type="relu", name="relu0")
    body = mx.sym.Pooling(
        data=body, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max", name="pool0"
    )
    for i, n in enumerate(units):
        stride = (1, 1) if i == 0 else (2, 2)
        body = bottleneck_unit(body, filters[i + 1], stride, False, f"stage{i + 1}_unit1")
        for j in range(1, n):
            body = bottleneck_unit(body, filters[i + 1], (1, 1), True, f"stage{i + 1}_unit{j + 1}")
    pool = mx.sym.Pooling(data=body, global_pool=True, kernel=(7, 7), pool_type="avg", name="pool1")
    flat = mx.sym.Flatten(data=pool, name="flatten")
    fc = mx.sym.FullyConnected(data=flat, num_hidden=num_classes, name="fc1")
    return mx.sym.SoftmaxOutput(data=fc, name="softmax")


# --- binding ------------------------------------------------------------------------------------
def bind(sym, batch, mirror):
    """simple_bind for training; MXNET_BACKWARD_DO_MIRROR is read at bind time."""
    old = os.environ.get(MIRROR_VAR)
    os.environ[MIRROR_VAR] = "1" if mirror else "0"
    try:
        start = time.perf_counter()
        exe = sym.simple_bind(mx.cpu(), grad_req="write", data=(batch, 3, 224, 224))
        return exe, time.perf_counter() - start
    finally:
        if old is None:
            del os.environ[MIRROR_VAR]
        else:
            os.environ[MIRROR_VAR] = old


# --- FLOP estimate --------------------------------------------------------------------------------
# Floating-point operations per output element of the cheap ops (rough, training mode):
# BatchNorm: mean and variance over the batch (~3) plus normalize, scale, shift (~4).
PER_ELEMENT = {
    "BatchNorm": 7,
    "Activation": 1,
    "elemwise_add": 1,
    "_Plus": 1,
    "_plus": 1,
    "broadcast_add": 1,
    "SoftmaxOutput": 5,
    "Flatten": 0,
    "Reshape": 0,
    "identity": 0,
    "_copy": 0,
}


def _size(shape):
    return int(np.prod(shape)) if shape else 0


def node_flops(node, shapes):
    """An estimate of one forward node's FLOPs (multiply-add = 2)."""
    name = node.op.name
    out = _size(shapes.get(node.output(0)))
    p = node.params
    if name in ("Convolution", "Deconvolution"):
        w = shapes.get(node.inputs[1])  # (C_out, C_in / groups, kh, kw)
        return 2 * out * _size(w[1:])
    if name == "FullyConnected":
        w = shapes.get(node.inputs[1])  # (hidden, in)
        return 2 * out * w[1]
    if name == "Pooling":
        if getattr(p, "global_pool", False):
            return _size(shapes.get(node.inputs[0]))
        return out * _size(tuple(p.kernel))
    return PER_ELEMENT.get(name, 1) * out


# --- plan checks ----------------------------------------------------------------------------------
def _nbytes(exe, entry):
    shape, dtype = exe._shapes.get(entry), exe._dtypes.get(entry)
    return 0 if shape is None else _size(shape) * np.dtype(dtype or np.float32).itemsize


def clones_at_first_use(exe):
    """The executor's node order with each mirror clone moved to just before its first
    reader (the executor runs all clones at the start of backward)."""
    clones = {id(n) for n in exe._bwd_nodes if n.name.endswith("_mirror")}
    placed, order = set(), list(exe._fwd_nodes)

    def place(node):
        for e in node.inputs:
            if id(e.node) in clones and id(e.node) not in placed:
                place(e.node)
        placed.add(id(node))
        order.append(node)

    for node in exe._bwd_nodes:
        if id(node) not in clones:
            place(node)
    assert len(order) == len(exe._fwd_nodes) + len(exe._bwd_nodes)
    return order


def plan_in_order(exe, order):
    """Executor.memory_plan(share=True, inplace=True) over another node order."""
    keep = list(exe._outs) + list(exe._grad_entries)
    return plan_memory(order, exe._shapes, exe._dtypes, keep, True, True)


def plan_check(exe, plan, order=None):
    """Check the plan against the liveness of the values it places.

    Returns (conflicts, peak_live_bytes): conflicts are pairs of values that the plan puts in
    one block while both are alive (except an in-place hand-off at the reading node);
    peak_live_bytes is the largest total of values alive at once, counting an output and an
    input it may overwrite in place once: a lower bound that a correct plan cannot beat.
    """
    order = order or exe._fwd_nodes + list(exe._bwd_nodes)
    keep = set(exe._outs) | set(exe._grad_entries)
    storage = plan["storage"]
    born, last = {}, {}
    for n, node in enumerate(order):
        for e in node.inputs:
            if e in storage:
                last[e] = n
        for i in range(node.num_outputs):
            born[node.output(i)] = n
    end = len(order)
    life = {e: (born[e], end if e in keep else last.get(e, born[e])) for e in storage}
    by_block = {}
    for e, sid in storage.items():
        by_block.setdefault(sid, []).append(e)
    conflicts = []
    for entries in by_block.values():
        entries.sort(key=lambda e: life[e][0])
        for a, b in itertools.pairwise(entries):
            (_, a_end), (b_start, _) = life[a], life[b]
            handoff = a_end == b_start and a in b.node.inputs
            if b_start < a_end or (b_start == a_end and not handoff):
                conflicts.append((a.node.name, b.node.name))
    # plain liveness peak: at node n, the values born before n and read at n or later, plus
    # n's outputs; an input dying at n that n may overwrite in place is not counted twice
    peak = 0
    events = []
    for e, (s, t) in life.items():
        events.append((s, t, _nbytes(exe, e), e))
    for n, node in enumerate(order):
        live = sum(
            b
            for s, t, b, _ in events
            if s <= n <= t and not (t == n and s < n and _overwritable(node, _))
        )
        peak = max(peak, live)
    return conflicts, peak


def saved_bytes(exe):
    """Bytes of the forward outputs that backward reads (kept from forward to backward)."""
    fwd = {id(n) for n in exe._fwd_nodes}
    saved = {e for n in exe._bwd_nodes for e in n.inputs if id(e.node) in fwd}
    return sum(_nbytes(exe, e) for e in saved)


def clones_first(exe):
    flags = [n.name.endswith("_mirror") for n in exe._bwd_nodes]
    return any(flags) and flags == sorted(flags, reverse=True)


def _overwritable(node, entry):
    return any(src < len(node.inputs) and node.inputs[src] == entry for src, _ in node.op.inplace)


# --- report ---------------------------------------------------------------------------------------
def mib(b):
    return f"{b / 2**20:,.1f}"


def report(batch):
    sym = resnet50()
    exe, t_plain = bind(sym, batch, mirror=False)
    exe_m, t_mirror = bind(sym, batch, mirror=True)

    arg_bytes = sum(a.size * a.dtype.itemsize for a in exe.arg_arrays)
    grad_bytes = sum(g.size * g.dtype.itemsize for g in exe.grad_arrays if g is not None)
    aux_bytes = sum(a.size * a.dtype.itemsize for a in exe.aux_arrays)
    n_params = sum(
        a.size
        for n, a in zip(sym.list_arguments(), exe.arg_arrays)
        if n not in ("data", "softmax_label")
    )

    t0 = time.perf_counter()
    naive = exe.memory_plan(share=False, inplace=False)
    share_only = exe.memory_plan(share=True, inplace=False)
    inplace_only = exe.memory_plan(share=False, inplace=True)
    both = exe.memory_plan(share=True, inplace=True)
    mirrored = exe_m.memory_plan(share=True, inplace=True)
    mirrored_naive = exe_m.memory_plan(share=False, inplace=False)
    reordered = clones_at_first_use(exe_m)
    mirrored_late = plan_in_order(exe_m, reordered)
    t_plan = time.perf_counter() - t0

    base = naive["naive_bytes"]
    rows = [
        ("no sharing, no in-place (`naive_bytes`)", naive["naive_bytes"], naive["num_blocks"]),
        ("sharing only", share_only["shared_bytes"], share_only["num_blocks"]),
        ("in-place only", inplace_only["shared_bytes"], inplace_only["num_blocks"]),
        ("**sharing + in-place**", both["shared_bytes"], both["num_blocks"]),
        ("**sharing + in-place + mirroring**", mirrored["shared_bytes"], mirrored["num_blocks"]),
        (
            "(what-if) mirroring, each clone run just before its first reader",
            mirrored_late["shared_bytes"],
            mirrored_late["num_blocks"],
        ),
    ]
    lines = [
        (
            f"ResNet-50 v1 (bottleneck), input {batch}x3x224x224, 1000 classes, "
            f"simple_bind(grad_req='write'), `Executor.memory_plan(share, inplace)`; "
            f"{len(exe._fwd_nodes)} forward + {len(exe._bwd_nodes)} backward nodes "
            f"({len(exe_m._bwd_nodes)} with mirroring)."
        ),
        "",
        "| plan | MiB | vs naive | blocks |",
        "|---|---|---|---|",
    ]
    for label, b, blocks in rows:
        lines.append(f"| {label} | {mib(b)} | {b / base:.1%} | {blocks} |")
    lines += [
        "",
        (
            f"Not in the plan (held by the executor's arrays): arguments {mib(arg_bytes)} MiB "
            f"({n_params / 1e6:.2f} M parameters + data + label), argument gradients "
            f"{mib(grad_bytes)} MiB, auxiliary states {mib(aux_bytes)} MiB. With mirroring, "
            f"the naive total (one buffer per value, clones included) is "
            f"{mib(mirrored_naive['naive_bytes'])} MiB."
        ),
    ]

    # mirroring cost
    fwd_flops = sum(node_flops(n, exe._shapes) for n in exe._fwd_nodes)
    clones = [n for n in exe_m._bwd_nodes if n.name.endswith("_mirror")]
    clone_flops = sum(node_flops(n, exe_m._shapes) for n in clones)
    kinds = Counter(n.op.name for n in clones)
    mirrored_names = {n.name[: -len("_mirror")] for n in clones}
    kept = Counter(n.op.name for n in exe._fwd_nodes if n.name not in mirrored_names)
    lines += [
        "",
        f"Mirroring recomputes **{len(clones)} of {len(exe._fwd_nodes)} forward nodes** in "
        f"backward ({', '.join(f'{k} {v}' for k, v in kinds.most_common())}). Kept (not "
        f"mirrored): " + ", ".join(f"{k} {v}" for k, v in kept.most_common())
        + " (mixnet.graph.passes.mirror.should_mirror; BatchNorm clones run without "
        "updating the moving statistics). Estimated cost: "
        f"{clone_flops / 1e9:,.2f} GFLOP recomputed against {fwd_flops / 1e9:,.1f} GFLOP for "
        f"the forward pass ({clone_flops / fwd_flops:.2%} of forward). Per-element costs used: "
        + ", ".join(f"{k} {v}" for k, v in PER_ELEMENT.items() if k in kinds)
        + "; convolution/FC 2 per multiply-add, pooling 1 per window element.",
    ]

    # consistency checks of the plans
    checks = []
    for label, ex, plan, order in (
        ("sharing + in-place", exe, both, None),
        ("sharing + in-place + mirroring", exe_m, mirrored, None),
        ("what-if order", exe_m, mirrored_late, reordered),
    ):
        conflicts, peak = plan_check(ex, plan, order)
        checks.append(
            f"{label}: {len(conflicts)} block conflict(s)"
            + (f" (first: {conflicts[0][0]} / {conflicts[0][1]})" if conflicts else "")
            + f"; liveness peak {mib(peak)} MiB (a lower bound; the plan is "
            f"{plan['shared_bytes'] / peak:.2f}x it)"
        )
    lines += ["", "Plan checks: " + "; ".join(checks) + "."]
    lines += [
        "",
        (
            f"Timings: simple_bind {t_plain:.2f} s (mirroring: {t_mirror:.2f} s), the seven "
            f"memory plans {t_plan:.2f} s."
        ),
        "",
        f"Where the values are: {mib(saved_bytes(exe))} MiB of forward outputs are read by "
        f"backward without mirroring, {mib(saved_bytes(exe_m))} MiB with mirroring; the "
        f"executor runs the {len(clones)} clones "
        + ("as the first backward nodes" if clones_first(exe_m) else "interleaved with backward")
        + "; ops in the graph that declare in-place pairs: "
        + (
            ", ".join(
                sorted(
                    {n.op.name for n in exe_m._fwd_nodes + list(exe_m._bwd_nodes) if n.op.inplace}
                )
            )
            or "none"
        )
        + ".",
    ]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--append", metavar="PATH", help="also append the section to this file")
    args = p.parse_args(argv)
    body = report(args.batch)
    date = datetime.date.today().isoformat()
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs"
    section = (
        f"## ResNet-50 training memory plan (mixnet)\n\n"
        f"{date}; machine: {machine}; command: `python3 benchmarks/memory_resnet.py"
        f"{f' --batch {args.batch}' if args.batch != 32 else ''}`\n\n{body}\n"
    )
    print(section)
    if args.append:
        with open(args.append, "a") as f:
            f.write("\n" + section)


if __name__ == "__main__":
    main()
