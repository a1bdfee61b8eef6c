"""``print_summary`` (a Keras-style table of a Symbol's layers) and ``plot_network`` (a
graphviz Digraph of it), with MXNet 1.9.1's output. Both read the symbol's JSON.
Layer 11.
"""
import copy
import json
import re
import warnings

import numpy as np

from .base import MXNetTypeError
from .symbol import Symbol

__all__ = ["plot_network", "print_summary"]


def _str2tuple(string):
    """The numbers of a shape attribute: ``'(3, 3)'`` -> ``['3', '3']``."""
    return re.findall(r"\d+", string)


def _internal_values(symbol, infer, given, what):
    """{internal output name: inferred shape or type} given the inputs' ``given``."""
    internals = symbol.get_internals()
    _, outs, _ = getattr(internals, infer)(**given)
    if outs is None:
        raise ValueError(f"Input {what} is incomplete")
    return dict(zip(internals.list_outputs(), outs))


def _output_key(node):
    """The name of a node's (first) output among the internals' outputs."""
    return node["name"] + "_output" if node["op"] != "null" else node["name"]


# --- print_summary -----------------------------------------------------------------
def _print_row(fields, positions):
    """Print ``fields``, each cut or padded to end at its column position."""
    line = ""
    for field, end in zip(fields, positions):
        line = (line + str(field))[:end]
        line += " " * (end - len(line))
    print(line)


def _param_count(node, pre_filter, shapes):
    """Parameters of one layer, MXNet's way (only a few layer types are counted;
    ``pre_filter`` is the inputs' channel count, 0 without shapes)."""
    op, attrs = node["op"], node.get("attrs", {})
    has_bias = attrs.get("no_bias") != "True"
    if op == "Convolution":
        count = pre_filter * int(attrs["num_filter"]) // int(attrs.get("num_group", "1"))
        for k in _str2tuple(attrs["kernel"]):
            count *= int(k)
        return count + (int(attrs["num_filter"]) if has_bias else 0)
    if op == "FullyConnected":
        return (pre_filter + (1 if has_bias else 0)) * int(attrs["num_hidden"])
    if op == "BatchNorm":
        return int(shapes[node["name"] + "_output"][1]) * 2 if shapes is not None else 0
    if op == "Embedding":
        return int(attrs["input_dim"]) * int(attrs["output_dim"])
    return 0


def _layer_inputs(node, nodes, heads, shapes):
    """(names of the inputs shown as previous layers, their total channel count)."""
    names, channels = [], 0
    if node["op"] == "null":
        return names, channels
    for entry in node["inputs"]:
        src = nodes[entry[0]]
        if src["op"] == "null" and entry[0] not in heads:
            continue   # weights and data variables are not layers
        names.append(src["name"])
        key = _output_key(src)
        if shapes is not None and key in shapes:
            channels += int(shapes[key][1:][0])
    return names, channels


def _print_layer(node, nodes, heads, shapes, out_shape, positions):
    """Print one layer's row(s); return its parameter count."""
    previous, pre_filter = _layer_inputs(node, nodes, heads, shapes)
    count = _param_count(node, pre_filter, shapes)
    first = previous[0] if previous else ""
    _print_row([f"{node['name']}({node['op']})", "x".join(str(x) for x in out_shape),
                count, first], positions)
    for name in previous[1:]:
        _print_row(["", "", "", name], positions)
    return count


# NOTE: list and dict defaults as in MXNet's signatures; neither function mutates them
def print_summary(symbol, shape=None, line_length=120, positions=[.44, .64, .74, 1.]):  # noqa: B006
    """Print a table of ``symbol``'s layers: name(type), output shape (without the batch
    axis; needs ``shape``), parameter count and previous layer(s), then the total.

    Parameters
    ----------
    symbol : Symbol
        The network.
    shape : dict of str to tuple, optional
        Input shapes, to show output shapes and count shape-dependent parameters.
    line_length : int
        Width of the table.
    positions : list of float or int
        Where each of the four columns ends, relative to ``line_length`` (or absolute).

    Examples
    --------
    >>> net = mx.sym.Activation(mx.sym.Variable('data'), act_type='relu', name='relu1')
    >>> mx.viz.print_summary(net, {'data': (1, 3)}, line_length=60)   # doctest: +SKIP
    """
    if not isinstance(symbol, Symbol):
        raise MXNetTypeError("symbol must be Symbol")
    shapes = _internal_values(symbol, "infer_shape", shape, "shape") \
        if shape is not None else None
    conf = json.loads(symbol.tojson())
    nodes = conf["nodes"]
    # NOTE: MXNet takes the node ids "in the heads" from the first head's
    # [node, output, version] triple; kept so the tables are the same.
    heads = set(conf["heads"][0])
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    print("_" * line_length)
    _print_row(["Layer (type)", "Output Shape", "Param #", "Previous Layer"], positions)
    print("=" * line_length)
    total = 0
    for i, node in enumerate(nodes):
        if node["op"] == "null" and i > 0:
            continue   # MXNet lists the first variable (the data) and the layers
        out_shape = []
        key = _output_key(node)
        if shapes is not None and (node["op"] != "null" or i in heads) and key in shapes:
            out_shape = shapes[key][1:]
        total += _print_layer(node, nodes, heads, shapes, out_shape, positions)
        print(("=" if i == len(nodes) - 1 else "_") * line_length)
    print(f"Total params: {total}")
    print("_" * line_length)


# --- plot_network ------------------------------------------------------------------
# fill colours by kind of layer
_COLORS = ("#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3",
           "#fdb462", "#b3de69", "#fccde5")
_WEIGHT_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma",
                    "_moving_var", "_moving_mean", "_running_var", "_running_mean")


def _op_label_color(node):
    """(label, fill colour) of an operator node."""
    op, attrs = node["op"], node.get("attrs") or {}
    if op == "Convolution":
        stride = "x".join(_str2tuple(attrs["stride"])) if "stride" in attrs else "1"
        kernel = "x".join(_str2tuple(attrs["kernel"]))
        return f"Convolution\n{kernel}/{stride}, {attrs['num_filter']}", _COLORS[1]
    if op == "FullyConnected":
        return f"FullyConnected\n{attrs['num_hidden']}", _COLORS[1]
    if op == "BatchNorm":
        return node["name"], _COLORS[3]
    if op == "Activation":
        return f"Activation\n{attrs['act_type']}", _COLORS[2]
    if op == "LeakyReLU":
        return f"LeakyReLU\n{attrs.get('act_type', 'Leaky')}", _COLORS[2]
    if op == "Pooling":
        kernel = "x".join(_str2tuple(attrs["kernel"])) if "kernel" in attrs else "[]"
        stride = "x".join(_str2tuple(attrs["stride"])) if "stride" in attrs else "1"
        return f"Pooling\n{attrs['pool_type']}, {kernel}/{stride}", _COLORS[4]
    if op in ("Concat", "Flatten", "Reshape"):
        return node["name"], _COLORS[5]
    if op == "Softmax":
        return node["name"], _COLORS[6]
    return (attrs["op_type"] if op == "Custom" else node["name"]), _COLORS[7]


def _warn_repeated_names(nodes):
    seen, repeated = set(), set()
    for node in nodes:
        (repeated if node["name"] in seen else seen).add(node["name"])
    if repeated:
        message = ("There are multiple variables with the same name in your graph, "
                   "this may result in cyclic graph. Repeated names: ")
        warnings.warn(message + ",".join(repeated), RuntimeWarning)


def _edge_label(src, shapes, types):
    """The shape (and type) of what flows out of node ``src``, MXNet's way: a multi-output
    node shows its last output."""
    key = _output_key(src)
    if src["op"] != "null" and "num_outputs" in (src.get("attrs") or {}):
        key += str(int(src["attrs"]["num_outputs"]) - 1)
    label = "x".join(str(x) for x in shapes[key][1:]) if shapes is not None else ""
    if types is not None:
        label += "(" + np.dtype(types[key]).name + ")"
    return label


def _add_nodes(dot, nodes, node_attr, hide_weights):
    """Draw the nodes; return the names of hidden weight variables."""
    hidden = set()
    for node in nodes:
        attr = copy.deepcopy(node_attr)
        if node["op"] == "null":
            if node["name"].endswith(_WEIGHT_SUFFIXES):
                # shown weights get no node of their own: graphviz draws an empty oval
                if hide_weights:
                    hidden.add(node["name"])
                continue
            attr["shape"] = "oval"
            label, attr["fillcolor"] = node["name"], _COLORS[0]
        else:
            label, attr["fillcolor"] = _op_label_color(node)
        dot.node(name=node["name"], label=label, **attr)
    return hidden


def plot_network(symbol, title="plot", save_format="pdf", shape=None, dtype=None,
                 node_attrs={}, hide_weights=True):  # noqa: B006
    """A graphviz ``Digraph`` of the computation of ``symbol`` (needs the ``graphviz``
    Python package).

    Parameters
    ----------
    symbol : Symbol
        The network.
    title : str
        Name of the graph.
    save_format : str
        Format used when rendering (pdf, png, ...).
    shape : dict of str to tuple, optional
        Input shapes: edges are labelled with tensor shapes.
    dtype : dict of str to numpy dtype, optional
        Input types: edges are labelled with tensor types.
    node_attrs : dict, optional
        Graphviz node attributes overriding the defaults, e.g. ``{"fixedsize": "false"}``.
    hide_weights : bool
        Hide the ``*_weight``, ``*_bias``, ... variables.

    Examples
    --------
    >>> net = mx.sym.Activation(mx.sym.Variable('data'), act_type='relu', name='relu1')
    >>> dot = mx.viz.plot_network(net, shape={'data': (1, 3)})
    >>> dot.name
    'plot'
    """
    try:
        from graphviz import Digraph
    except ImportError:
        raise ImportError("Draw network requires graphviz library") from None
    if not isinstance(symbol, Symbol):
        raise MXNetTypeError("symbol must be a Symbol")
    shapes = _internal_values(symbol, "infer_shape", shape, "shape") \
        if shape is not None else None
    types = _internal_values(symbol, "infer_type", dtype, "type") \
        if dtype is not None else None
    nodes = json.loads(symbol.tojson())["nodes"]
    _warn_repeated_names(nodes)
    node_attr = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034",
                 "style": "filled"}
    node_attr.update(node_attrs)
    dot = Digraph(name=title, format=save_format)
    hidden = _add_nodes(dot, nodes, node_attr, hide_weights)
    for node in nodes:
        if node["op"] == "null":
            continue
        inputs = node["inputs"]
        if node["op"] == "_contrib_BilinearResize2D":
            inputs = inputs[:1]   # its second input only gives the output size
        for entry in inputs:
            src = nodes[entry[0]]
            if src["name"] in hidden:
                continue
            dot.edge(tail_name=node["name"], head_name=src["name"], dir="back",
                     arrowtail="open", label=_edge_label(src, shapes, types))
    return dot
