"""Indexing by arrays of indices: take, batch_take, pick, one_hot, where.

Index inputs may have any dtype (MXNet passes float32 by default); they are truncated
to integers inside the forward. Gradients scatter-add back with ``_backward_take``,
``_backward_pick``. (gather_nd and scatter_nd: indexing_nd.py.)
"""
import math

import numpy as np

from ..base import MXNetError, MXNetIndexError
from .infer import merge_shape, InferTypeError, ShapeError, normalize_axis, same_type
from .param import Bool, Choice, Dtype, Float, Int, Param
from .registry import op

__all__ = []


def _as_int(xp, indices):
    return indices.astype(xp.int64)


def _fix_range(xp, idx, size, mode, what):
    """Indices mapped into [0, size) by ``mode`` ('clip', 'wrap', 'raise')."""
    if mode == "clip":
        return xp.clip(idx, 0, size - 1)
    if mode == "wrap":
        return idx % size
    if idx.size and bool(((idx < 0) | (idx >= size)).any()):
        raise MXNetIndexError(f"{what} operator contains indices out of bound "
                              f"(valid range [0, {size}))")
    return idx


def _first_type(params, in_types):
    return [in_types[0]]


# --- take ------------------------------------------------------------------------------------
class TakeParam(Param):
    axis = Int(0, "The axis of input array to be taken.For input tensor of rank r, it could "
                  "be in the range of [-r, r-1]")
    mode = Choice(("clip", "raise", "wrap"), "clip",
                  "Specify how out-of-bound indices bahave. Default is \"clip\".")


def _take_infer(params, in_shapes):
    data, indices = in_shapes
    if data is None or indices is None:
        return [None]
    axis = normalize_axis(params.axis, len(data))
    return [tuple(data[:axis]) + tuple(indices) + tuple(data[axis + 1:])]


@op("take", inputs=("a", "indices"), params=TakeParam, infer_shape=_take_infer,
    infer_type=_first_type)
def take(xp, params, a, indices):
    """Takes elements from an input array along the given axis."""
    axis = normalize_axis(params.axis, a.ndim)
    idx = _fix_range(xp, _as_int(xp, indices), a.shape[axis], params.mode, "take")
    return xp.take(a, idx, axis=axis)


@take.gradient
def _(F, node, ograds):
    a, indices = node.inputs
    p = node.params
    return [F._backward_take(ograds[0], indices, a, axis=p.axis, mode=p.mode), None]


@op("_backward_take", inputs=("ograd", "indices", "data"), params=TakeParam,
    infer_shape=lambda p, s: [s[2]], infer_type=_first_type)
def _backward_take(xp, params, ograd, indices, data):
    """Gradient of take: output gradients added at the taken positions (scatter-add)."""
    axis = normalize_axis(params.axis, data.ndim)
    size = data.shape[axis]
    idx = _fix_range(xp, _as_int(xp, indices), size, params.mode, "take").reshape(-1)
    rows = ograd.reshape(data.shape[:axis] + (idx.size,) + data.shape[axis + 1:])
    acc = xp.zeros((size,) + data.shape[:axis] + data.shape[axis + 1:], dtype=ograd.dtype)
    xp.add.at(acc, idx, xp.moveaxis(rows, axis, 0))
    return xp.moveaxis(acc, 0, axis)


@_backward_take.gradient
def _(F, node, ograds):
    p = node.params
    return [F.take(ograds[0], node.inputs[1], axis=p.axis, mode=p.mode), None, None]


# --- batch_take ------------------------------------------------------------------------------
def _batch_take_infer(params, in_shapes):
    data, indices = in_shapes
    if data is None or indices is None:
        return [indices]
    rows = math.prod(data) // data[-1] if data[-1] else 0
    if rows != math.prod(indices):
        raise ShapeError(f"Index array's size must be the same as data array's size "
                         f"excluding the last dimension ({rows} vs. {math.prod(indices)})")
    return [tuple(indices)]


def _batch_take_type(params, in_types):
    if in_types[1] is not None and np.dtype(in_types[1]) != np.int32:
        raise InferTypeError(f"indices must be int32, got {np.dtype(in_types[1]).name}")
    in_types[1] = np.dtype(np.int32)
    return [in_types[0]]


@op("batch_take", inputs=("a", "indices"), infer_shape=_batch_take_infer,
    infer_type=_batch_take_type)
def batch_take(xp, params, a, indices):
    """Takes elements from a data batch: ``output[i] = a[i, indices[i]]``."""
    flat = a.reshape(-1, a.shape[-1])
    idx = xp.clip(_as_int(xp, indices).reshape(-1), 0, a.shape[-1] - 1)
    return flat[xp.arange(flat.shape[0]), idx].reshape(indices.shape)


@batch_take.gradient
def _(F, node, ograds):
    # MXNet registers no gradient for batch_take (deprecated in favour of pick): keep its error.
    raise MXNetError("Operator batch_take is non-differentiable because it didn't register "
                     "FGradient attribute.")


# --- pick ------------------------------------------------------------------------------------
class PickParam(Param):
    axis = Int(-1, "int or None. The axis to picking the elements. Negative values means "
                   "indexing from right to left. If is `None`, the elements in the index "
                   "w.r.t the flattened input will be picked.", optional=True)
    keepdims = Bool(False, "If true, the axis where we pick the elements is left in the "
                           "result as dimension with size one.")
    mode = Choice(("clip", "wrap"), "clip", "Specify how out-of-bound indices behave. Default "
                                            "is \"clip\".")


def _pick_axis(params, ndim):
    if params.axis is None:
        raise ShapeError("axis=None is not supported by pick yet. Must specify an axis.")
    return normalize_axis(params.axis, ndim)


def _pick_shapes(params, data):
    """(shape with the axis kept as 1, output shape)."""
    axis = _pick_axis(params, len(data))
    kept = tuple(data[:axis]) + (1,) + tuple(data[axis + 1:])
    dropped = tuple(data[:axis]) + tuple(data[axis + 1:])
    return kept, kept if params.keepdims else (dropped or (1,))


def _pick_infer(params, in_shapes):
    data, index = in_shapes
    if data is None:
        return [None]
    kept, out = _pick_shapes(params, data)
    if index is not None and math.prod(index) != math.prod(kept):
        raise ShapeError(f"index shape {tuple(index)} does not match data shape "
                         f"{tuple(data)} without axis {params.axis} (expected {out})")
    return [out]


@op("pick", inputs=("data", "index"), params=PickParam, infer_shape=_pick_infer,
    infer_type=_first_type, aliases=("choose_element_0index",))
def pick(xp, params, data, index):
    """Picks elements from an input array according to the input indices along the given
    axis."""
    axis = _pick_axis(params, data.ndim)
    kept, out = _pick_shapes(params, data.shape)
    idx = _fix_range(xp, _as_int(xp, index).reshape(kept), data.shape[axis], params.mode,
                     "pick")
    return xp.take_along_axis(data, idx, axis=axis).reshape(out)


@pick.gradient
def _(F, node, ograds):
    data, index = node.inputs
    p = node.params
    return [F._backward_pick(ograds[0], index, data, axis=p.axis, keepdims=p.keepdims,
                             mode=p.mode), None]


@op("_backward_pick", inputs=("ograd", "index", "data"), params=PickParam,
    infer_shape=lambda p, s: [s[2]], infer_type=_first_type)
def _backward_pick(xp, params, ograd, index, data):
    """Gradient of pick: the output gradient at the picked position, zero elsewhere."""
    axis = _pick_axis(params, data.ndim)
    kept, _ = _pick_shapes(params, data.shape)
    size = data.shape[axis]
    idx = _fix_range(xp, _as_int(xp, index).reshape(kept), size, params.mode, "pick")
    positions = xp.arange(size).reshape((size,) + (1,) * (data.ndim - axis - 1))
    return xp.where(positions == idx, ograd.reshape(kept), 0).astype(ograd.dtype)


@_backward_pick.gradient
def _(F, node, ograds):
    p = node.params
    return [F.pick(ograds[0], node.inputs[1], axis=p.axis, keepdims=p.keepdims, mode=p.mode),
            None, None]


# --- one_hot ---------------------------------------------------------------------------------
class OneHotParam(Param):
    depth = Int(doc="Depth of the one hot dimension.")
    on_value = Float(1.0, "The value assigned to the locations represented by indices.")
    off_value = Float(0.0, "The value assigned to the locations not represented by indices.")
    dtype = Dtype("float32", "DType of the output",
                  choices=("bfloat16", "float16", "float32", "float64", "int32", "int64",
                           "int8", "uint8"))


def _one_hot_infer(params, in_shapes):
    if params.depth < 0:
        raise ShapeError(f"depth must be non-negative, got {params.depth}")
    src = in_shapes[0]
    return [None if src is None else tuple(src) + (params.depth,)]


@op("one_hot", inputs=("indices",), params=OneHotParam, infer_shape=_one_hot_infer,
    infer_type=lambda p, t: [np.dtype(p.dtype)], grad=None)
def one_hot(xp, params, indices):
    """Returns a one-hot array."""
    hot = _as_int(xp, indices)[..., None] == xp.arange(params.depth)
    return xp.where(hot, params.on_value, params.off_value).astype(params.dtype)


def _legacy_rows_check(lhs, n_rows, what):
    if len(lhs) != 2 or any(len(r) != 1 or r[0] != lhs[0] for r in n_rows):
        raise ShapeError(f"{what} needs a 2-D lhs and 1-D arrays of lhs.shape[0] entries, "
                         f"got {tuple(lhs)} and {[tuple(r) for r in n_rows]}")


def _fill_infer(params, in_shapes):
    lhs, mhs, rhs = in_shapes
    if None not in in_shapes:
        _legacy_rows_check(lhs, (mhs, rhs), "fill_element_0index")
    return [lhs]


@op("fill_element_0index", inputs=("lhs", "mhs", "rhs"), infer_shape=_fill_infer,
    infer_type=_first_type, grad=None)
def fill_element_0index(xp, params, lhs, mhs, rhs):
    """Fill one element of each line(row for python, column for R/Julia) in lhs according to
    index indicated by rhs and values indicated by mhs. This function assume rhs uses 0-based
    index."""
    out = lhs.copy()
    idx = xp.clip(_as_int(xp, rhs), 0, lhs.shape[1] - 1)
    out[xp.arange(lhs.shape[0]), idx] = mhs.astype(lhs.dtype)
    return out


def _onehot_encode_infer(params, in_shapes):
    indices, out = in_shapes
    if None not in in_shapes:
        _legacy_rows_check(out, (indices,), "onehot_encode")
    return [out]


def _onehot_encode_type(params, in_types):
    if in_types[1] is not None and np.dtype(in_types[1]) != np.float32:
        raise InferTypeError(f"one_hot_encode only supports float32 output, got "
                             f"{np.dtype(in_types[1]).name}")
    return [np.dtype(np.float32)]


@op("_onehot_encode", inputs=("lhs", "rhs"), infer_shape=_onehot_encode_infer,
    infer_type=_onehot_encode_type, grad=None)
def _onehot_encode(xp, params, lhs, rhs):
    """One-hot encoding of the indices lhs into an array shaped like rhs (deprecated)."""
    hot = _as_int(xp, lhs)[:, None] == xp.arange(rhs.shape[1])
    return hot.astype(rhs.dtype)


# --- where -----------------------------------------------------------------------------------
def _where_infer(params, in_shapes):
    cond, x, y = in_shapes
    try:
        x = merge_shape(x, y, "x and y shapes")
    except ShapeError:
        raise ShapeError(f"x and y must have the same shape, got {tuple(x)} and "
                         f"{tuple(y)}") from None
    in_shapes[1] = in_shapes[2] = x
    if cond is None or 0 in cond or (x is not None and 0 in x):
        return [None]   # MXNet infers where's output only from a fully known condition
    if x is not None and cond is not None and tuple(cond) != tuple(x) and \
            not (len(cond) == 1 and x and cond[0] == x[0]):
        raise ShapeError(f"condition must have the shape of x {tuple(x)} or be 1-D of size "
                         f"{x[0] if x else '?'}, got {tuple(cond)}")
    return [x]


def _where_type(params, in_types):
    # x and y share a dtype (the output's); the condition may have any dtype.
    values = in_types[1:]
    out = same_type(params, values)
    in_types[1:] = values
    return out


@op("where", inputs=("condition", "x", "y"), infer_shape=_where_infer, infer_type=_where_type)
def where(xp, params, condition, x, y):
    """Return the elements, either from x or y, depending on the condition."""
    if condition.shape != x.shape:
        condition = condition.reshape(condition.shape + (1,) * (x.ndim - 1))
    return xp.where(condition != 0, x, y)


@where.gradient
def _(F, node, ograds):
    cond = node.inputs[0]
    g = ograds[0]
    zeros = F.zeros_like(g)
    return [None, F.where(cond, g, zeros), F.where(cond, zeros, g)]
