"""Joining and splitting along an axis: Concat, stack, SliceChannel (split), _split_v2.

Each one's gradient is the other direction: Concat's is ``_backward_Concat`` (a split at
the input sizes), split's is a Concat of the output gradients.
"""
import numpy as np

from .infer import merge_shape, InferTypeError, ShapeError, normalize_axis
from .param import Bool, Int, Param, Shape
from .registry import op

__all__ = []


def _uniform_type(op_name):
    """All inputs share one dtype; the message names the first input that differs."""
    def rule(params, in_types):
        dtype = next((t for t in in_types if t is not None), None)
        for i, t in enumerate(in_types):
            if t is not None and t != dtype:
                raise InferTypeError(f"Non-uniform data type in {op_name}, expected data type "
                                     f"{np.dtype(dtype).name}, got data type "
                                     f"{np.dtype(t).name} for input {i}")
        for i in range(len(in_types)):
            in_types[i] = dtype
        return [dtype]
    return rule


# --- Concat ----------------------------------------------------------------------------------
class ConcatParam(Param):
    num_args = Int(doc="Number of inputs to be concated.")
    dim = Int(1, "the dimension to be concated.")


def _check_count(num_args, in_shapes):
    if len(in_shapes) != num_args:
        raise ShapeError(f"expects {num_args} inputs (num_args), but got {len(in_shapes)}")


def _concat_infer(params, in_shapes):
    _check_count(params.num_args, in_shapes)
    ref = next((s for s in in_shapes if s is not None), None)
    if ref is None:
        return [None]
    axis = normalize_axis(params.dim, len(ref), "dim")
    for i, s in enumerate(in_shapes):
        if s is None:
            return [None]
        same = len(s) == len(ref) and all(a == b or not a or not b
                                          for k, (a, b) in enumerate(zip(s, ref)) if k != axis)
        if not same:
            raise ShapeError(f"input arg{i} has shape {tuple(s)}, incompatible with arg0 "
                             f"shape {tuple(ref)}: all dimensions except dim={params.dim} "
                             f"must match")
    sizes = [s[axis] for s in in_shapes]
    out = list(ref)
    out[axis] = sum(sizes) if all(sizes) else 0   # 0: unknown during graph inference
    return [tuple(out)]


def _concat_backward_infer(params, in_shapes, out_shapes):
    """Every input shares the output's dims except along ``dim``."""
    out = out_shapes[0]
    if out is None:
        return
    axis = normalize_axis(params.dim, len(out), "dim")
    known = [s[axis] for s in in_shapes if s is not None and s[axis]]
    for i, s in enumerate(in_shapes):
        base = list(out) if s is None else [o if k != axis and not d else d
                                            for k, (d, o) in enumerate(zip(s, out))]
        if s is None:
            base[axis] = 0
        if base[axis] == 0 and out[axis] and len(known) == len(in_shapes) - 1:
            base[axis] = out[axis] - sum(known)
        in_shapes[i] = tuple(base)


@op("Concat", aliases=("concat",), inputs=("data",), params=ConcatParam, variadic="num_args",
    infer_shape=_concat_infer, infer_type=_uniform_type("Concat"),
    infer_shape_backward=_concat_backward_infer)
def concat(xp, params, *data):
    """Joins input arrays along a given axis."""
    return xp.concatenate(data, axis=normalize_axis(params.dim, data[0].ndim, "dim"))


@concat.gradient
def _(F, node, ograds):
    parts = F._backward_Concat(ograds[0], *node.inputs, dim=node.params.dim)
    # NOTE: an Entry is a (named) tuple itself, so count inputs instead of isinstance
    return [parts] if node.params.num_args == 1 else list(parts)


class BackwardConcatParam(Param):
    num_args = Int(doc="Number of inputs: the output gradient, then each Concat input.")
    dim = Int(1, "the dimension that was concated.")


def _backward_concat_infer(params, in_shapes):
    return list(in_shapes[1:])


def _backward_concat_type(params, in_types):
    return [in_types[0]] * (params.num_args - 1)


@op("_backward_Concat", inputs=("data",), params=BackwardConcatParam, variadic="num_args",
    num_outputs=lambda p: p.num_args - 1, infer_shape=_backward_concat_infer,
    infer_type=_backward_concat_type)
def _backward_concat(xp, params, ograd, *inputs):
    """Splits the output gradient of Concat back into one piece per input."""
    axis = normalize_axis(params.dim, ograd.ndim, "dim")
    cuts = np.cumsum([x.shape[axis] for x in inputs])[:-1]
    return tuple(xp.split(ograd, [int(c) for c in cuts], axis=axis))


@_backward_concat.gradient
def _(F, node, ograds):
    grad = F.Concat(*ograds, dim=node.params.dim)
    return [grad] + [None] * (len(node.inputs) - 1)


# --- stack -----------------------------------------------------------------------------------
class StackParam(Param):
    axis = Int(0, "The axis in the result array along which the input arrays are stacked.")
    num_args = Int(doc="Number of inputs to be stacked.")


def _stack_infer(params, in_shapes):
    _check_count(params.num_args, in_shapes)
    ref = next((s for s in in_shapes if s is not None), None)
    if ref is None:
        return [None]
    for i, s in enumerate(in_shapes):
        if s is not None and tuple(s) != tuple(ref):
            raise ShapeError(f"all inputs must have the same shape: input arg{i} has shape "
                             f"{tuple(s)}, expected {tuple(ref)}")
    axis = normalize_axis(params.axis, len(ref) + 1)
    return [tuple(ref[:axis]) + (len(in_shapes),) + tuple(ref[axis:])]


@op("stack", inputs=("data",), params=StackParam, variadic="num_args",
    infer_shape=_stack_infer, infer_type=_uniform_type("stack"))
def stack(xp, params, *data):
    """Join a sequence of arrays along a new axis."""
    return xp.stack(data, axis=normalize_axis(params.axis, data[0].ndim + 1))


@stack.gradient
def _(F, node, ograds):
    n = len(node.inputs)
    parts = F.SliceChannel(ograds[0], num_outputs=n, axis=node.params.axis, squeeze_axis=True)
    return list(parts) if isinstance(parts, tuple) else [parts]


# --- SliceChannel / _split_v2 ----------------------------------------------------------------
def _piece_shapes(src, axis, bounds, squeeze):
    """Output shapes of splitting ``src`` at ``bounds`` [(start, end), ...] along ``axis``."""
    out = []
    for start, end in bounds:
        if squeeze:
            if end - start != 1:
                raise ShapeError(f"expected axis size of 1 but got {end - start} "
                                 f"(squeeze_axis=True)")
            out.append(tuple(src[:axis]) + tuple(src[axis + 1:]) or (1,))
        else:
            out.append(tuple(src[:axis]) + (end - start,) + tuple(src[axis + 1:]))
    return out


def _split_pieces(xp, data, axis, bounds, squeeze, shapes):
    index = [slice(None)] * data.ndim
    out = []
    for (start, end), shape in zip(bounds, shapes):
        index[axis] = slice(start, end)
        out.append(data[tuple(index)].reshape(shape))
    return tuple(out)


def _join_grads(F, ograds, axis, squeeze):
    if squeeze:
        ograds = [F.expand_dims(g, axis=axis) for g in ograds]
    return F.Concat(*ograds, dim=axis)


class SliceChannelParam(Param):
    num_outputs = Int(doc="Number of splits. Note that this should evenly divide the length "
                          "of the `axis`.")
    axis = Int(1, "Axis along which to split.")
    squeeze_axis = Bool(False, "If true, Removes the axis with length 1 from the shapes of "
                               "the output arrays.")


def _even_bounds(params, src):
    axis = normalize_axis(params.axis, len(src))
    n, size = params.num_outputs, src[axis]
    if n <= 0:
        raise ShapeError(f"num_outputs must be positive, got {n}")
    if size == 0:   # unknown during graph inference (squeezed pieces are size 1 anyway)
        return axis, [(i, i + 1) if params.squeeze_axis else (0, 0) for i in range(n)]
    if params.squeeze_axis and size != n:
        raise ShapeError(f"If squeeze axis is True, the size of the sliced axis must be the "
                         f"same as num_outputs. Input shape={tuple(src)}, axis={axis}, "
                         f"num_outputs={n}.")
    if size % n:
        raise ShapeError(f"You are trying to split the {axis}-th axis of input tensor with "
                         f"shape {tuple(src)} into num_outputs={n} evenly sized chunks, but "
                         f"this is not possible because {n} does not evenly divide {size}")
    step = size // n
    return axis, [(i * step, (i + 1) * step) for i in range(n)]


def _slice_channel_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None] * params.num_outputs
    axis, bounds = _even_bounds(params, src)
    return _piece_shapes(src, axis, bounds, params.squeeze_axis)


def _slice_channel_backward_infer(params, in_shapes, out_shapes):
    """The input is the pieces put back together along ``axis``."""
    for piece in out_shapes:
        if piece is None:
            continue
        piece = list(piece)
        if params.squeeze_axis:
            piece.insert(params.axis % (len(piece) + 1), 1)
        axis = params.axis % len(piece)
        piece[axis] = piece[axis] * params.num_outputs if piece[axis] else 0
        in_shapes[0] = merge_shape(in_shapes[0], tuple(piece), "input and output shapes")


@op("SliceChannel", aliases=("split",), params=SliceChannelParam,
    infer_shape_backward=_slice_channel_backward_infer,
    num_outputs=lambda p: p.num_outputs, infer_shape=_slice_channel_infer,
    infer_type=lambda p, t: [t[0]] * p.num_outputs)
def slice_channel(xp, params, data):
    """Splits an array along a particular axis into multiple sub-arrays."""
    axis, bounds = _even_bounds(params, data.shape)
    shapes = _piece_shapes(data.shape, axis, bounds, params.squeeze_axis)
    return _split_pieces(xp, data, axis, bounds, params.squeeze_axis, shapes)


@slice_channel.gradient
def _(F, node, ograds):
    return [_join_grads(F, ograds, node.params.axis, node.params.squeeze_axis)]


class SplitV2Param(Param):
    indices = Shape(doc="Indices of splits. The elements should denote the boundaries of at "
                        "which split is performed along the `axis`.")
    axis = Int(1, "Axis along which to split.")
    squeeze_axis = Bool(False, "If true, Removes the axis with length 1 from the shapes of "
                               "the output arrays.")
    sections = Int(0, "Number of sections if equally splitted. Default to 0 which means "
                      "split by indices.")


def _split_v2_count(params):
    return params.sections if params.sections > 0 else len(params.indices)


def _split_v2_bounds(params, src):
    axis = normalize_axis(params.axis, len(src))
    size = src[axis]
    if params.sections > 0:
        if size % params.sections:
            raise ShapeError(f"cannot split axis {axis} of size {size} into "
                             f"{params.sections} equal sections")
        step = size // params.sections
        return axis, [(i * step, (i + 1) * step) for i in range(params.sections)]
    starts = list(params.indices)
    if not starts or starts[0] != 0:
        raise ShapeError(f"indices={tuple(starts)} must start with 0 (the start of the first "
                         f"piece)")
    ends = starts[1:] + [size]
    if size == 0:   # unknown during graph inference: only the last piece's size is unknown
        last = (starts[-1], starts[-1] + 1) if params.squeeze_axis else (0, 0)
        return axis, list(zip(starts, ends[:-1])) + [last]
    for i, (start, end) in enumerate(zip(starts, ends)):
        if end > size:
            raise ShapeError(f"end {end} is no less than the size of the axis {size}")
        if start > end:
            raise ShapeError(f"start {start} is not less than end {end} for subarray {i}")
    return axis, list(zip(starts, ends))


def _split_v2_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None] * _split_v2_count(params)
    axis, bounds = _split_v2_bounds(params, src)
    return _piece_shapes(src, axis, bounds, params.squeeze_axis)


@op("_split_v2", params=SplitV2Param, num_outputs=_split_v2_count,
    infer_shape=_split_v2_infer, infer_type=lambda p, t: [t[0]] * _split_v2_count(p))
def _split_v2(xp, params, data):
    """Splits an array along a particular axis into multiple sub-arrays (at indices)."""
    axis, bounds = _split_v2_bounds(params, data.shape)
    shapes = _piece_shapes(data.shape, axis, bounds, params.squeeze_axis)
    return _split_pieces(xp, data, axis, bounds, params.squeeze_axis, shapes)


@_split_v2.gradient
def _(F, node, ograds):
    return [_join_grads(F, ograds, node.params.axis, node.params.squeeze_axis)]
