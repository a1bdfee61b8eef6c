"""``mx.AttrScope``: attributes attached to symbols created inside a scope (thread-local)."""
import threading

from .base import MXNetError

__all__ = ["AttrScope"]

_local = threading.local()


class _AttrScopeMeta(type):
    # NOTE: MXNet code assigns ``AttrScope.current = ...`` on the class and expects it to
    # be thread-local: a class-level property needs a metaclass.
    @property
    def current(cls):
        scope = getattr(_local, "value", None)
        if scope is None:
            scope = _local.value = AttrScope()
        return scope

    @current.setter
    def current(cls, scope):
        _local.value = scope


class AttrScope(metaclass=_AttrScopeMeta):
    """Attribute manager for scoping: symbols made inside get these attributes.

    Examples
    --------
    >>> with mx.AttrScope(ctx_group='dev1'):
    ...     x = mx.sym.Variable('x')
    >>> x.attr('ctx_group')
    'dev1'
    """

    def __init__(self, **kwargs):
        self._old_scope = None
        for value in kwargs.values():
            if not isinstance(value, str):
                raise MXNetError("Attributes need to be string")
        self._attr = kwargs

    def get(self, attr):
        """Merge the scope's attributes with ``attr`` (which wins); returns a dict."""
        if self._attr:
            ret = self._attr.copy()
            if attr:
                ret.update(attr)
            return ret
        return attr if attr else {}

    def __enter__(self):
        self._old_scope = AttrScope.current
        attr = AttrScope.current._attr.copy()
        attr.update(self._attr)
        self._attr = attr
        AttrScope.current = self
        return self

    def __exit__(self, *exc):
        AttrScope.current = self._old_scope
