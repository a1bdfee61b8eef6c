"""``nd.*`` functions generated from the op registry (plain closures, real signatures)."""
from ..base import MXNetError, _Null
from ..context import Context
from ..ops import registry
from . import dispatch
from .ndarray import NDArray, new_array

__all__ = ["make_function", "namespace_functions", "public_name"]


def public_name(op, namespace):
    """Name of ``op`` inside ``namespace`` ('' = top level of nd)."""
    if op.nd_name is not None:
        return op.nd_name
    prefix = f"_{namespace}_" if namespace else ""
    return op.name[len(prefix):] if prefix and op.name.startswith(prefix) else op.name


def _split_args(op, args, kwargs):
    """Split a call into (input arrays, params kwargs, out)."""
    if getattr(op, "split_call", None) is not None:   # ops with their own rule (Custom)
        return op.split_call(args, kwargs, NDArray)
    inputs = []
    names = op.inputs
    pos_params = []
    if op.variadic is not None:
        for a in args:
            if isinstance(a, (list, tuple)) and not inputs and len(args) == 1:
                inputs.extend(a)
            else:
                inputs.append(a)
        for name in names:
            if name in kwargs and isinstance(kwargs[name], (list, tuple)):
                inputs.extend(kwargs.pop(name))
        n = kwargs.setdefault(op.variadic, len(inputs))
        if int(n) != len(inputs):
            raise MXNetError(f"Operator {op.name}: {op.variadic}={n} but {len(inputs)} "
                             f"input arrays were given")
        return inputs, kwargs
    for i, a in enumerate(args):
        if i < len(names) and (isinstance(a, NDArray) or a is None):
            inputs.append(a)
        else:
            pos_params.append(a)
    positional = list(inputs)
    for name in names[len(inputs):]:
        if name in kwargs:
            inputs.append(kwargs.pop(name))
        elif pos_params:
            break
        else:
            inputs.append(None)
    if op._list_inputs is not None and len(inputs) > len(positional):
        # optional inputs: positional arrays fill the inputs this call's parameters
        # use, in order; keyword arrays go by name
        keyword = dict(zip(names[len(positional):], inputs[len(positional):]))
        params = op.make_params(dict(kwargs, **dict(zip(
            [f for f in op.params._specs if f not in kwargs], pos_params))))
        used = op.input_names(params)
        inputs = positional + [keyword.get(n) for n in used[len(positional):]]
    if pos_params:
        fields = [f for f in (op.params._specs if op.params else {}) if f not in kwargs]
        if len(pos_params) > len(fields):
            raise MXNetError(f"Operator {op.name}: too many positional arguments")
        kwargs.update(zip(fields, pos_params))
    while inputs and inputs[-1] is None:
        inputs.pop()
    return inputs, kwargs


def _check_inputs(op, inputs):
    for i, x in enumerate(inputs):
        if not isinstance(x, NDArray):
            names = op.inputs
            name = names[i] if i < len(names) else f"arg{i}"
            raise MXNetError(f"Operator {op.name}: argument {name} must be an NDArray, got "
                             f"{type(x).__name__}")


def make_function(op):
    """The ``nd`` function of ``op``."""
    default = op.default_params
    has_ctx = op.params is not None and "ctx" in op.params._specs

    def fn(*args, out=None, name=None, **kwargs):
        if not kwargs and op.variadic is None and len(args) == len(op.inputs) and \
                default is not None and all(type(a) is NDArray for a in args):
            return dispatch.invoke(op, list(args), default, out, None, new_array)
        for k in [k for k, v in kwargs.items() if v is _Null]:
            del kwargs[k]
        inputs, kwargs = _split_args(op, args, kwargs)
        _check_inputs(op, inputs)
        ctx = None
        if has_ctx and kwargs.get("ctx") is not None:
            ctx = kwargs["ctx"]
            ctx = ctx if isinstance(ctx, Context) else _parse_ctx(ctx)
            kwargs["ctx"] = str(ctx)
        params = op.make_params(kwargs) if kwargs else (default or op.make_params({}))
        return dispatch.invoke(op, inputs, params, out, ctx, new_array)

    fn.__name__ = public_name(op, op.namespace)
    fn.__qualname__ = fn.__name__
    fn.__doc__ = _doc(op)
    fn.__signature__ = registry.signature(op, ("out", "name"))
    return fn


def _parse_ctx(text):
    text = str(text)
    kind, _, rest = text.partition("(")
    return Context(kind, int(rest.rstrip(")") or 0))


def _doc(op):
    lines = [(op.doc or op.name).strip(), "", "Parameters", "----------"]
    for n in op.inputs:
        lines += [f"{n} : NDArray", "    The input array."]
    for fname, spec in (op.params._specs.items() if op.params else ()):
        lines += [f"{fname} : {spec.describe()}", f"    {spec.doc}"]
    lines += ["out : NDArray, optional", "    The output NDArray to hold the result.", "",
              "Returns", "-------", "out : NDArray or list of NDArrays",
              "    The output of this function."]
    return "\n".join(lines)


def namespace_functions(namespace):
    """{public name: function} for every op (and alias) in ``namespace``."""
    out = {}
    for op in registry.all_ops():
        if op.namespace != namespace:
            continue
        fn = make_function(op)
        out[fn.__name__] = fn
        for alias in op.aliases:
            out[public_name_alias(alias, namespace)] = fn
    return out


def public_name_alias(alias, namespace):
    prefix = f"_{namespace}_" if namespace else ""
    return alias[len(prefix):] if prefix and alias.startswith(prefix) else alias
