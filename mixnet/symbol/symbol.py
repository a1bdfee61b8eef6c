"""Symbol: a handle on output entries of the graph IR, with MXNet 1.x's Symbol API."""
import copy as _copy


from ..attribute import AttrScope
from ..base import MXNetError, NotImplementedForSymbol
from ..dtype import normalize
from ..graph import json as graph_json
from ..graph.node import Node, topo_order
from ..graph.passes.infer import infer_shapes, infer_types
from ..name import NameManager
from ..ops.param import format_value
from ..util import is_np_shape, np_shape as np_shape_scope

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json", "create_op_symbol"]


class Symbol:
    """A symbolic expression: one or more output entries of a computation graph.

    Examples
    --------
    >>> data = mx.sym.Variable('data')
    >>> fc = mx.sym.FullyConnected(data, num_hidden=10, name='fc1')
    >>> fc.list_arguments()
    ['data', 'fc1_weight', 'fc1_bias']
    """

    __slots__ = ("_outputs", "__weakref__")

    def __init__(self, outputs):
        self._outputs = list(outputs)

    # --- structure ------------------------------------------------------------
    @property
    def name(self):
        """Name of a single-output symbol (None for groups)."""
        if len(self._outputs) != 1:
            return None
        return self._outputs[0].node.name

    def _nodes(self):
        return topo_order(self._outputs)

    def _aux_nodes(self):
        aux = set()
        for node in self._nodes():
            if node.op is not None:
                n = node.op.num_aux(node.params)
                if n:
                    aux.update(id(e.node) for e in node.inputs[-n:] if e.node.op is None)
        return aux

    def list_arguments(self):
        """Names of the arguments (non-auxiliary variables), in graph order."""
        aux = self._aux_nodes()
        return [n.name for n in self._nodes() if n.op is None and id(n) not in aux]

    def list_auxiliary_states(self):
        """Names of the auxiliary states (e.g. BatchNorm's moving statistics)."""
        aux = self._aux_nodes()
        return [n.name for n in self._nodes() if n.op is None and id(n) in aux]

    def list_inputs(self):
        """Names of all variables (arguments and auxiliary states), in graph order."""
        return [n.name for n in self._nodes() if n.op is None]

    def list_outputs(self):
        """Names of the outputs (``<node>_<output>``; a variable's own name)."""
        return [_output_name(e) for e in self._outputs]

    def get_internals(self):
        """A Group of every output of every node in the graph."""
        outs = []
        for node in self._nodes():
            n = 1 if node.op is None else node.op.num_visible_outputs(node.params)
            outs.extend(node.output(i) for i in range(n))
        return Symbol(outs)

    def get_children(self):
        """A Group of the inputs of this symbol's node(s) (None for a variable)."""
        ins, seen = [], set()
        for out in self._outputs:
            if id(out.node) not in seen:
                seen.add(id(out.node))
                ins.extend(out.node.inputs)
        return Symbol(ins) if ins else None

    def __len__(self):
        return len(self._outputs)

    def __iter__(self):
        return (Symbol([e]) for e in self._outputs)

    def __getitem__(self, index):
        if isinstance(index, str):
            names = self.list_outputs()
            matches = [i for i, n in enumerate(names) if n == index]
            if not matches:
                raise ValueError(f"There is no output named {index!r}; outputs are {names}")
            if len(matches) > 1:
                raise ValueError(f"There are multiple outputs named {index!r}")
            index = matches[0]
        if isinstance(index, slice):
            return Symbol(self._outputs[index])
        if not -len(self._outputs) <= index < len(self._outputs):
            raise IndexError(f"Symbol index {index} out of range ({len(self._outputs)} outputs)")
        return Symbol([self._outputs[index]])

    def __bool__(self):
        raise NotImplementedForSymbol(self.__bool__, "bool")

    def __repr__(self):
        if len(self._outputs) == 1:
            return f"<Symbol {self.name}>"
        return "<Symbol group [" + ", ".join(self.list_outputs()) + "]>"

    def __copy__(self):
        return Symbol(list(self._outputs))

    def __deepcopy__(self, memo):
        return load_json(self.tojson())

    def __reduce__(self):
        return (load_json, (self.tojson(),))

    # --- attributes --------------------------------------------------------------
    def attr(self, key):
        """The string attribute ``key`` of this (single-node) symbol, or None."""
        node = self._single_node("attr")
        if node.op is not None and node.params is not None and key in node.params._specs:
            return format_value(getattr(node.params, key))
        if key in _HIDDEN_KWARGS:
            key = f"__{key}__"
        return node.attrs.get(key)

    def list_attr(self, recursive=False):
        """Attributes of this node (``recursive``: of every node, keyed ``node$key``)."""
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been "
                                     "deprecated. Please use attr_dict instead.")
        node = self._single_node("list_attr")
        return dict(_all_attrs(node))

    def attr_dict(self):
        """{node name: {key: value}} for every node with attributes."""
        out = {}
        for node in self._nodes():
            attrs = dict(_all_attrs(node))
            if attrs:
                out[node.name] = attrs
        return out

    def _set_attr(self, **kwargs):
        node = self._single_node("_set_attr")
        for k, v in kwargs.items():
            if not isinstance(v, str):
                raise MXNetError("Set Attr only accepts string values")
            node.attrs[k] = v

    def _single_node(self, what):
        if len(self._outputs) != 1:
            raise MXNetError(f"{what} only works on a single-output symbol")
        return self._outputs[0].node

    # --- composition ---------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """Compose: a copy where variables are replaced by the given symbols."""
        out = _copy.deepcopy(self)
        out._compose(*args, **kwargs)
        return out

    def _compose(self, *args, **kwargs):
        name = kwargs.pop("name", None)
        if args and kwargs:
            raise TypeError("compose only accepts input Symbols either as positional or "
                            "keyword arguments, not both")
        variables = [n for n in self._nodes() if n.op is None]
        if args:
            mapping = dict(zip((v.name for v in variables), args))
        else:
            mapping = kwargs
        for k, v in mapping.items():
            if not isinstance(v, Symbol) or len(v) != 1:
                raise TypeError(f"compose expects single-output Symbols, got {type(v)} for {k}")
        replace = {id(v): mapping[v.name]._outputs[0] for v in variables if v.name in mapping}
        for node in self._nodes():
            node.inputs = [replace.get(id(e.node), e) if e.node.op is None else e
                           for e in node.inputs]
        self._outputs = [replace.get(id(e.node), e) if e.node.op is None else e
                         for e in self._outputs]
        if name is not None and len(self._outputs) == 1 and self._outputs[0].node.op is not None:
            self._outputs[0].node.name = name

    # --- inference -----------------------------------------------------------------
    def infer_shape(self, *args, **kwargs):
        """(arg_shapes, out_shapes, aux_shapes) given some input shapes; Nones if incomplete."""
        res = self._infer_shape(False, *args, **kwargs)
        return res

    def infer_shape_partial(self, *args, **kwargs):
        """Like infer_shape, but unknown shapes are returned as () / with 0 dims."""
        return self._infer_shape(True, *args, **kwargs)

    def _infer_shape(self, partial, *args, **kwargs):
        np_mode = is_np_shape()
        # NOTE: under np_shape, -1 marks an unknown dim and None an unknown shape; the
        # passes use MXNet 1.x's 0 / None internally.
        conv = (lambda s: None if s is None else tuple(0 if d == -1 else d for d in s)) \
            if np_mode else (lambda s: tuple(s) if s else None)
        known = self._known_inputs(args, kwargs, "shape", conv)
        nodes = self._nodes()
        values = _variable_values(nodes, known, "__shape__", _parse_shape)
        # the rules use MXNet 1.x's convention internally (0 = unknown dim), so they run
        # outside np_shape mode; -1 / None are restored for the caller below
        with np_shape_scope(False):
            infer_shapes(nodes, values)
        arg, out, aux = self._collect(nodes, values, partial, complete=_shape_known,
                                      unknown=None if np_mode else ())
        if np_mode and arg is not None:
            fix = (lambda s: None if s is None else tuple(-1 if d == 0 else d for d in s))
            arg, out, aux = [fix(s) for s in arg], [fix(s) for s in out], [fix(s) for s in aux]
        return arg, out, aux

    def infer_type(self, *args, **kwargs):
        """(arg_types, out_types, aux_types) given some input dtypes; Nones if incomplete."""
        return self._infer_type(False, *args, **kwargs)

    def infer_type_partial(self, *args, **kwargs):
        return self._infer_type(True, *args, **kwargs)

    def _infer_type(self, partial, *args, **kwargs):
        known = self._known_inputs(args, kwargs, "type",
                                   lambda t: None if t is None else normalize(t))
        nodes = self._nodes()
        values = _variable_values(nodes, known, "__dtype__", _attr_dtype)
        infer_types(nodes, values)
        arg, out, aux = self._collect(nodes, values, partial, complete=lambda t: t is not None,
                                      unknown=None)
        conv = (lambda ts: None if ts is None else [None if t is None else t.type for t in ts])
        return conv(arg), conv(out), conv(aux)

    def _known_inputs(self, args, kwargs, what, conv):
        if args and kwargs:
            raise ValueError(f"infer_{what} can only accept input {what}s either as "
                             f"positional or keyword arguments, not both")
        if args:
            names = self.list_arguments()
            return {n: conv(v) for n, v in zip(names, args) if v is not None}
        inputs = set(self.list_inputs())
        for k in kwargs:
            if k not in inputs:
                raise MXNetError(f"infer_{what}: argument name {k} not found; the inputs are "
                                 f"{sorted(inputs)}")
        return {k: conv(v) for k, v in kwargs.items() if v is not None}

    def _collect(self, nodes, values, partial, complete, unknown):
        aux = self._aux_nodes()
        args = [n for n in nodes if n.op is None and id(n) not in aux]
        auxs = [n for n in nodes if n.op is None and id(n) in aux]
        arg_v = [values.get(n.output(0)) for n in args]
        aux_v = [values.get(n.output(0)) for n in auxs]
        out_v = [values.get(e) for e in self._outputs]
        if not partial and not all(complete(v) for v in arg_v + aux_v + out_v):
            return None, None, None
        fill = (lambda v: unknown if v is None else v)
        return [fill(v) for v in arg_v], [fill(v) for v in out_v], [fill(v) for v in aux_v]

    # --- serialization -------------------------------------------------------------
    def tojson(self, remove_amp_cast=True):
        """MXNet's JSON representation of the graph."""
        return graph_json.dumps(self._outputs)

    def save(self, fname, remove_amp_cast=True):
        """Save to a JSON file (``-symbol.json``)."""
        with open(fname, "w") as f:
            f.write(self.tojson())

    def debug_str(self):
        """A readable listing of the graph's nodes."""
        lines = []
        for node in self._nodes():
            if node.op is None:
                lines.append(f"Variable:{node.name}")
                continue
            lines.append("-" * 40)
            lines.append(f"Op:{node.op.name}, Name={node.name}")
            lines.append("Inputs:")
            for i, e in enumerate(node.inputs):
                lines.append(f"\targ[{i}]={e.node.name}({e.index})")
            attrs = dict(_all_attrs(node))
            if attrs:
                lines.append("Attrs:")
                lines += [f"\t{k}={v}" for k, v in attrs.items()]
        return "\n".join(lines)

    def _gen_atomic_symbol(self):
        """This symbol's single op applied to fresh variables (one per input)."""
        if len({id(e.node) for e in self._outputs}) != 1:
            raise MXNetError("_gen_atomic_symbol only works on the outputs of one node")
        node = self._outputs[0].node
        if node.op is None:
            return Symbol([Node(None, node.name, attrs=dict(node.attrs)).output(0)])
        names = node.op.input_names(node.params)
        inputs = [Node(None, n).output(0) for n in names]
        atom = Node(node.op, node.name, node.params, inputs, dict(node.attrs),
                    param_keys=node.param_keys)
        n = node.op.num_visible_outputs(node.params)
        return Symbol([atom.output(i) for i in range(n)])

    # --- gradient / evaluation ---------------------------------------------------
    def gradient(self, wrt):
        """A Symbol of the gradients of this symbol w.r.t. the variables named in ``wrt``."""
        from ..graph.passes.gradient import gradient as grad_pass
        variables = {n.name: n for n in self._nodes() if n.op is None}
        xs = [variables[name].output(0) for name in wrt]
        heads = [Node(None, f"{_output_name(e)}_head_grad").output(0) for e in self._outputs]
        grads = grad_pass(self._outputs, xs, heads)
        return Symbol([g for g in grads if g is not None])

    # NOTE: bind, simple_bind, eval and the operator overloads are attached by
    # symbol/binding.py and symbol/arith.py so this file stays one concept.


def _output_name(entry):
    node = entry.node
    if node.op is None:
        return node.name
    names = node.op.output_names(node.params)
    return f"{node.name}_{names[entry.index] if entry.index < len(names) else entry.index}"


def _all_attrs(node):
    yield from node.param_attrs().items()
    for k, v in node.attrs.items():
        yield k, v
        if k.startswith("__") and k.endswith("__") and k[2:-2] in _HIDDEN_KWARGS:
            yield k[2:-2], v     # MXNet shows hidden keys in both forms


def _hide(attrs):
    """MXNet stores hidden keys (lr_mult, ctx_group...) as __key__."""
    return {(f"__{k}__" if k in _HIDDEN_KWARGS else k): v for k, v in attrs.items()}


def _variable_values(nodes, known, attr, parse):
    """Entry -> value of the variables: given in ``known`` by name, else from ``attr``."""
    values = {}
    for node in nodes:
        if node.op is None:
            value = known.get(node.name)
            if value is None and attr in node.attrs:
                value = parse(node.attrs[attr])
            if value is not None:
                values[node.output(0)] = value
    return values


def _shape_known(shape):
    return shape is not None and 0 not in shape


def _parse_shape(text):
    body = text.strip("()[] ")
    return tuple(int(p) for p in body.split(",") if p.strip()) if body else ()


def _attr_dtype(text):
    try:
        return normalize(text)
    except MXNetError:
        from ..dtype import from_code
        return from_code(int(text))


def Variable(name, attr=None, shape=None, lr_mult=None, wd_mult=None, dtype=None, init=None,
             stype=None, **kwargs):
    """Create a symbolic variable with the given name.

    Parameters
    ----------
    name : str
    attr : dict of str -> str, additional attributes
    shape : tuple, the variable's shape (used by shape inference)
    lr_mult, wd_mult : float, learning-rate / weight-decay multipliers
    dtype : str or numpy dtype
    init : Initializer or str, initializer of this variable
    stype : str, storage type
    """
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    attrs = _hide(AttrScope.current.get(_hide(attr or {})))
    if shape is not None:
        attrs["__shape__"] = str(tuple(shape))
    if lr_mult is not None:
        attrs["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        attrs["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        attrs["__dtype__"] = str(normalize(dtype).name)
    if init is not None:
        attrs["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        attrs["__storage_type__"] = str(stype)
    for k, v in kwargs.items():
        if k.startswith("__") and k.endswith("__"):
            attrs[k] = str(v)
        else:
            raise ValueError(f"Attribute name={k} is not supported. Additional attributes "
                             f"must start and end with double underscores, e.g, __yourattr__")
    return Symbol([Node(None, name, attrs=attrs).output(0)])


var = Variable


def Group(symbols):
    """A Symbol with the outputs of every symbol in ``symbols``."""
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    return Symbol([e for s in symbols for e in s._outputs])


def load_json(json_str):
    """Load a Symbol from MXNet's JSON (any version MXNet 1.x reads)."""
    if not isinstance(json_str, str):
        raise TypeError("fname required to be string")
    return Symbol(graph_json.loads(json_str))


def load(fname):
    """Load a Symbol from a JSON file."""
    if not isinstance(fname, str):
        raise TypeError("fname need to be string")
    with open(fname) as f:
        return load_json(f.read())


_HIDDEN_KWARGS = ("lr_mult", "wd_mult", "ctx_group", "force_mirroring", "mirror_stage",
                  "profiler_scope")


def create_op_symbol(op, inputs, kwargs, name=None, attr=None, hint=None):
    """Apply ``op`` to Symbol ``inputs`` (missing ones become Variables ``<name>_<input>``).

    ``hint``: the name the op was called by (MXNet names nodes ``<hint lowercased><n>``).
    """
    attr = dict(attr or {})
    for key in list(kwargs):
        if key in _HIDDEN_KWARGS:   # MXNet turns these op arguments into __key__ attributes
            attr[f"__{key}__"] = str(kwargs.pop(key))
        elif key.startswith("__") and key.endswith("__"):
            attr[key] = str(kwargs.pop(key))
    given = {k for k in kwargs}
    if op.variadic is not None:
        kwargs.setdefault(op.variadic, len(inputs))
    params = op.make_params(kwargs)
    hint = (hint or op.name).lower()
    node_name = NameManager.current.get(name, hint)
    attrs = _hide(AttrScope.current.get(_hide(attr)))
    names = op.input_names(params)
    entries = []
    for i, input_name in enumerate(names):
        sym = inputs.get(input_name) if isinstance(inputs, dict) else \
            (inputs[i] if i < len(inputs) else None)
        if sym is None:
            # auto-created inputs inherit the node's attributes (lr_mult, ctx_group...)
            var_attr = dict(attrs)
            var_attr.update(op.input_attrs.get(input_name, {}))
            sym = Variable(f"{node_name}_{input_name}", attr=var_attr)
        elif not isinstance(sym, Symbol):
            raise TypeError(f"Operator {op.name}: input {input_name} must be a Symbol, got "
                            f"{type(sym).__name__}")
        if len(sym._outputs) != 1:
            raise MXNetError(f"Operator {op.name}: input {input_name} must have one output, "
                             f"got a group of {len(sym._outputs)}")
        entries.append(sym._outputs[0])
    # open_params ops (Custom) store every given keyword: their attrs are all "given"
    keys = None if params is None or getattr(op, "open_params", False) else \
        tuple(k for k in params._specs if k in given or k == op.variadic)
    node = Node(op, node_name, params, entries, attrs=attrs, param_keys=keys)
    n = op.num_visible_outputs(params)
    return Symbol([node.output(i) for i in range(n)])


def from_recorded(array):
    """The computation autograd recorded for ``array``, as a Symbol (``get_symbol``)."""
    if array._entry is None:
        raise MXNetError("get_symbol: the array was not computed while recording")
    counts = {}
    for node in topo_order([array._entry]):
        if not node.name or node.op is not None:
            hint = "var" if node.op is None else node.op.name.lower()
            if node.op is None or node.name == node.op.name:
                node.name = f"{hint}{counts.get(hint, 0)}"
                counts[hint] = counts.get(hint, 0) + 1
    return Symbol([array._entry])
