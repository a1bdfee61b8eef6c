"""``mx.AttrScope``: attributes attached to symbols created inside a scope (thread-local)."""

from .base import MXNetError, thread_local_class_attr

__all__ = ["AttrScope"]


class AttrScope(metaclass=thread_local_class_attr("current", lambda: AttrScope())):
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
