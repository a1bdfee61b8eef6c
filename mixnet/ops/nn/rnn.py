"""The fused ``RNN`` op (vanilla ReLU/tanh RNN, LSTM, GRU; multi-layer, bidirectional,
LSTM projection and cell clipping, dropout between layers, variable lengths) and its fused
``_backward_RNN`` (explicit BPTT in rnn_kernel.py, recomputing the forward).

Inputs: data (T, N, I), parameters (one flat vector, MXNet's packed layout), state
(L*D, N, R), state_cell (L*D, N, H; LSTM only), sequence_length (N,; use_sequence_length
only). Outputs: output (T, N, D*R), state_output, statecell_output (LSTM), the last two
visible only with state_outputs; R = projection_size or state_size.
NOTE: a hidden last output ``dropout_mask`` (L-1, T, N, D*R) exists when p > 0 and
num_layers > 1, so that the backward uses the forward's dropout draw.
NOTE: MXNet 1.9.1's CPU kernel ignores sequence_length and the lstm_state_clip_* options;
we follow the documented (cuDNN) semantics: steps past a sequence's length output zeros
and keep the state, the reverse direction starts at the last valid step, and the LSTM cell
state is clipped to [min, max] (NaN to min with lstm_state_clip_nan).
"""
import types

from ..infer import InferTypeError, ShapeError
from ..param import Bool, Choice, Float, Int, Param
from ..registry import op
from . import rnn_kernel
from .fully_connected import param_kwargs
from .im2col import assign_input_shape

__all__ = ["RNNParam"]


class RNNParam(Param):
    state_size = Int(doc="size of the state for each layer")
    num_layers = Int(doc="number of stacked layers")
    bidirectional = Bool(False, "whether to use bidirectional recurrent layers")
    mode = Choice(("gru", "lstm", "rnn_relu", "rnn_tanh"), doc="the type of RNN to compute")
    p = Float(0.0, "drop rate of the dropout on the outputs of each RNN layer, except the "
              "last layer.")
    state_outputs = Bool(False, "Whether to have the states as symbol outputs.")
    projection_size = Int(None, "size of project size")
    lstm_state_clip_min = Float(None, "Minimum clip value of LSTM states. This option must "
                                "be used together with lstm_state_clip_max.")
    lstm_state_clip_max = Float(None, "Maximum clip value of LSTM states. This option must "
                                "be used together with lstm_state_clip_min.")
    lstm_state_clip_nan = Bool(False, "Whether to stop NaN from propagating in state by "
                               "clipping it to min/max. If clipping range is not specified, "
                               "this option is ignored.")
    use_sequence_length = Bool(False, "If set to true, this layer takes in an extra input "
                               "parameter `sequence_length` to specify variable length "
                               "sequence")


# --- arity -------------------------------------------------------------------------------
def _lstm(p):
    return p.mode == "lstm"


def _has_mask(p):
    return p.p > 0 and p.num_layers > 1


def _input_names(p):
    return ("data", "parameters", "state") + (("state_cell",) if _lstm(p) else ()) + \
        (("sequence_length",) if p.use_sequence_length else ())


def _num_states(p):
    return 2 if _lstm(p) else 1


def _output_names(p):
    names = ("output", "state_output", "statecell_output")[:1 + _num_states(p)]
    return names + (("dropout_mask",) if _has_mask(p) else ())


def _config(p):
    clip = None
    if _lstm(p) and p.lstm_state_clip_min is not None and p.lstm_state_clip_max is not None:
        clip = (p.lstm_state_clip_min, p.lstm_state_clip_max, p.lstm_state_clip_nan)
    return types.SimpleNamespace(mode=p.mode, num_layers=p.num_layers,
                                 dirs=2 if p.bidirectional else 1, state_size=p.state_size,
                                 proj=p.projection_size, clip=clip)


# --- inference ---------------------------------------------------------------------------
def _check_params(p):
    if not 0 <= p.p <= 1:
        raise ShapeError(f"value {p.p} for Parameter p exceed bound [0,1]")
    if p.projection_size is not None and not _lstm(p):
        raise ShapeError(f"projection_size is only supported with mode='lstm', got "
                         f"mode={p.mode!r}")


def _rnn_shape(params, in_shapes):
    _check_params(params)
    data = in_shapes[0]
    if data is None:
        return [None] * len(_output_names(params))
    if len(data) != 3:
        raise ShapeError(f"Input data should be rank-3 tensor of dim [sequence length, batch "
                         f"size, input size], got {tuple(data)}")
    steps, batch, width = data
    cfg = _config(params)
    rec = cfg.proj or cfg.state_size
    layers = cfg.num_layers * cfg.dirs
    if width:
        size = rnn_kernel.param_size(cfg.mode, cfg.num_layers, cfg.dirs, width,
                                     cfg.state_size, cfg.proj)
        assign_input_shape(in_shapes, 1, (size,), "parameters")
    assign_input_shape(in_shapes, 2, (layers, batch, rec), "state")
    outs = [(steps, batch, cfg.dirs * rec), (layers, batch, rec)]
    if _lstm(params):
        assign_input_shape(in_shapes, 3, (layers, batch, cfg.state_size), "state_cell")
        outs.append((layers, batch, cfg.state_size))
    if params.use_sequence_length:
        assign_input_shape(in_shapes, len(in_shapes) - 1, (batch,), "sequence_length")
    if _has_mask(params):
        outs.append((cfg.num_layers - 1,) + outs[0])
    return outs


def _rnn_type(params, in_types):
    dtype = in_types[0]
    if dtype is None:
        return [None] * len(_output_names(params))
    floats = 2 + _num_states(params)   # data, parameters and the states share a dtype
    for i in range(1, len(in_types)):
        if in_types[i] is None:
            in_types[i] = dtype
        elif i < floats and in_types[i] != dtype:
            raise InferTypeError(f"input {_input_names(params)[i]} has type {in_types[i]}, "
                                 f"expected {dtype} like data")
    return [dtype] * len(_output_names(params))


# --- forward -------------------------------------------------------------------------------
def _split(params, inputs):
    """(data, parameters, state, state_cell or None, sequence_length or None, rest)."""
    inputs = list(inputs)
    head = inputs[:3]
    cell = inputs.pop(3) if _lstm(params) else None
    lengths = inputs.pop(3) if params.use_sequence_length else None
    return head + [cell, lengths], inputs[3:]


def _dropout_masks(xp, params, shape, dtype, rng, is_train):
    """Scaled keep-masks for the outputs of all layers but the last."""
    if not is_train or params.p == 0:
        return None, xp.ones(shape, dtype=dtype)
    if params.p >= 1:
        masks = xp.zeros(shape, dtype=dtype)
    else:
        keep = rng.uniform(0.0, 1.0, size=shape) >= params.p
        masks = (keep / (1 - params.p)).astype(dtype)
    return masks, masks


@op("RNN", inputs=("data", "parameters", "state", "state_cell", "sequence_length"),
    list_inputs=_input_names, params=RNNParam,
    num_outputs=lambda p: len(_output_names(p)),
    num_visible_outputs=lambda p: 1 + _num_states(p) if p.state_outputs else 1,
    output_names=_output_names, infer_shape=_rnn_shape, infer_type=_rnn_type,
    random=True, train=True)
def rnn(xp, params, *inputs, rng=None, is_train=False):
    """Applies recurrent layers to input data. Currently, vanilla RNN, LSTM and GRU are
    implemented, with both multi-layer and bidirectional support."""
    (data, flat, state, cell, lengths), _ = _split(params, inputs)
    cfg = _config(params)
    masks, hidden = None, ()
    if _has_mask(params):
        shape = (cfg.num_layers - 1,) + data.shape[:2] + (cfg.dirs * state.shape[2],)
        masks, mask_out = _dropout_masks(xp, params, shape, data.dtype, rng, is_train)
        hidden = (mask_out,)
    out, hy, cy, _ = rnn_kernel.forward(xp, cfg, data, flat, state, cell, lengths, masks)
    return (out, hy) + ((cy,) if cy is not None else ()) + hidden


@rnn.gradient
def _(F, node, ograds):
    p = node.params
    n_in = 3 + _lstm(p)
    mask = [node.output(len(ograds) - 1)] if _has_mask(p) else []
    grads = F._backward_RNN(*node.inputs, *ograds[:1 + _num_states(p)], *mask,
                            **param_kwargs(p))
    return list(grads[:n_in]) + ([None] if p.use_sequence_length else [])


# --- backward ------------------------------------------------------------------------------
def _backward_inputs(p):
    return _input_names(p) + ("dout", "dstate") + (("dstate_cell",) if _lstm(p) else ()) + \
        (("dropout_mask",) if _has_mask(p) else ())


def _backward_shape(params, in_shapes):
    return [in_shapes[i] for i in range(3 + _lstm(params))]


def _backward_type(params, in_types):
    return [in_types[i] for i in range(3 + _lstm(params))]


@op("_backward_RNN", inputs=("data", "parameters", "state", "state_cell", "sequence_length",
                             "dout", "dstate", "dstate_cell", "dropout_mask"),
    list_inputs=_backward_inputs, params=RNNParam,
    num_outputs=lambda p: 3 + _lstm(p), infer_shape=_backward_shape,
    infer_type=_backward_type, grad=None)
def _backward_rnn(xp, params, *inputs):
    """Gradients of RNN for data, parameters, state and (LSTM) state_cell."""
    # NOTE: not differentiable again (grad=None): the BPTT runs on raw arrays.
    (data, flat, state, cell, lengths), rest = _split(params, inputs)
    dout, dhy = rest[0], rest[1]
    dcy = rest[2] if _lstm(params) else None
    masks = rest[-1] if _has_mask(params) else None
    dx, dflat, dh0, dc0 = rnn_kernel.backward(xp, _config(params), data, flat, state, cell,
                                              lengths, masks, dout, dhy, dcy)
    return (dx, dflat, dh0) + ((dc0,) if dc0 is not None else ())
