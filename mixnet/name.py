"""Automatic names of symbols (``fullyconnected0``, ``_plus1``...), thread-local."""

from .base import thread_local_class_attr

__all__ = ["NameManager", "Prefix"]


class NameManager(metaclass=thread_local_class_attr("current", lambda: NameManager())):
    """Gives each unnamed symbol a unique name: op name + a per-op counter."""

    def __init__(self):
        self._counter = {}
        self._old_manager = None

    def get(self, name, hint):
        """``name`` if given, else ``hint`` + counter (``hint`` is the lower-cased op)."""
        if name:
            return name
        if hint not in self._counter:
            self._counter[hint] = 0
        name = f"{hint}{self._counter[hint]}"
        self._counter[hint] += 1
        return name

    def __enter__(self):
        self._old_manager = NameManager.current
        NameManager.current = self
        return self

    def __exit__(self, *exc):
        NameManager.current = self._old_manager


class Prefix(NameManager):
    """A name manager that prepends ``prefix`` to every name."""

    def __init__(self, prefix):
        super().__init__()
        self._prefix = prefix

    def get(self, name, hint):
        return self._prefix + super().get(name, hint)
