"""SequenceMask, SequenceLast and SequenceReverse over [seq, batch, ...] data (or
[batch, seq, ...] with axis=1), with an optional ``sequence_length`` input of shape [batch].

All three are linear in the data, so their gradients are built from themselves and from
``_backward_SequenceLast`` (a scatter), and differentiate again. Lengths are truncated to
integers, as MXNet reads them; they get no gradient.
"""
from ..infer import ShapeError
from ..param import Bool, Float, Int, Param
from ..reduce import fmt_shape
from ..registry import op
from .norms import fill_param_shapes

__all__ = []


class SequenceParam(Param):
    use_sequence_length = Bool(False, "If set to true, this layer takes in an extra input "
                               "parameter `sequence_length` to specify variable length "
                               "sequence")


class SequenceMaskParam(SequenceParam):
    value = Float(0.0, "The value to be used as a mask.")
    axis = Int(0, "The sequence axis. Only values of 0 and 1 are currently supported.")


class SequenceLastParam(SequenceParam):
    axis = Int(0, "The sequence axis. Only values of 0 and 1 are currently supported.")


class SequenceReverseParam(SequenceParam):
    axis = Int(0, "The sequence axis. Only 0 is currently supported.")


def _inputs(p):
    return ("data", "sequence_length") if p.use_sequence_length else ("data",)


def _check(params, in_shapes, allowed=(0, 1)):
    """Validate data and fill sequence_length's shape; None when data is unknown."""
    data = in_shapes[0]
    if params.axis not in allowed:
        raise ShapeError(f"axis={params.axis} is not supported (only "
                         f"{' and '.join(map(str, allowed))})")
    if data is None:
        return None
    if len(data) < 2:
        raise ShapeError(f"The data array must be of rank 2 or greater, got {fmt_shape(data)}")
    if params.use_sequence_length:
        fill_param_shapes(in_shapes, (1,), (data[1 - params.axis],))
    return tuple(data)


def _same_type(params, in_types):
    for i in range(1, len(in_types)):
        in_types[i] = in_types[i] or in_types[0]
    return [in_types[0]]


def _positions(xp, data, axis):
    """Positions along the sequence axis, shaped to broadcast against [seq, batch] dims."""
    n = data.shape[axis]
    return xp.arange(n).reshape((n, 1) if axis == 0 else (1, n))


def _lengths(xp, length, axis):
    length = length.astype("int64")
    return length.reshape((1, -1) if axis == 0 else (-1, 1))


def _trailing(a, ndim):
    return a.reshape(a.shape + (1,) * (ndim - 2))


def seq_op(name, params, shape):
    return op(name, inputs=("data", "sequence_length"), list_inputs=_inputs, params=params,
              infer_shape=shape, infer_type=_same_type)


def _no_length(node):
    return [None] * (len(node.inputs) - 1)


@seq_op("SequenceMask", SequenceMaskParam, lambda p, s: [_check(p, s)])
def sequence_mask(xp, params, data, sequence_length=None):
    """Sets all elements outside the sequence to a constant value."""
    if not params.use_sequence_length:
        return data
    keep = _positions(xp, data, params.axis) < _lengths(xp, sequence_length, params.axis)
    return xp.where(_trailing(keep, data.ndim), data, data.dtype.type(params.value))


@sequence_mask.gradient
def _(F, node, ograds):
    p = node.params
    g = F.SequenceMask(ograds[0], *node.inputs[1:], use_sequence_length=p.use_sequence_length,
                       value=0.0, axis=p.axis)
    return [g] + _no_length(node)


def _last_shape(params, in_shapes):
    data = _check(params, in_shapes)
    return [None if data is None else data[:params.axis] + data[params.axis + 1:]]


def _last_index(xp, params, data, sequence_length):
    """Per batch entry, the position of its last element."""
    n = data.shape[params.axis]
    if not params.use_sequence_length:
        return xp.full(data.shape[1 - params.axis], n - 1)
    # NOTE: MXNet reads out of bounds for a length of 0; we clip to the first element.
    return xp.clip(sequence_length.astype("int64") - 1, 0, n - 1)


@seq_op("SequenceLast", SequenceLastParam, _last_shape)
def sequence_last(xp, params, data, sequence_length=None):
    """Takes the last element of a sequence."""
    idx = _last_index(xp, params, data, sequence_length)
    batch = xp.arange(idx.shape[0])
    return data[idx, batch] if params.axis == 0 else data[batch, idx]


@sequence_last.gradient
def _(F, node, ograds):
    p = node.params
    g = F._backward_SequenceLast(ograds[0], *node.inputs, axis=p.axis,
                                 use_sequence_length=p.use_sequence_length)
    return [g] + _no_length(node)


def _bw_last_inputs(p):
    return ("ograd",) + _inputs(p)


@op("_backward_SequenceLast", inputs=("ograd", "data", "sequence_length"),
    list_inputs=_bw_last_inputs, params=SequenceLastParam,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[0]])
def _backward_sequence_last(xp, params, ograd, data, sequence_length=None):
    """Gradient of SequenceLast: the output gradient placed at each last element."""
    idx = _last_index(xp, params, data, sequence_length)
    batch = xp.arange(idx.shape[0])
    out = xp.zeros(data.shape, dtype=ograd.dtype)
    if params.axis == 0:
        out[idx, batch] = ograd
    else:
        out[batch, idx] = ograd
    return out


@_backward_sequence_last.gradient
def _(F, node, ograds):
    p = node.params
    g = F.SequenceLast(ograds[0], *node.inputs[2:], axis=p.axis,
                       use_sequence_length=p.use_sequence_length)
    return [g] + [None] * (len(node.inputs) - 1)


@seq_op("SequenceReverse", SequenceReverseParam, lambda p, s: [_check(p, s, (0,))])
def sequence_reverse(xp, params, data, sequence_length=None):
    """Reverses the elements of each sequence."""
    n = data.shape[0]
    if not params.use_sequence_length:
        return data[::-1]
    pos = _positions(xp, data, 0)
    length = xp.clip(_lengths(xp, sequence_length, 0), 0, n)
    # position t of sequence b reads t' = L_b - 1 - t when t < L_b, else itself
    src = xp.where(pos < length, length - 1 - pos, pos)
    return data[src, xp.arange(data.shape[1])]


@sequence_reverse.gradient
def _(F, node, ograds):
    p = node.params
    g = F.SequenceReverse(ograds[0], *node.inputs[1:],
                          use_sequence_length=p.use_sequence_length, axis=p.axis)
    return [g] + _no_length(node)
