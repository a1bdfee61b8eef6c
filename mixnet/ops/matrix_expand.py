"""Ops that grow an array by copying its elements: tile, repeat, Pad, broadcast_to,
broadcast_axis.

Their gradients sum the copies back: ``_backward_tile``/``_backward_repeat``/``_backward_Pad``
(whose own gradients are the forward ops again), and ``_sum_to_shape_of`` for broadcasts.
"""
import math

import numpy as np

from .infer import InferTypeError, ShapeError, normalize_axis
from .matrix import check_axes_nonneg
from .param import Choice, Float, Int, Param, Shape
from .registry import op

__all__ = []


def _data_shape(params, in_shapes):
    """Shape rule of a backward op: the result is shaped like its last input (the data)."""
    return [in_shapes[-1]]


def _data_type(params, in_types):
    return [in_types[-1]]


# --- tile ------------------------------------------------------------------------------------
class TileParam(Param):
    reps = Shape(doc="The number of times for repeating the tensor a. Each dim size of reps "
                     "must be a positive integer.")


def _tile_layout(shape, reps):
    """(shape, reps), both left-padded with 1 to a common length."""
    n = max(len(shape), len(reps))
    return (1,) * (n - len(shape)) + tuple(shape), (1,) * (n - len(reps)) + tuple(reps)


def _tile_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    if any(r <= 0 for r in params.reps):
        raise ShapeError(f"reps={params.reps}: each entry must be a positive integer")
    shape, reps = _tile_layout(src, params.reps)
    return [tuple(d * r for d, r in zip(shape, reps))]


@op("tile", params=TileParam, infer_shape=_tile_infer)
def tile(xp, params, data):
    """Repeats the whole array multiple times."""
    return xp.tile(data, params.reps) if params.reps else data.copy()


@tile.gradient
def _(F, node, ograds):
    return [F._backward_tile(ograds[0], node.inputs[0], reps=node.params.reps)]


@op("_backward_tile", inputs=("ograd", "data"), params=TileParam, infer_shape=_data_shape,
    infer_type=_data_type)
def _backward_tile(xp, params, ograd, data):
    """Sums the tiled copies of the output gradient back to the input's shape."""
    shape, reps = _tile_layout(data.shape, params.reps)
    interleaved = [d for pair in zip(reps, shape) for d in pair]
    summed = ograd.reshape(interleaved).sum(axis=tuple(range(0, len(interleaved), 2)))
    return summed.reshape(data.shape)


@_backward_tile.gradient
def _(F, node, ograds):
    return [F.tile(ograds[0], reps=node.params.reps), None]


# --- repeat ----------------------------------------------------------------------------------
class RepeatParam(Param):
    repeats = Int(doc="The number of repetitions for each element.")
    axis = Int(None, "The axis along which to repeat values. The negative numbers are "
                     "interpreted counting from the backward. By default, use the flattened "
                     "input array, and return a flat output array.")


def _repeat_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    if params.repeats < 0:
        raise ShapeError(f"repeats cannot be a negative number, got {params.repeats}")
    if params.repeats == 0:
        return [(0,)]   # MXNet 1.x returns an empty 1-d array here, whatever the axis
    if params.axis is None:
        return [(math.prod(src) * params.repeats,)]
    axis = normalize_axis(params.axis, len(src))
    out = list(src)
    out[axis] *= params.repeats
    return [tuple(out)]


@op("repeat", params=RepeatParam, infer_shape=_repeat_infer)
def repeat(xp, params, data):
    """Repeats elements of an array."""
    if params.repeats == 0:
        return xp.zeros((0,), dtype=data.dtype)
    axis = None if params.axis is None else normalize_axis(params.axis, data.ndim)
    return xp.repeat(data, params.repeats, axis=axis)


@repeat.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_repeat(ograds[0], node.inputs[0], repeats=p.repeats, axis=p.axis)]


@op("_backward_repeat", inputs=("ograd", "data"), params=RepeatParam,
    infer_shape=_data_shape, infer_type=_data_type)
def _backward_repeat(xp, params, ograd, data):
    """Sums the repeated copies of the output gradient back to the input's shape."""
    r = params.repeats
    if r == 0:
        return xp.zeros(data.shape, dtype=ograd.dtype)
    if params.axis is None:
        return ograd.reshape(-1, r).sum(axis=1).reshape(data.shape)
    axis = normalize_axis(params.axis, data.ndim)
    split = data.shape[:axis + 1] + (r,) + data.shape[axis + 1:]
    return ograd.reshape(split).sum(axis=axis + 1)


@_backward_repeat.gradient
def _(F, node, ograds):
    p = node.params
    return [F.repeat(ograds[0], repeats=p.repeats, axis=p.axis), None]


# --- Pad -------------------------------------------------------------------------------------
class PadParam(Param):
    mode = Choice(("constant", "edge", "reflect"), doc="Padding type to use.")
    pad_width = Shape(doc="Widths of the padding regions applied to the edges of each axis. "
                          "It is a tuple of integer padding widths for each axis of the format "
                          "``(before_1, after_1, ... , before_N, after_N)``.")
    constant_value = Float(0.0, "The value used for padding when `mode` is 'constant'.")


def _pad_pairs(params, src):
    if len(src) not in (4, 5):
        raise ShapeError(f"Current implementation only supports 4-D or 5-D input, got shape "
                         f"{tuple(src)}")
    width = params.pad_width
    if len(width) != 2 * len(src):
        raise ShapeError(f"Input shape vs padding spec mismatch: pad_width={width} needs "
                         f"{2 * len(src)} entries for a {len(src)}-D input")
    pairs = [(width[2 * i], width[2 * i + 1]) for i in range(len(src))]
    if any(pairs[0]) or any(pairs[1]):
        raise ShapeError(f"Current implementation expects padding on the first two axes to "
                         f"be zero, got pad_width={width}")
    # (a 0 dim is unknown during graph inference: nothing to check yet)
    if params.mode == "reflect" and any(d and (lo >= d or hi >= d)
                                        for (lo, hi), d in zip(pairs, src)):
        raise ShapeError(f"Current implementation of reflection padding only supports padding "
                         f"sizes smaller than the input size (shape {tuple(src)}, "
                         f"pad_width={width})")
    return pairs


def _pad_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    pairs = _pad_pairs(params, src)
    return [tuple(d + lo + hi if d else 0 for d, (lo, hi) in zip(src, pairs))]


def _pad_type(params, in_types):
    t = in_types[0]
    if t is not None and np.dtype(t).kind != "f":
        raise InferTypeError(f"This operation only support floating point types, not "
                             f"{np.dtype(t).name}")
    return [t]


@op("Pad", aliases=("pad",), params=PadParam, infer_shape=_pad_infer, infer_type=_pad_type)
def pad(xp, params, data):
    """Pads an input array with a constant or edge values of the array."""
    pairs = _pad_pairs(params, data.shape)
    if params.mode == "constant":
        return xp.pad(data, pairs, mode="constant", constant_values=params.constant_value)
    return xp.pad(data, pairs, mode=params.mode)


@pad.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_Pad(ograds[0], node.inputs[0], mode=p.mode, pad_width=p.pad_width)]


@op("_backward_Pad", inputs=("ograd", "data"), params=PadParam, infer_shape=_data_shape,
    infer_type=_data_type)
def _backward_pad(xp, params, ograd, data):
    """Gradient of Pad: the inner block, plus the padded cells added to their sources."""
    grad = ograd
    for axis, ((lo, hi), size) in enumerate(zip(_pad_pairs(params, data.shape), data.shape)):
        if not lo and not hi:
            continue
        if params.mode == "constant":
            grad = xp.take(grad, xp.arange(lo, lo + size), axis=axis)
            continue
        # Which input cell each output cell along this axis was copied from.
        source = xp.asarray(np.pad(np.arange(size), (lo, hi), mode=params.mode))
        moved = xp.moveaxis(grad, axis, 0)
        acc = xp.zeros((size,) + moved.shape[1:], dtype=grad.dtype)
        xp.add.at(acc, source, moved)
        grad = xp.moveaxis(acc, 0, axis)
    return grad


@_backward_pad.gradient
def _(F, node, ograds):
    p = node.params
    return [F.Pad(ograds[0], mode=p.mode, pad_width=p.pad_width, constant_value=0.0), None]


# --- broadcast_to / broadcast_axis ------------------------------------------------------------
class BroadcastToParam(Param):
    shape = Shape((), "The shape of the desired array. We can set the dim to zero if it's "
                      "same as the original. E.g `A = broadcast_to(B, shape=(10, 0, 0))` has "
                      "the same meaning as `A = broadcast_axis(B, axis=0, size=10)`.")


def _check_broadcast(src, out):
    for d, o in zip(src, out):
        if d != o and d != 1:
            raise ShapeError(f"Array cannot be broadcasted from {tuple(src)} to {tuple(out)}")
    return tuple(out)


def _broadcast_to_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    if len(params.shape) != len(src):
        raise ShapeError(f"Operand of shape {tuple(src)} cannot be broadcasted to "
                         f"{params.shape}: the number of dimensions differs")
    out = [s if t == 0 else t for s, t in zip(src, params.shape)]
    return [_check_broadcast(src, out)]


@op("broadcast_to", params=BroadcastToParam, infer_shape=_broadcast_to_infer)
def broadcast_to(xp, params, data):
    """Broadcasts the input array to a new shape."""
    return xp.broadcast_to(data, _broadcast_to_infer(params, [data.shape])[0])


@broadcast_to.gradient
def _(F, node, ograds):
    return [F._sum_to_shape_of(ograds[0], node.inputs[0])]


class BroadcastAxisParam(Param):
    axis = Shape((), "The axes to perform the broadcasting.")
    size = Shape((), "Target sizes of the broadcasting axes.")


def _broadcast_axis_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    if len(params.axis) != len(params.size):
        raise ShapeError(f"axis={params.axis} and size={params.size} must have the same "
                         f"length")
    out = list(src)
    for a, n in zip(check_axes_nonneg(params.axis, len(src)), params.size):
        if src[a] != 1:
            raise ShapeError(f"Broadcasting axis must have size 1, axis {a} has size {src[a]}")
        out[a] = n
    return [tuple(out)]


@op("broadcast_axis", aliases=("broadcast_axes",), params=BroadcastAxisParam,
    infer_shape=_broadcast_axis_infer)
def broadcast_axis(xp, params, data):
    """Broadcasts the input array over particular axes."""
    return xp.broadcast_to(data, _broadcast_axis_infer(params, [data.shape])[0])


@broadcast_axis.gradient
def _(F, node, ograds):
    return [F._sum_to_shape_of(ograds[0], node.inputs[0])]
