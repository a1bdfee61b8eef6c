"""Engine variables: the read/write dependency handles of arrays and resources."""

__all__ = ["Var", "ExcBox"]


class ExcBox:
    """An exception shared by every variable an failed op (or its dependents) wrote.

    MXNet rethrows an async error once: the first sync point that sees it clears the
    box, so every variable that shares it is clean again afterwards.
    """

    __slots__ = ("exc",)

    def __init__(self, exc):
        self.exc = exc


class Var:
    """A dependency variable.

    ``last_write`` is the newest pushed op writing it that has not finished; ``readers``
    the ops pushed since then that read it (some may have finished). ``exc`` holds the
    ExcBox of the last failed write, if any.
    """

    __slots__ = ("last_write", "readers", "exc", "__weakref__")

    def __init__(self):
        self.last_write = None
        self.readers = []
        self.exc = None

    def pending_exception(self):
        box = self.exc
        return None if box is None else box.exc
