"""MXNet symbol JSON: write the graph IR as MXNet 1.9 does, read every version MXNet reads.

The writer reproduces dmlc's JSON layout (so files diff cleanly against MXNet's); the
reader accepts 1.x files and upgrades pre-1.0 ones (``param``/``attr`` keys, hidden keys
such as ``ctx_group`` -> ``__ctx_group__``), as MXNet's legacy_json_util does.
"""
import json

from ..base import MXNetError
from ..ops import registry
from ..util import is_np_shape
from .node import Node, Entry, topo_order

__all__ = ["dumps", "loads", "MXNET_VERSION"]

MXNET_VERSION = 10901
_HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage")


# --- writing -------------------------------------------------------------------
def dumps(outputs):
    """JSON text of the graph whose outputs are the Entries ``outputs``."""
    nodes = topo_order(outputs)
    index = {id(n): i for i, n in enumerate(nodes)}
    aux_inputs = _aux_input_entries(nodes)
    items, row_ptr = [], [0]
    for node in nodes:
        items.append(_node_json(node, index, aux_inputs))
        row_ptr.append(row_ptr[-1] + node.num_outputs)
    arg_nodes = [i for i, n in enumerate(nodes) if n.op is None]
    heads = [[index[id(e.node)], e.index, 0] for e in outputs]
    attrs = {"mxnet_version": ["int", MXNET_VERSION]}
    if is_np_shape():
        attrs = {"is_np_shape": ["int", 1], **attrs}
    parts = [
        '  "nodes": [\n' + ", \n".join(items) + "\n  ]",
        '  "arg_nodes": ' + _inline(arg_nodes),
        '  "node_row_ptr": [\n' + ", \n".join(f"    {v}" for v in row_ptr) + "\n  ]",
        '  "heads": ' + _inline(heads),
        '  "attrs": ' + _inline(attrs),
    ]
    return "{\n" + ", \n".join(parts) + "\n}"


def _aux_input_entries(nodes):
    aux = set()
    for node in nodes:
        if node.op is not None:
            n = node.op.num_aux(node.params)
            for e in node.inputs[len(node.inputs) - n:] if n else ():
                aux.add((id(node), id(e.node), e.index))
    return aux


def _node_json(node, index, aux_inputs):
    fields = [f'"op": {json.dumps("null" if node.op is None else node.op.name)}',
              f'"name": {json.dumps(node.name)}']
    attrs = dict(node.param_attrs())
    attrs.update(node.attrs)
    if attrs:
        fields.append('"attrs": ' + _map(dict(sorted(attrs.items())), "      "))
    ins = [[index[id(e.node)], e.index, 1 if (id(node), id(e.node), e.index) in aux_inputs else 0]
           for e in node.inputs]
    fields.append('"inputs": ' + _inline(ins))
    return "    {\n" + ", \n".join("      " + f for f in fields) + "\n    }"


def _map(d, indent):
    if len(d) <= 1:
        return _inline(d)
    body = ", \n".join(f"{indent}  {json.dumps(k)}: {json.dumps(v)}" for k, v in d.items())
    return "{\n" + body + "\n" + indent + "}"


def _inline(value):
    return json.dumps(value, separators=(", ", ": "))


# --- reading -------------------------------------------------------------------
def loads(text):
    """The output Entries of the graph in JSON ``text``; a clear MXNetError if corrupt."""
    try:
        data = json.loads(text)
        raw_nodes = data["nodes"]
        heads = data["heads"]
    except (ValueError, KeyError, TypeError) as err:
        raise MXNetError(f"symbol JSON is corrupt or truncated: {err}") from None
    legacy = any("param" in n or "attr" in n for n in raw_nodes)
    nodes = []
    for i, raw in enumerate(raw_nodes):
        try:
            nodes.append(_make_node(raw, nodes, legacy))
        except (KeyError, IndexError, TypeError, ValueError) as err:
            raise MXNetError(f"symbol JSON node {i} ({raw.get('name', '?')!r}) is invalid: "
                             f"{err}") from None
    if legacy:
        _spread_input_attrs(nodes)
    try:
        return [Entry(nodes[h[0]], h[1]) for h in heads]
    except (IndexError, TypeError) as err:
        raise MXNetError(f"symbol JSON heads are invalid: {err}") from None


def _raw_attrs(raw, legacy):
    attrs = {}
    for key in ("param", "attr", "attrs"):
        attrs.update(raw.get(key) or {})
    if legacy:
        attrs = {(f"__{k}__" if k in _HIDDEN_KEYS else k): v for k, v in attrs.items()}
    return {k: str(v) for k, v in attrs.items()}


def _make_node(raw, nodes, legacy):
    attrs = _raw_attrs(raw, legacy)
    name = raw["name"]
    if raw["op"] == "null":
        return Node(None, name, attrs=attrs)
    op = registry.get(raw["op"])
    specs = op.params._specs if op.params is not None else {}
    open_params = getattr(op, "open_params", False)   # Custom: every plain attr is a param
    given = {k: v for k, v in attrs.items()
             if k in specs or (open_params and not k.startswith("__"))}
    rest = {k: v for k, v in attrs.items() if k not in specs}
    params = op.make_params(given) if op.params is not None else None
    inputs = [Entry(nodes[i[0]], i[1]) for i in raw["inputs"]]
    keys = tuple(k for k in specs if k in given) \
        if params is not None and not open_params else None
    return Node(op, name, params, inputs, attrs=rest, param_keys=keys)


def _spread_input_attrs(nodes):
    """Pre-1.0 files put ``<input>_lr_mult`` on the op; MXNet moves it to the input var."""
    for node in nodes:
        if node.op is None:
            continue
        names = node.op.input_names(node.params)
        for key, value in list(node.attrs.items()):
            for input_name, e in zip(names, node.inputs):
                for hidden in ("lr_mult", "wd_mult"):
                    if key == f"{input_name}_{hidden}" and e.node.op is None:
                        e.node.attrs[f"__{hidden}__"] = value
