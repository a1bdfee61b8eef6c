"""One pushed operation and how it runs (shared by both engines)."""
from ..base import MXNetError
from .var import ExcBox

__all__ = ["Opr", "run_opr", "run_now", "fail_writes"]


class Opr:
    __slots__ = ("fn", "reads", "writes", "ctx", "name", "inline", "pending", "dependents",
                 "done")

    def __init__(self, fn, reads, writes, ctx, name, inline):
        self.fn = fn
        self.reads = reads
        self.writes = writes
        self.ctx = ctx
        self.name = name
        self.inline = inline
        self.pending = 0
        self.dependents = []
        self.done = False


def run_opr(op):
    """Run ``op`` unless an input failed; return the ExcBox of a new failure, or None.

    A failure (its own, or one read from an input) is recorded on every variable the op
    writes, so it surfaces at the next sync point on anything depending on it.
    """
    return run_now(op.fn, op.reads, op.writes, op.name)


def run_now(fn, reads, writes, name):
    """``run_opr`` without an Opr record (the engines' fast path)."""
    box = None
    # MXNet propagates a failure through every variable an op uses, written ones too
    # (e.g. the RNG variable): the box is shared, so one rethrow clears it everywhere.
    for v in reads:
        if v.exc is not None and v.exc.exc is not None:
            box = v.exc
            break
    if box is None:
        for v in writes:
            if v.exc is not None and v.exc.exc is not None:
                box = v.exc
                break
    if box is None:
        try:
            fn()
        except Exception as err:  # noqa: BLE001 - stored and rethrown at the sync point
            return fail_writes(err, name, writes)
    else:
        for v in writes:
            v.exc = box
        return None
    for v in writes:
        if v.exc is not None:
            v.exc = None
    return None


def fail_writes(err, name, writes):
    """Store ``err`` (as an MXNetError naming op ``name``) on every written variable."""
    box = ExcBox(_as_mxnet_error(err, name))
    for v in writes:
        v.exc = box
    return box


def _as_mxnet_error(err, name):
    if isinstance(err, MXNetError):
        return err
    wrapped = MXNetError(f"Error in operator {name or '<engine task>'}: "
                         f"{type(err).__name__}: {err}")
    wrapped.__cause__ = err
    return wrapped
