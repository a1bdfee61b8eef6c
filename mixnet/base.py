"""Errors and tiny helpers shared by every layer (imports the stdlib only)."""

__all__ = [
    "MXNetError",
    "MXNetValueError",
    "MXNetTypeError",
    "MXNetIndexError",
    "NotImplementedForSymbol",
    "_Null",
    "string_types",
    "numeric_types",
    "integer_types",
    "check_call",
    "c_str",
    "NDArrayHandle",
    "py_str",
    "thread_local_class_attr",
]

import numbers
import threading

import numpy as _np


class MXNetError(RuntimeError):
    """Default error raised by mixnet operations, as in MXNet."""


class MXNetValueError(MXNetError, ValueError):
    """A bad value (shape, axis, argument) given to an op."""


class MXNetTypeError(MXNetError, TypeError):
    """A bad type (dtype, argument kind) given to an op."""


class MXNetIndexError(MXNetError, IndexError):
    """An index out of range."""


class NotImplementedForSymbol(MXNetError):
    """A Symbol method that only makes sense on NDArray."""

    def __init__(self, function, alias, *args):
        super().__init__()
        self.function = function.__name__
        self.alias = alias
        self.args = [str(type(a)) for a in args]

    def __str__(self):
        msg = f"Function {self.function}"
        if self.alias:
            msg += f' (namely operator "{self.alias}")'
        if self.args:
            msg += " with arguments (" + ", ".join(self.args) + ")"
        return msg + " is not implemented for Symbol and only available in NDArray."


class _NullType:
    """Placeholder for arguments not given (MXNet's ``_Null``)."""

    def __repr__(self):
        return "_Null"

    def __bool__(self):
        return False


_Null = _NullType()

mx_real_t = _np.float32  # MXNet's default real type
string_types = (str,)
numeric_types = (float, int, numbers.Number)
integer_types = (int, numbers.Integral)


def py_str(x):
    return x.decode("utf-8") if isinstance(x, bytes) else x


def c_str(s):
    """Kept for code written against MXNet's ctypes layer; mixnet has no C library."""
    return s.encode("utf-8") if isinstance(s, str) else s


class NDArrayHandle:
    """MXNet's opaque C handle type; mixnet has no C layer, so it only exists by name."""


def check_call(ret):
    """MXNet's C return-code check; there is no C library behind mixnet."""
    raise MXNetError("mixnet has no C library (_LIB); check_call is not supported")


def thread_local_class_attr(name, default):
    """A metaclass giving its classes a thread-local class attribute ``name``.

    MXNet code assigns ``Context.default_ctx = ...`` / ``AttrScope.current = ...`` on the
    class and expects each thread to see its own value; a class-level property needs a
    metaclass. ``default()`` makes a thread's first value.
    """
    local = threading.local()

    def fget(cls):
        value = getattr(local, "value", None)
        if value is None:
            value = local.value = default()
        return value

    def fset(cls, value):
        local.value = value

    return type(f"_ThreadLocal_{name}", (type,), {name: property(fget, fset)})


class ThreadFlag:
    """A per-thread boolean that is cheap to read while no thread has it set.

    The hot path (op dispatch) asks "is recording / np_shape on?" on every call; a count
    of threads with the flag on lets the common answer skip the thread-local lookup.
    """

    __slots__ = ("_local", "_count")

    def __init__(self):
        self._local = threading.local()
        self._count = 0

    def get(self):
        return bool(self._count) and getattr(self._local, "on", False)

    def set(self, value):
        """Set this thread's flag; return the previous value."""
        prev = getattr(self._local, "on", False)
        value = bool(value)
        if value != prev:
            self._count += 1 if value else -1
        self._local.on = value
        return prev
