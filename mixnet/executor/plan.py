"""Compile a graph into a flat list of steps over value slots (what Executor runs).

A step is one op application: its kernel, params, input slots and output slots. Slots
are indices into one list of xp arrays; ``release`` says after which step a slot is
dead, so intermediates are dropped as soon as nothing needs them (the runtime side of
memory planning).
"""
import dataclasses

from ..backend import finalize

__all__ = ["Step", "compile_steps", "run_steps"]


class Step:
    __slots__ = ("node", "op", "params", "ins", "outs", "shapes", "dtypes", "release", "extras",
                 "req", "pure")

    def __init__(self, node, ins, outs, shapes, dtypes):
        self.node = node
        self.op = node.op
        self.params = node.params
        self.ins = ins
        self.outs = outs
        self.shapes = shapes
        self.dtypes = dtypes
        self.release = ()
        self.req = None
        # a mirrored recomputation must not repeat side effects (moving-stat updates)
        self.pure = bool(node.op.mutate) and "__mirror__" in node.attrs
        if node.op.creates and shapes and shapes[0] is not None and \
                0 in getattr(self.params, "shape", (1,)):
            # zeros((0, H)) in a graph means "batch size from inference" (rnn begin states)
            self.params = dataclasses.replace(self.params, shape=tuple(shapes[0]))
        self.extras = node.op.random or node.op.train or node.op.output_req


def compile_steps(nodes, slot_of, shapes, dtypes, keep=()):
    """Steps for op ``nodes`` (in order); ``slot_of``: Entry -> slot (filled for outputs).

    Slots in ``keep`` (outputs, values needed later) are never released.
    """
    steps = []
    for node in nodes:
        if node.op is None:
            continue
        outs = []
        for i in range(node.num_outputs):
            e = node.output(i)
            if e not in slot_of:
                slot_of[e] = len(slot_of)
            outs.append(slot_of[e])
        ins = [slot_of[e] for e in node.inputs]
        steps.append(Step(node, ins, outs, [shapes.get(node.output(i)) for i in range(len(outs))],
                          [dtypes.get(node.output(i)) for i in range(len(outs))]))
    _plan_release(steps, set(keep))
    _plan_req(steps, set(keep))
    return steps


def _plan_req(steps, keep):
    """Which outputs of ``output_req`` ops anything reads (the rest are not computed)."""
    used = set(keep)
    for step in steps:
        used.update(step.ins)
    for step in steps:
        if step.op.output_req:
            step.req = tuple(s in used for s in step.outs)


def _plan_release(steps, keep):
    last_use = {}
    for n, step in enumerate(steps):
        for s in step.ins:
            last_use[s] = n
        for s in step.outs:
            last_use.setdefault(s, n)
    dead = {}
    for s, n in last_use.items():
        if s not in keep:
            dead.setdefault(n, []).append(s)
    for n, step in enumerate(steps):
        step.release = tuple(dead.get(n, ()))


def run_steps(steps, vals, xp, is_train, rng, monitor=None):
    """Run ``steps`` on the slot list ``vals`` (xp arrays), in place."""
    for step in steps:
        args = [vals[s] for s in step.ins]
        if step.pure:
            for i in step.op.mutate:
                args[i] = args[i].copy()
        if step.extras:
            kw = {}
            if step.op.random:
                kw["rng"] = rng
            if step.op.train:
                kw["is_train"] = is_train
            if step.req is not None and monitor is None:   # a monitor sees every output
                kw["req"] = step.req
            res = step.op.forward(xp, step.params, *args, **kw)
        else:
            res = step.op.forward(xp, step.params, *args)
        if len(step.outs) == 1:
            res = (res,)
        for slot, r, shape, dtype in zip(step.outs, res, step.shapes, step.dtypes):
            if r is not None and dtype is not None and shape is not None:
                r = finalize(r, dtype, shape, xp)
            vals[slot] = r
        if monitor is not None:
            monitor(step, [vals[s] for s in step.outs])
        for s in step.release:
            vals[s] = None
