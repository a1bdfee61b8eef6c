"""The operator registry: one ``Op`` record per operator, looked up by every layer.

An op is defined once, in its family file, with the ``@op`` decorator::

    @op("sigmoid", infer_shape=same_shape)
    def sigmoid(xp, params, data):
        return 1 / (1 + xp.exp(-data))

    @sigmoid.gradient
    def _(F, node, ograds):
        return [F._backward_sigmoid(ograds[0], node.output(0))]

``nd.*``, ``sym.*``, the docs, shape/type inference and gradients all come from it.
"""
import inspect

from ..base import MXNetError, _Null
from .param import REQUIRED
from .infer import same_shape, same_shape_backward, same_type

__all__ = ["Op", "op", "get", "find", "all_ops", "NOT_DECLARED", "signature"]

_REGISTRY = {}   # every name and alias -> Op
_OPS = []        # each Op once, in registration order


class _NotDeclared:
    def __repr__(self):
        return "NOT_DECLARED"


NOT_DECLARED = _NotDeclared()


class Op:
    """The record of one operator.

    Attributes
    ----------
    name : canonical MXNet name (appears in symbol JSON)
    forward : ``forward(xp, params, *inputs, **extras) -> array or tuple of arrays``;
        ``extras`` are ``rng=`` (``random=True``) and ``is_train=`` (``train=True``)
    inputs : input names, auxiliary states last (``aux`` of them); ``list_inputs(params)``
        narrows them when some are optional
    params : Param subclass or None
    num_outputs : int or ``f(params) -> int``
    variadic : name of the param counting a variable number of inputs ('num_args')
    mutate : indices of inputs the op writes in place (optimizer states)
    gradient : ``f(F, node, ograds) -> [entry or None per input]``, None when the op is
        not differentiable (zero gradient), NOT_DECLARED when nobody said
    """

    def __init__(self, name, forward, inputs=("data",), params=None, num_outputs=1,
                 num_visible_outputs=None, output_names=None, aux=0, infer_shape=same_shape,
                 infer_type=same_type, grad=NOT_DECLARED, aliases=(), namespace="",
                 variadic=None, mutate=(), inplace=(), random=False, train=False,
                 creates=False, elementwise=False, doc=None, nd_name=None, list_inputs=None,
                 infer_shape_backward=None, input_attrs=None, output_req=False,
                 split_call=None, open_params=False):
        self.name = name
        self.forward = forward
        self.inputs = tuple(inputs)
        self.params = params
        self._num_outputs = num_outputs
        self._num_visible = num_visible_outputs
        self._output_names = output_names
        self.aux = aux
        self.infer_shape = infer_shape
        self.infer_type = infer_type
        self._gradient = grad
        self.aliases = tuple(aliases)
        self.namespace = namespace
        self.variadic = variadic
        self.mutate = tuple(mutate)
        self.inplace = tuple(inplace)
        self.random = random
        self.train = train
        self.creates = creates          # no array inputs: output ctx comes from params/ctx
        self.elementwise = elementwise  # fusible
        self.doc = doc if doc is not None else (forward.__doc__ or "")
        self.nd_name = nd_name          # name in its namespace when not derivable
        # list_inputs(params) -> input names actually used (optional inputs such as
        # FullyConnected's bias with no_bias=True); ``inputs`` lists them all.
        self._list_inputs = list_inputs
        # infer_shape_backward(params, in_shapes, out_shapes): fill unknown input shapes
        # from known output shapes (graph inference only; MXNet's rules see both sides).
        if infer_shape_backward is None and infer_shape is same_shape:
            infer_shape_backward = same_shape_backward
        self.infer_shape_backward = infer_shape_backward
        # attributes given to auto-created input variables (BatchNorm's moving stats get
        # their __init__), MXNet's FSetInputVarAttrOnCompose
        self.input_attrs = input_attrs or {}
        # output_req: forward accepts ``req=`` (a bool per output, MXNet's kNullOp) and
        # returns None for outputs nobody needs (fused backward ops skip that work).
        self.output_req = output_req
        # split_call(args, kwargs, array_type) -> (inputs, params): ops whose call form
        # the generic rule cannot express (Custom); open_params: any keyword is a param
        self.split_call = split_call
        self.open_params = open_params
        # a kernel with no extras: no mutated inputs, no RNG, no train flag, no req
        self.plain = not (self.mutate or random or train or output_req)
        self.default_params = _default_params(params)
        # imperative(params, input NDArrays) -> output NDArrays, for ops that run Python
        # at the array level instead of a kernel (autograd.Function, Custom ops).
        self.imperative = None


    # --- gradient declaration ------------------------------------------------
    def gradient(self, fn):
        """Decorator: set the gradient rule of this op."""
        self._gradient = fn
        return fn

    @property
    def grad(self):
        return self._gradient

    # --- arity -----------------------------------------------------------------
    def num_outputs(self, params):
        n = self._num_outputs
        return n(params) if callable(n) else n

    def num_visible_outputs(self, params):
        n = self._num_visible
        if n is None:
            return self.num_outputs(params)
        return n(params) if callable(n) else n

    def num_inputs(self, params):
        return len(self.input_names(params))

    def input_names(self, params):
        """Names of the inputs this op takes with ``params`` (aux states last)."""
        if self._list_inputs is not None:
            return list(self._list_inputs(params))
        if self.variadic is not None:
            return [f"arg{i}" for i in range(getattr(params, self.variadic))]
        return list(self.inputs)

    def num_aux(self, params):
        return self.aux(params) if callable(self.aux) else self.aux

    def output_names(self, params):
        names = self._output_names
        if names is None:
            n = self.num_outputs(params)
            return ["output"] if n == 1 else [f"output{i}" for i in range(n)]
        return list(names(params) if callable(names) else names)

    def make_params(self, kwargs):
        """A params record from user kwargs (None for ops without parameters)."""
        if self.params is None:
            # NOTE: MXNet ignores keyword arguments given to parameterless ops
            # (mx.nd.broadcast_maximum(a, b, axis=1) runs); so do we.
            return None
        if not kwargs and self.default_params is not None:
            return self.default_params
        return self.params.create(self.name, kwargs)

    def __repr__(self):
        return f"<Op {self.name}>"


def _default_params(params):
    if params is None:
        return None
    try:
        return params()
    except TypeError:   # has required fields
        return None


def signature(op, trailing):
    """The Python signature of a generated ``nd``/``sym`` function of ``op``: its inputs,
    its parameters (in declaration order), then keyword-only ``trailing`` names."""
    P = inspect.Parameter
    params = []
    if op.variadic is not None:
        params.append(P("data", P.VAR_POSITIONAL))
    else:
        params += [P(n, P.POSITIONAL_OR_KEYWORD, default=None) for n in op.inputs]
    kind = P.KEYWORD_ONLY if op.variadic is not None else P.POSITIONAL_OR_KEYWORD
    for fname, spec in (op.params._specs.items() if op.params else ()):
        if fname != op.variadic:
            params.append(P(fname, kind, default=_Null if spec.default is REQUIRED
                            else spec.default))
    params += [P(n, P.KEYWORD_ONLY, default=None) for n in trailing]
    params.append(P("kwargs", P.VAR_KEYWORD))
    return inspect.Signature(params)


def op(name, **attrs):
    """Decorator registering ``forward`` as op ``name`` (see ``Op`` for attributes)."""
    def register(forward):
        rec = Op(name, forward, **attrs)
        for key in (name,) + rec.aliases:
            if key in _REGISTRY and _REGISTRY[key] is not rec:
                raise MXNetError(f"operator name {key!r} registered twice")
            _REGISTRY[key] = rec
        _OPS.append(rec)
        return rec
    return register


def get(name):
    """The Op registered under ``name`` (canonical or alias)."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise MXNetError(f"Cannot find operator {name!r}") from None


def find(name):
    return _REGISTRY.get(name)


def all_ops():
    """Every registered Op once, in registration order."""
    return list(_OPS)


def all_names():
    """Every registered name and alias -> Op."""
    return dict(_REGISTRY)
