"""The dependency engine: ops run when their read/write dependencies are satisfied.

An op becomes ready once every earlier write to its reads and every earlier read or
write of its writes has finished. Ready ops that touch few elements run right away on
the thread that made them ready (a hand-off to a worker costs more than they do);
the others go to the worker threads of their device, so independent large ops (and
NumPy/BLAS release the GIL) run in parallel.
"""
import queue
import threading

from .. import config
from ..base import ThreadFlag
from .opr import Opr, run_opr, run_now, fail_writes

__all__ = ["ThreadedEngine"]

_worker_flag = threading.local()
SYNCHRONOUS = ThreadFlag()   # threads inside engine.synchronous()


class ThreadedEngine:
    """Asynchronous engine with per-device worker threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._waiters = 0
        self._outstanding = 0
        self._queues = {}
        self._inline_size = config.get("MXNET_ENGINE_INLINE_SIZE")
        self._max_pending = config.get("MXNET_ENGINE_MAX_PENDING")
        self.failed = []   # ExcBoxes not yet seen by waitall

    # --- running at once ---------------------------------------------------------
    @property
    def inline_size(self):
        """Ops touching fewer elements may run on the pushing thread (all of them inside a
        ``synchronous()`` scope)."""
        if SYNCHRONOUS.get():
            return float("inf")
        return self._inline_size

    def can_run_now(self, reads):
        """True when ``reads`` have no pending or failed writes: an op reading them and
        writing only fresh variables may run on the caller's thread right now."""
        for v in reads:
            if v.last_write is not None or v.exc is not None:
                return False
        return True

    def fail(self, err, name, writes):
        """Record an error of an op run at once: stored on ``writes``, seen by waitall."""
        box = fail_writes(err, name, writes)
        with self._lock:
            self.failed.append(box)

    # --- pushing -------------------------------------------------------------
    def push(self, fn, reads, writes, ctx=None, name="", cost=0):
        inline = cost < self._inline_size or SYNCHRONOUS.get()
        if inline and _idle(reads, writes):
            # Fast path: nothing pending on these variables, so running now is exactly
            # what the dependency order allows; no bookkeeping needed.
            box = run_now(fn, reads, writes, name)
            if box is not None:
                with self._lock:
                    self.failed.append(box)
            return
        op = Opr(fn, reads, writes, ctx, name, inline)
        with self._lock:
            pending = 0
            for v in reads:
                w = v.last_write
                if w is not None:
                    w.dependents.append(op)
                    pending += 1
                readers = v.readers
                if len(readers) > 32:
                    readers[:] = [r for r in readers if not r.done]
                readers.append(op)
            for v in writes:
                w = v.last_write
                if w is not None and w is not op:
                    w.dependents.append(op)
                    pending += 1
                for r in v.readers:
                    if not r.done and r is not op:
                        r.dependents.append(op)
                        pending += 1
                v.readers = []
                v.last_write = op
            op.pending = pending
            self._outstanding += 1
        if pending == 0:
            self._dispatch(op)
        if self._outstanding > self._max_pending and not getattr(_worker_flag, "on", False):
            self._throttle()

    def _dispatch(self, op):
        if op.inline:
            self._run(op)
        else:
            self._queue(op.ctx).put(op)

    def _queue(self, ctx):
        key = None if ctx is None else (ctx.device_typeid, ctx.device_id)
        q = self._queues.get(key)
        if q is None:
            with self._lock:
                q = self._queues.get(key)
                if q is None:
                    q = self._queues[key] = self._start_workers(ctx)
        return q

    def _start_workers(self, ctx):
        q = queue.SimpleQueue()
        gpu = ctx is not None and ctx.device_typeid == 2
        n = config.get("MXNET_GPU_WORKER_NTHREADS" if gpu else "MXNET_CPU_WORKER_NTHREADS")
        for i in range(max(1, n)):
            t = threading.Thread(target=self._worker, args=(q,), daemon=True,
                                 name=f"mixnet-engine-{ctx}-{i}")
            t.start()
        return q

    def _throttle(self):
        """Backpressure: pending ops keep their arrays alive, so the pushing (user)
        thread waits while too many are queued."""
        with self._lock:
            while self._outstanding > self._max_pending // 2:
                self._waiters += 1
                self._idle.wait()
                self._waiters -= 1

    def _worker(self, q):
        _worker_flag.on = True
        while True:
            self._run(q.get())

    # --- running -------------------------------------------------------------
    def _run(self, op):
        # Ready dependents continue on this thread (cheap ones, and the first expensive
        # one: a chain of large ops then never pays a thread hand-off, which under the
        # GIL can cost a whole switch interval); further expensive ones go to the pool
        # so independent work still runs in parallel.
        todo = [op]
        while todo:
            op = todo.pop()
            box = run_opr(op)
            kept = False
            for ready in self._complete(op, box):
                if ready.inline or (not kept and ready.ctx == op.ctx):
                    kept = kept or not ready.inline
                    todo.append(ready)
                else:
                    self._queue(ready.ctx).put(ready)

    def _complete(self, op, box):
        ready = []
        with self._lock:
            op.done = True
            if box is not None:
                self.failed.append(box)
            for v in op.writes:
                if v.last_write is op:
                    v.last_write = None
            for d in op.dependents:
                d.pending -= 1
                if d.pending == 0:
                    ready.append(d)
            op.dependents = None
            op.fn = None   # a finished op may sit in readers lists: drop its closure (arrays)
            self._outstanding -= 1
            if self._waiters:
                self._idle.notify_all()
        return ready

    # --- waiting -------------------------------------------------------------
    def wait_for_var(self, var, for_write=False):
        """Block until pending writes (and reads, ``for_write``) of ``var`` finish."""
        with self._lock:
            while True:
                busy = var.last_write is not None
                if for_write and not busy:
                    busy = any(not r.done for r in var.readers)
                if not busy:
                    break
                self._waiters += 1
                self._idle.wait()
                self._waiters -= 1
        _rethrow_var(var)

    def wait_all(self):
        """Block until every pushed op finished; rethrow the first unseen failure."""
        with self._lock:
            while self._outstanding:
                self._waiters += 1
                self._idle.wait()
                self._waiters -= 1
            failed, self.failed = self.failed, []
        _rethrow_first(failed)


def _idle(reads, writes):
    """True when no unfinished op reads or writes ``writes`` or writes ``reads``."""
    for v in reads:
        if v.last_write is not None:
            return False
    for v in writes:
        if v.last_write is not None:
            return False
        readers = v.readers
        if readers:
            for r in readers:
                if not r.done:
                    return False
            v.readers = []
    return True


def _rethrow_var(var):
    box = var.exc
    if box is not None and box.exc is not None:
        exc, box.exc = box.exc, None
        raise exc


def _rethrow_first(boxes):
    for box in boxes:
        if box.exc is not None:
            exc = box.exc
            for b in boxes:
                b.exc = None
            raise exc
