"""Global (thread-local) switches of MXNet's NumPy-compatible modes: np_shape, np_array."""

import functools
import threading

from .base import ThreadFlag, thread_local_class_attr

__all__ = [
    "is_np_shape",
    "set_np_shape",
    "np_shape",
    "is_np_array",
    "set_np_array",
    "np_array",
    "use_np",
    "use_np_shape",
    "use_np_array",
    "set_np",
    "reset_np",
    "_NumpyArrayScope",
    "_NumpyShapeScope",
    "getenv",
    "setenv",
]

_state = threading.local()


_np_shape = ThreadFlag()   # read on every op dispatch


# True when 0-d and zero-size shapes have NumPy meaning (not "unknown"); a bound
# method, so the per-dispatch check costs one call
is_np_shape = _np_shape.get


def set_np_shape(active):
    """Turn NumPy shape semantics on/off; return the previous state."""
    return _np_shape.set(active)


class _NumpyShapeScope:
    def __init__(self, is_np_shape):
        self._enter_is_np_shape = is_np_shape
        self._prev = None

    def __enter__(self):
        self._prev = set_np_shape(self._enter_is_np_shape)

    def __exit__(self, *exc):
        set_np_shape(self._prev)


class _NumpyArrayScope(
    metaclass=thread_local_class_attr("_current", lambda: _NumpyArrayScope(False))
):
    """Scope of the ``mx.np`` array mode (thread-local)."""

    def __init__(self, is_np_array):
        self._is_np_array = is_np_array
        self._old_scope = None

    def __enter__(self):
        self._old_scope = _NumpyArrayScope._current
        _NumpyArrayScope._current = self
        return self

    def __exit__(self, *exc):
        _NumpyArrayScope._current = self._old_scope


def is_np_array():
    return _NumpyArrayScope._current._is_np_array


def set_np_array(active):
    prev = is_np_array()
    _NumpyArrayScope._current = _NumpyArrayScope(bool(active))
    return prev


def np_shape(active=True):
    return _NumpyShapeScope(active)


def np_array(active=True):
    return _NumpyArrayScope(active)


def set_np(shape=True, array=True):
    set_np_shape(shape)
    set_np_array(array)


def reset_np():
    set_np(False, False)


def _wrap(func, shape, array):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np_shape(shape), np_array(array):
            return func(*args, **kwargs)

    return wrapper


def use_np_shape(func):
    return _wrap(func, True, is_np_array())


def use_np_array(func):
    return _wrap(func, is_np_shape(), True)


def use_np(func):
    """Decorator: run ``func`` (or every method of a class) in NumPy mode."""
    if isinstance(func, type):
        for name, attr in list(vars(func).items()):
            if callable(attr) and not name.startswith("__"):
                setattr(func, name, _wrap(attr, True, True))
        return func
    return _wrap(func, True, True)


def getenv(name):
    import os

    return os.environ.get(name)


def setenv(name, value):
    import os

    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
