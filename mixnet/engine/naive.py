"""The synchronous reference engine (``MXNET_ENGINE_TYPE=NaiveEngine``).

Every push runs at once on the calling thread; errors are still stored on the written
variables and rethrown at the next sync point, exactly as the threaded engine does.
"""
from .opr import Opr, run_opr, fail_writes
from .threaded import _rethrow_first, _rethrow_var

__all__ = ["NaiveEngine"]


class NaiveEngine:
    """Runs each pushed function immediately."""

    inline_size = float("inf")

    def __init__(self):
        self.failed = []

    def can_run_now(self, reads):
        return all(v.exc is None for v in reads)

    def fail(self, err, name, writes):
        self.failed.append(fail_writes(err, name, writes))

    def push(self, fn, reads, writes, ctx=None, name="", cost=0):
        box = run_opr(Opr(fn, reads, writes, ctx, name, True))
        if box is not None:
            self.failed.append(box)

    def wait_for_var(self, var, for_write=False):
        _rethrow_var(var)

    def wait_all(self):
        failed, self.failed = self.failed, []
        _rethrow_first(failed)
