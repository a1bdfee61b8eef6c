"""``sym.*`` functions generated from the op registry."""
from ..base import _Null
from ..ops import registry
from .symbol import Symbol, create_op_symbol

__all__ = ["make_function", "namespace_functions"]


def make_function(op, call_name=None):
    """The ``sym`` function of ``op`` (node names use ``call_name`` as MXNet's hint)."""
    def fn(*args, name=None, attr=None, **kwargs):
        for k in [k for k, v in kwargs.items() if v is _Null]:
            del kwargs[k]
        inputs, params = _split(op, args, kwargs)
        return create_op_symbol(op, inputs, params, name=name, attr=attr,
                                hint=call_name or op.name)

    fn.__name__ = call_name or op.name
    fn.__qualname__ = fn.__name__
    fn.__doc__ = op.doc
    fn.__signature__ = registry.signature(op, ("name", "attr"))
    return fn


def _split(op, args, kwargs):
    if getattr(op, "split_call", None) is not None:   # ops with their own rule (Custom)
        return op.split_call(args, kwargs, Symbol)
    if op.variadic is not None:
        syms = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) \
            else list(args)
        return syms, kwargs
    names = list(op.inputs)
    inputs, params = {}, {}
    pos_params = []
    for i, a in enumerate(args):
        if isinstance(a, Symbol) and i < len(names):
            inputs[names[i]] = a
        else:
            pos_params.append(a)
    for k, v in kwargs.items():
        if k in names and (isinstance(v, Symbol) or v is None):
            if v is not None:
                inputs[k] = v
        else:
            params[k] = v
    if pos_params and op.params is not None:
        fields = [f for f in op.params._specs if f not in params]
        params.update(zip(fields, pos_params))
    return inputs, params


def namespace_functions(namespace):
    """{public name: function} for every op name and alias in ``namespace``."""
    out = {}
    prefix = f"_{namespace}_" if namespace else ""
    for name, op in registry.all_names().items():
        if op.namespace != namespace:
            continue
        public = name[len(prefix):] if prefix and name.startswith(prefix) else name
        out[public] = make_function(op, name)
    return out
