"""The dependency engine: ``push``, ``wait_for_var``, ``waitall``, engine selection.

``MXNET_ENGINE_TYPE`` picks ThreadedEngine (default) or NaiveEngine when the engine is
first used; ``set_engine`` switches it (after finishing pending work).
"""
import contextlib

from .. import config
from ..base import MXNetError
from .naive import NaiveEngine
from .threaded import ThreadedEngine, SYNCHRONOUS
from .var import Var

__all__ = ["Var", "push", "wait_for_var", "waitall", "get_engine", "set_engine", "bulk",
           "set_bulk_size", "NaiveEngine", "ThreadedEngine", "new_var", "synchronous"]

_ENGINES = {"ThreadedEngine": ThreadedEngine, "ThreadedEnginePerDevice": ThreadedEngine,
            "ThreadedEnginePooled": ThreadedEngine, "NaiveEngine": NaiveEngine}
_current = [None]
_bulk_size = [0]


def get_engine():
    """The engine in use (created from MXNET_ENGINE_TYPE on first call)."""
    eng = _current[0]
    if eng is None:
        eng = _current[0] = _create(config.get("MXNET_ENGINE_TYPE"))
    return eng


def _create(name):
    try:
        return _ENGINES[name]()
    except KeyError:
        raise MXNetError(f"unknown MXNET_ENGINE_TYPE {name!r}; expected one of "
                         f"{sorted(_ENGINES)}") from None


def set_engine(name):
    """Switch to engine ``name`` (e.g. 'NaiveEngine'); pending work finishes first."""
    if _current[0] is not None:
        _current[0].wait_all()
    _current[0] = _create(name)


def new_var():
    return Var()


def push(fn, reads, writes, ctx=None, name="", cost=0):
    """Schedule ``fn()`` after the ops it depends on through ``reads``/``writes``.

    Parameters
    ----------
    fn : callable taking no arguments
    reads, writes : sequences of Var
    ctx : Context the work runs on (selects the worker pool)
    name : op name used in error messages
    cost : number of elements touched; cheap ready ops run inline
    """
    get_engine().push(fn, reads, writes, ctx, name, cost)


def wait_for_var(var, for_write=False):
    """Wait for pending writes to ``var``; rethrow an error from them."""
    get_engine().wait_for_var(var, for_write)


def waitall():
    """Wait for all pushed work; rethrow the first error not yet seen."""
    get_engine().wait_all()


def set_bulk_size(size):
    """Set the bulk-execution size and return the previous one (a hint in mixnet)."""
    prev, _bulk_size[0] = _bulk_size[0], int(size)
    return prev


@contextlib.contextmanager
def synchronous():
    """On this thread, run every pushed op on the pushing thread (dependency order kept).

    For Python code running inside an engine op (custom operators): ops it pushes must
    not wait for the worker pool that is running it.
    """
    prev = SYNCHRONOUS.set(True)
    try:
        yield
    finally:
        SYNCHRONOUS.set(prev)


@contextlib.contextmanager
def bulk(size):
    """Bulk-execution scope, as ``mx.engine.bulk``; ops keep their order and semantics."""
    prev = set_bulk_size(size)
    try:
        yield
    finally:
        set_bulk_size(prev)
